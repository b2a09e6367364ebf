import { readFile, realpath, stat } from 'node:fs/promises';
import path from 'node:path';
import { PromptFileIssue } from './errors.js';
import { ImageRefError, isInside, resolveImageRef, toPosix } from './images.js';
import { formatOf, parsePromptSource } from './parse.js';
/**
 * Read, parse and check prompt files. Every file is checked; a broken one is reported with file,
 * line and field and contributes no video, and the others still load. Output names must be unique
 * across files (case-insensitively, for macOS and Windows): a later file reusing a name is broken.
 */
export async function loadPromptFiles(files, options) {
    const root = path.resolve(options.root);
    const realRoot = await realpath(root);
    const maxBytes = options.maxFileBytes ?? 1024 * 1024;
    const entries = [...new Set(files.map((f) => path.resolve(root, f)))]
        .map((abs) => ({ abs, display: toPosix(path.relative(root, abs)) }))
        .sort((a, b) => (a.display < b.display ? -1 : a.display > b.display ? 1 : 0));
    const perFile = [];
    for (const { abs, display } of entries) {
        const issues = [];
        const fileIssue = (message) => issues.push(new PromptFileIssue({ file: display, line: 1, field: '(file)', message }));
        const videos = [];
        perFile.push({ file: display, videos, issues });
        if (!isInside(root, abs)) {
            fileIssue('the prompt file is outside the repository');
            continue;
        }
        if (formatOf(abs) === undefined) {
            fileIssue('not a prompt file (expected .yml, .yaml, .json or .md)');
            continue;
        }
        let text;
        try {
            const real = await realpath(abs);
            if (!isInside(realRoot, real)) {
                fileIssue('the prompt file is a symbolic link that leaves the repository');
                continue;
            }
            const info = await stat(real);
            if (!info.isFile()) {
                fileIssue('not a file');
                continue;
            }
            if (info.size > maxBytes) {
                fileIssue(`the file is ${info.size} bytes; prompt files are limited to ${maxBytes}`);
                continue;
            }
            text = await readFile(real, 'utf8');
        }
        catch (e) {
            fileIssue(`cannot read the file: ${e.code ?? String(e)}`);
            continue;
        }
        const parsed = parsePromptSource(text, display);
        issues.push(...parsed.issues);
        for (const video of parsed.videos) {
            const { image, lastFrameImage, ...rest } = video;
            const loaded = { ...rest };
            const check = async (ref) => {
                if (!ref)
                    return undefined;
                try {
                    return await resolveImageRef(ref.value, { promptFile: abs, root });
                }
                catch (e) {
                    if (!(e instanceof ImageRefError))
                        throw e;
                    issues.push(new PromptFileIssue({
                        file: display,
                        line: ref.line,
                        column: ref.column,
                        field: ref.field,
                        message: e.message,
                    }));
                    return undefined;
                }
            };
            const first = await check(image);
            const last = await check(lastFrameImage);
            if (first)
                loaded.image = first;
            if (last)
                loaded.lastFrameImage = last;
            videos.push(loaded);
        }
    }
    // Output names are unique across files: the first file (in path order) keeps a name.
    const owners = new Map();
    for (const entry of perFile) {
        if (entry.issues.length > 0)
            continue;
        const mine = new Set();
        for (const video of entry.videos) {
            const key = video.name.toLowerCase();
            const owner = owners.get(key);
            if (owner !== undefined) {
                entry.issues.push(new PromptFileIssue({
                    file: entry.file,
                    line: video.nameAt.line,
                    column: video.nameAt.column,
                    field: video.nameAt.field,
                    message: `output name "${video.name}" is already used by ${owner}; set a different name`,
                }));
            }
            mine.add(key);
        }
        if (entry.issues.length === 0)
            for (const key of mine)
                owners.set(key, entry.file);
    }
    const result = { videos: [], issues: [], files: [] };
    for (const entry of perFile) {
        const ok = entry.issues.length === 0;
        result.files.push({ file: entry.file, videos: ok ? entry.videos.length : 0, ok });
        if (ok)
            result.videos.push(...entry.videos);
        else
            result.issues.push(...entry.issues);
    }
    return result;
}
//# sourceMappingURL=load.js.map