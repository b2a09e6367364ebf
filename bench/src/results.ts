/** Rows of `bench/results.json` and the printed table. */
export interface Row {
  metric: string;
  unit: string;
  /** Our figure (null when not measured). */
  ours: number | null;
  /** The baseline measured in the same run. */
  baseline: number | null;
  /** ours ÷ baseline. */
  ratio: number | null;
  /** Human-readable target, e.g. "ours ≤ 1.10"; null for figures reported without a target. */
  target: string | null;
  /** Whether the target is met (null: no target, or not measured). */
  pass: boolean | null;
  note?: string;
}

export const row = (
  metric: string,
  unit: string,
  ours: number | null,
  baseline: number | null,
  target?: { of: 'ours' | 'ratio'; op: '<=' | '>='; value: number },
  note?: string,
): Row => {
  const ratio = ours !== null && baseline !== null && baseline !== 0 ? ours / baseline : null;
  let pass: boolean | null = null;
  let targetText: string | null = null;
  if (target) {
    targetText = `${target.of} ${target.op === '<=' ? '≤' : '≥'} ${target.value}`;
    const v = target.of === 'ours' ? ours : ratio;
    if (v !== null) pass = target.op === '<=' ? v <= target.value : v >= target.value;
  }
  return { metric, unit, ours, baseline, ratio, target: targetText, pass, ...(note ? { note } : {}) };
};

export const notMeasured = (metric: string, unit: string, target: string, why: string): Row => ({
  metric,
  unit,
  ours: null,
  baseline: null,
  ratio: null,
  target,
  pass: null,
  note: `not measured: ${why}`,
});

const fmt = (v: number | null): string => {
  if (v === null) return '—';
  const a = Math.abs(v);
  if (a >= 100) return v.toFixed(0);
  if (a >= 10) return v.toFixed(1);
  return v.toFixed(2);
};

export function formatTable(rows: Row[]): string {
  const head = ['metric', 'unit', 'ours', 'baseline', 'ratio', 'target', 'pass'];
  const body = rows.map((r) => [
    r.metric,
    r.unit,
    fmt(r.ours),
    fmt(r.baseline),
    fmt(r.ratio),
    r.target ?? '',
    r.pass === null ? (r.note?.startsWith('not measured') ? 'n/a' : '') : r.pass ? 'yes' : 'NO',
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i]!)).join('  ');
  const notes = rows.filter((r) => r.note).map((r) => `  ${r.metric}: ${r.note}`);
  return [
    line(head),
    line(widths.map((w) => '-'.repeat(w))),
    ...body.map(line),
    ...(notes.length ? ['', ...notes] : []),
  ].join('\n');
}
