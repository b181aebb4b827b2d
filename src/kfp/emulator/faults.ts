/**
 * Fault injection for the emulator's API calls: fail the Nth matching call, or a seeded share
 * of calls, with an HTTP error (5xx/429, optional Retry-After), a connection reset or a hang
 * the client must time out, or a slow answer (`delayMs`, then the call is served as usual). `when: 'after'` applies the call first, so the client cannot know
 * whether it happened (the ambiguous case a create must survive without duplicating).
 */
export type FaultKind = { status: number; retryAfterSeconds?: number } | { delayMs: number } | 'reset' | 'timeout';

export interface FaultRule {
  kind: FaultKind;
  when?: 'before' | 'after';
  /** Only calls whose route matches, e.g. 'POST /apis/v1beta1/jobs' (template form) or a prefix of it. */
  route?: string;
  /** Fail the Nth matching call (1-based, counted from when the rule was added)… */
  nth?: number;
  /** …and the next `times - 1` ones too. */
  times?: number;
  /** Or fail this share (0..1) of matching calls, drawn from a seeded generator. */
  rate?: number;
}

export interface Fault {
  kind: FaultKind;
  when: 'before' | 'after';
}

/** mulberry32: a tiny seeded PRNG, so a failing fault test replays exactly. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export class Faults {
  private rules: { rule: FaultRule; seen: number }[] = [];
  private random: () => number;
  /** How many faults were injected. */
  injected = 0;

  constructor(seed = 1) {
    this.random = rng(seed);
  }

  add(rule: FaultRule): this {
    this.rules.push({ rule, seen: 0 });
    return this;
  }

  clear(seed?: number): void {
    this.rules = [];
    if (seed !== undefined) this.random = rng(seed);
  }

  /** The fault for this call, if any rule fires. */
  pick(route: string): Fault | undefined {
    let picked: Fault | undefined;
    // Every matching rule counts the call, so each rule's Nth is independent of the others.
    for (const r of this.rules) {
      if (r.rule.route && !route.startsWith(r.rule.route)) continue;
      r.seen++;
      const { nth, times = 1, rate } = r.rule;
      const fire =
        nth !== undefined ? r.seen >= nth && r.seen < nth + times : rate !== undefined && this.random() < rate;
      if (fire && !picked) picked = { kind: r.rule.kind, when: r.rule.when ?? 'before' };
    }
    if (picked) this.injected++;
    return picked;
  }
}
