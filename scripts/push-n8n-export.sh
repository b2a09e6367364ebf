#!/usr/bin/env bash
# Commits an export of the n8n package (scripts/export-n8n.mjs --out DIR) to its dedicated repository
# (release.n8nRepository in package.json) and tags it vVERSION with the release notes as the tag's
# message. The tag starts that repository's publish workflow (npm publish --provenance).
#   scripts/push-n8n-export.sh EXPORT_DIR VERSION NOTES_FILE            push (needs N8N_DEPLOY_KEY)
#   scripts/push-n8n-export.sh EXPORT_DIR VERSION NOTES_FILE --dry-run  the same commit and tag in a
#                                                                       scratch repository; nothing pushed
# N8N_DEPLOY_KEY is an SSH deploy key with write access to that repository (a push made with the
# workflow's own GITHUB_TOKEN could not reach another repository, nor start its workflows).
set -euo pipefail
export_dir=$(cd "$1" && pwd)
version=$2
notes=$(cd "$(dirname "$3")" && pwd)/$(basename "$3")
mode=${4:-}
cd "$(dirname "$0")/.."
repo=$(node -p "require('./package.json').release.n8nRepository")
source_ref="${GITHUB_REPOSITORY:-local}@${GITHUB_SHA:-$(git rev-parse HEAD)}"
work=$(mktemp -d)
trap 'rm -rf "$work" "${key:-}"' EXIT

if [ "$mode" = --dry-run ]; then
  git init -q -b main "$work"
else
  : "${N8N_DEPLOY_KEY:?N8N_DEPLOY_KEY (a deploy key with write access to github.com/$repo) is not set}"
  key=$(mktemp)
  printf '%s\n' "$N8N_DEPLOY_KEY" >"$key"
  chmod 600 "$key"
  export GIT_SSH_COMMAND="ssh -i $key -o IdentitiesOnly=yes -o StrictHostKeyChecking=accept-new"
  git clone -q "git@github.com:$repo.git" "$work"
fi

cd "$work"
if git rev-parse -q --verify "refs/tags/v$version" >/dev/null; then
  echo "push-n8n-export: github.com/$repo already has v$version (tags are never moved)" >&2
  exit 1
fi
# The export replaces the previous contents whole: a file removed here is removed there.
git rm -rqf --ignore-unmatch -- . >/dev/null
(cd "$export_dir" && tar --exclude=./.git --exclude=./node_modules --exclude=./dist --exclude=./dist-pack -cf - .) | tar -xf -
git add -A
export GIT_AUTHOR_NAME='github-actions[bot]' GIT_AUTHOR_EMAIL='41898282+github-actions[bot]@users.noreply.github.com'
export GIT_COMMITTER_NAME="$GIT_AUTHOR_NAME" GIT_COMMITTER_EMAIL="$GIT_AUTHOR_EMAIL"
git commit -q --allow-empty -m "n8n-nodes-scenario-video $version" -m "Exported from $source_ref."
git tag -a "v$version" -F "$notes"

if [ "$mode" = --dry-run ]; then
  git show --stat --format='%s%n%b' HEAD | head -40
  echo "push-n8n-export: dry run: would push main and tag v$version to github.com/$repo"
else
  git push -q origin HEAD:main "refs/tags/v$version"
  echo "push-n8n-export: pushed main and v$version to github.com/$repo"
fi
