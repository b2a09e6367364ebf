/** Edit distance (insertions, deletions, substitutions), to suggest the flag or command a user meant. */
export function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    previous = current;
  }
  return previous[b.length]!;
}

/**
 * The candidate closest to `typed`, when it is close enough to be what was meant: a typo (at most a
 * third of the word changed), or a word that starts the same way (`--dry` for `--dry-run`).
 */
export function closest(typed: string, candidates: readonly string[]): string | undefined {
  const word = typed.toLowerCase();
  let best: { name: string; distance: number } | undefined;
  for (const name of candidates) {
    const distance = editDistance(word, name.toLowerCase());
    if (best === undefined || distance < best.distance) best = { name, distance };
  }
  const bare = (s: string) => s.replace(/^-+/, '');
  if (best !== undefined && best.distance <= Math.max(1, Math.floor(bare(word).length / 3))) return best.name;
  const prefixed = candidates.filter((c) => bare(word).length >= 2 && bare(c).startsWith(bare(word)));
  return prefixed.length === 1 ? prefixed[0] : undefined;
}
