/**
 * Fault injection. Rules are matched per request, in order; the first rule that fires decides the
 * request's fault (at most one per request). Off by default: with no rules the fake behaves.
 */
import { seededRandom } from './ids.js';
import type { FakeRoute, FaultKind, FaultRule } from './options.js';
import { ROUTES } from './state.js';

/** Kinds that only make sense on some routes; `route: '*'` narrows to these. */
const ONLY_ON: Partial<Record<FaultKind, readonly FakeRoute[]>> = {
  'reset-after-create': ['generate'],
  truncate: ['cdn'],
  'unknown-status': ['getJob', 'listJobs'],
  'expired-url': ['getAsset'],
};
/** Routes that do not answer JSON cannot answer malformed JSON. */
const NOT_ON: Partial<Record<FaultKind, readonly FakeRoute[]>> = {
  'malformed-json': ['cdn', 'putPart'],
};
const KINDS: readonly FaultKind[] = [
  'http-5xx',
  'rate-limit-retry-after',
  'rate-limit-remaining-seconds',
  'rate-limit-action-limit',
  'reset-before-body',
  'reset-after-body',
  'reset-after-create',
  'truncate',
  'slow',
  'unknown-status',
  'malformed-json',
  'expired-url',
];

function applies(kind: FaultKind, route: FakeRoute): boolean {
  const only = ONLY_ON[kind];
  if (only && !only.includes(route)) return false;
  return !NOT_ON[kind]?.includes(route);
}

/** Throws on a rule that could never fire as written, so a test's typo fails loudly. */
export function checkFaultRule(rule: FaultRule): void {
  if (!rule || typeof rule !== 'object') throw new TypeError('a fault rule must be an object');
  if (!KINDS.includes(rule.kind)) throw new TypeError(`unknown fault kind ${JSON.stringify(rule.kind)}`);
  if (rule.route !== '*' && !ROUTES.includes(rule.route)) {
    throw new TypeError(`unknown fault route ${JSON.stringify(rule.route)}`);
  }
  if (rule.route !== '*' && !applies(rule.kind, rule.route)) {
    const only = ONLY_ON[rule.kind];
    throw new TypeError(
      `fault ${rule.kind} does not apply to route ${rule.route}` + (only ? ` (only ${only.join(', ')})` : ''),
    );
  }
  if (rule.rate !== undefined && !(rule.rate >= 0 && rule.rate <= 1))
    throw new TypeError('fault rate must be in [0, 1]');
  if (rule.truncateFraction !== undefined && !(rule.truncateFraction >= 0 && rule.truncateFraction < 1)) {
    throw new TypeError('truncateFraction must be in [0, 1)');
  }
}

interface RuleState {
  rule: FaultRule;
  seen: number;
  hits: number;
}

export class FaultEngine {
  private rules: RuleState[] = [];
  private random: () => number;

  constructor(seed: number) {
    this.random = seededRandom(seed);
  }

  /** Replace the rules (their counters start over) and optionally reseed. */
  configure(rules: FaultRule[], seed?: number): void {
    rules.forEach(checkFaultRule);
    this.rules = rules.map((rule) => ({ rule: { ...rule }, seen: 0, hits: 0 }));
    if (seed !== undefined) this.random = seededRandom(seed);
  }

  /** The fault this request meets, if any; consumes it. */
  pick(route: FakeRoute, id: string | undefined): FaultRule | undefined {
    for (const st of this.rules) {
      const { rule } = st;
      if (rule.route !== '*' && rule.route !== route) continue;
      if (!applies(rule.kind, route)) continue;
      if (rule.id !== undefined && rule.id !== id) continue;
      st.seen++;
      if (st.seen <= (rule.after ?? 0)) continue;
      const fire = rule.rate !== undefined ? this.random() < rule.rate : st.hits < (rule.times ?? 1);
      if (!fire) continue;
      st.hits++;
      return rule;
    }
    return undefined;
  }
}
