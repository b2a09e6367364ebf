/**
 * Fake output videos: the job's clip (made to follow its request by `fake-clip.ts`; the committed
 * base clip for anything else), then a top-level `free` box whose payload names the
 * job (`{jobId, assetId, input}`), then optionally a `skip` box of zeros that pads the file to a
 * requested size. Players and ffprobe ignore `free`/`skip` boxes, so the file stays a real, playable
 * MP4, while a test can tell which job a downloaded file came from (`readFakeVideoIdentity`).
 *
 * Files are described as segments (bytes held once, or runs of zeros) and read by range, so a
 * multi-GiB padded video costs a few KB of memory however it is served.
 */
import { closeSync, openSync, readSync, fstatSync } from 'node:fs';
import { BASE_CLIP_BASE64 } from './base-clip.js';

export const BASE_CLIP: Buffer = Buffer.from(BASE_CLIP_BASE64, 'base64');

/** Prefix of the identity box's payload, so it is never confused with an encoder's own `free` box. */
export const IDENTITY_MAGIC = 'scenario-fake-video:';

export interface FakeVideoIdentity {
  jobId: string;
  assetId: string;
  input: Record<string, unknown>;
}

type Segment = { start: number; data: Buffer } | { start: number; zeros: number };

export interface VirtualFile {
  size: number;
  segments: Segment[];
}

const MAX_32 = 0xffffffff;

export function bytesFile(data: Buffer): VirtualFile {
  return { size: data.length, segments: [{ start: 0, data }] };
}

function box(type: string, payload: Buffer): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(8 + payload.length, 0);
  head.write(type, 4, 'latin1');
  return Buffer.concat([head, payload]);
}

/** A clip (the base clip by default) + identity box (+ padding to at least `minBytes`). */
export function composeFakeVideo(identity: FakeVideoIdentity, minBytes = 0, clip: Buffer = BASE_CLIP): VirtualFile {
  const idBox = box('free', Buffer.from(IDENTITY_MAGIC + JSON.stringify(identity), 'utf8'));
  const segments: Segment[] = [
    { start: 0, data: clip },
    { start: clip.length, data: idBox },
  ];
  let size = clip.length + idBox.length;
  if (minBytes > size) {
    // A box is at least its 8-byte header; past 4 GiB it needs the 64-bit `largesize` form.
    const boxSize = Math.max(8, minBytes - size);
    const large = boxSize > MAX_32;
    const head = Buffer.alloc(large ? 16 : 8);
    if (large) {
      head.writeUInt32BE(1, 0);
      head.write('skip', 4, 'latin1');
      head.writeBigUInt64BE(BigInt(boxSize), 8);
    } else {
      head.writeUInt32BE(boxSize, 0);
      head.write('skip', 4, 'latin1');
    }
    segments.push({ start: size, data: head });
    segments.push({ start: size + head.length, zeros: boxSize - head.length });
    size += boxSize;
  }
  return { size, segments };
}

const CHUNK = 64 * 1024;
/** Shared and never written to: every zero chunk we send is a view of it. */
const ZEROS = Buffer.alloc(CHUNK);

/** Bytes [start, end) of a virtual file, in chunks of at most 64 KiB. */
export function* readRange(file: VirtualFile, start: number, end: number): Generator<Buffer> {
  for (const seg of file.segments) {
    const segLen = 'data' in seg ? seg.data.length : seg.zeros;
    const from = Math.max(start, seg.start);
    const to = Math.min(end, seg.start + segLen);
    for (let pos = from; pos < to; ) {
      const n = Math.min(CHUNK, to - pos);
      if ('data' in seg) yield seg.data.subarray(pos - seg.start, pos - seg.start + n);
      else yield ZEROS.subarray(0, n);
      pos += n;
    }
  }
}

/** Reads `length` bytes at `position` from a buffer or an open file. */
type Reader = (position: number, length: number) => Buffer;

function walkForIdentity(read: Reader, size: number): FakeVideoIdentity {
  let pos = 0;
  // Bounded: each step advances by a box size >= 8, and a file holds only so many boxes.
  for (let boxes = 0; pos + 8 <= size && boxes < 100_000; boxes++) {
    const head = read(pos, 16);
    let boxSize = head.readUInt32BE(0);
    const type = head.toString('latin1', 4, 8);
    let headerLen = 8;
    if (boxSize === 1) {
      boxSize = Number(head.readBigUInt64BE(8));
      headerLen = 16;
    } else if (boxSize === 0) {
      boxSize = size - pos;
    }
    if (boxSize < headerLen) break;
    if (type === 'free' && boxSize - headerLen <= 4 * 1024 * 1024) {
      const payload = read(pos + headerLen, boxSize - headerLen).toString('utf8');
      if (payload.startsWith(IDENTITY_MAGIC)) {
        return JSON.parse(payload.slice(IDENTITY_MAGIC.length)) as FakeVideoIdentity;
      }
    }
    pos += boxSize;
  }
  throw new Error('not a fake Scenario video: no identity box among the top-level MP4 boxes');
}

/**
 * Which job a downloaded fake video came from: `{jobId, assetId, input}` from its identity box.
 * Takes the bytes or a file path; a path is read box header by box header, so a padded
 * multi-GiB file is never loaded. Throws when the file has no identity box.
 */
export function readFakeVideoIdentity(source: Uint8Array | string): FakeVideoIdentity {
  if (typeof source !== 'string') {
    const b = Buffer.from(source.buffer, source.byteOffset, source.byteLength);
    return walkForIdentity((p, n) => b.subarray(p, Math.min(b.length, p + n)), b.length);
  }
  const fd = openSync(source, 'r');
  try {
    const size = fstatSync(fd).size;
    return walkForIdentity((p, n) => {
      const buf = Buffer.alloc(Math.max(0, Math.min(n, size - p)));
      const got = readSync(fd, buf, 0, buf.length, p);
      return buf.subarray(0, got);
    }, size);
  } finally {
    closeSync(fd);
  }
}
