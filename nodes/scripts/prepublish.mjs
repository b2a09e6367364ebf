// Runs before `npm publish` (prepublishOnly). n8n verifies a community node only when the published
// version has npm provenance from a GitHub Actions run in the repository its package.json names, so
// a publish from anywhere else (a laptop, this monorepo) is refused here: it would make a version
// that can never be verified. The dedicated repository's publish workflow passes (see its
// .github/workflows/publish.yml). A dry run (`npm publish --dry-run`) is always allowed.
import { readFileSync } from 'node:fs';

const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
const named = /github\.com[/:]([\w.-]+\/[\w.-]+?)(?:\.git)?$/.exec(pkg.repository?.url ?? '')?.[1];
const env = process.env;

if (env.npm_config_dry_run === 'true') process.exit(0);
if (env.GITHUB_ACTIONS === 'true' && named !== undefined && env.GITHUB_REPOSITORY === named)
	process.exit(0);
console.error(
	`prepublish: ${pkg.name} is published only by the publish workflow of github.com/${named ?? '(repository not set)'} ` +
		`(npm provenance, which n8n's verification requires). Push a version tag there; see CHANGELOG.md and README.md.`,
);
process.exit(1);
