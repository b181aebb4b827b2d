import fs from 'node:fs';
import { UserError } from '../../lib/errors.js';
import { isPlainObject, locate, parseYaml, toData } from '../../lib/yaml.js';
import type { FaultKind, FaultRule } from './faults.js';

/**
 * The emulator's `--faults FILE`: seeded shares of failing or slow answers, per route, for tests and
 * for trying a reconcile against a struggling server.
 *
 *   seed: 42                      # same seed, same faults (default 1)
 *   rules:
 *     - fault: 503                # an HTTP status (429, 500, 502, 503, 504), reset, timeout or slow
 *       rate: 0.1                 # share of matching calls, 0..1
 *       route: GET /apis/v2beta1/recurringruns   # optional: a prefix of "METHOD /path/{template}"
 *       retry-after: 1            # optional, with a status: Retry-After in seconds
 *       delay-ms: 2000            # slow only: the answer comes this much later
 *       when: before              # or after: the call is applied, then the fault answers
 */
export interface FaultsFile {
  seed: number;
  rules: FaultRule[];
}

const FIX =
  'write `seed: <n>` and `rules:` as a list of `{fault: 503|429|500|502|504|reset|timeout|slow, rate: 0..1, route?, retry-after?, delay-ms?, when?: before|after}`.';
const KEYS = new Set(['fault', 'rate', 'route', 'retry-after', 'delay-ms', 'when']);

export function parseFaultsFile(text: string, file: string): FaultsFile {
  const yf = parseYaml(text, file);
  const bad = (message: string, at: (string | number)[]) => UserError.at(message, locate(yf, at), FIX);
  const data = toData(yf);
  if (!isPlainObject(data)) throw bad('The faults file must be a map with `seed` and `rules`.', []);
  for (const k of Object.keys(data))
    if (k !== 'seed' && k !== 'rules') throw bad(`Unknown key \`${k}\` in the faults file.`, [k]);
  const seed = data.seed ?? 1;
  if (!Number.isInteger(seed)) throw bad('`seed` must be a whole number.', ['seed']);
  if (!Array.isArray(data.rules))
    throw bad('`rules` must be a list of fault rules.', data.rules === undefined ? [] : ['rules']);
  const rules = data.rules.map((r: unknown, i: number): FaultRule => {
    const at = (key?: string) => (key ? ['rules', i, key] : ['rules', i]);
    if (!isPlainObject(r)) throw bad(`Rule ${i + 1} must be a map.`, at());
    for (const k of Object.keys(r)) if (!KEYS.has(k)) throw bad(`Unknown key \`${k}\` in rule ${i + 1}.`, at(k));
    const rate = r.rate;
    if (typeof rate !== 'number' || rate < 0 || rate > 1)
      throw bad(
        `\`rate\` of rule ${i + 1} must be a number from 0 to 1.`,
        at(r.rate === undefined ? undefined : 'rate'),
      );
    if (r.route !== undefined && typeof r.route !== 'string')
      throw bad(`\`route\` of rule ${i + 1} must be text such as 'GET /apis/v2beta1/recurringruns'.`, at('route'));
    if (r.when !== undefined && r.when !== 'before' && r.when !== 'after')
      throw bad(`\`when\` of rule ${i + 1} must be before or after.`, at('when'));
    const wholeMs = (key: string) => {
      const v = r[key];
      if (v !== undefined && (!Number.isInteger(v) || (v as number) < 0))
        throw bad(`\`${key}\` of rule ${i + 1} must be a whole number ≥ 0.`, at(key));
      return v as number | undefined;
    };
    const retryAfter = wholeMs('retry-after');
    const delayMs = wholeMs('delay-ms');
    let kind: FaultKind;
    if (r.fault === 'reset' || r.fault === 'timeout') kind = r.fault;
    else if (r.fault === 'slow') {
      if (delayMs === undefined) throw bad(`Rule ${i + 1} (slow) needs \`delay-ms\`.`, at());
      kind = { delayMs };
    } else if (typeof r.fault === 'number' && [429, 500, 502, 503, 504].includes(r.fault))
      kind = { status: r.fault, retryAfterSeconds: retryAfter };
    else
      throw bad(
        `\`fault\` of rule ${i + 1} must be 429, 500, 502, 503, 504, reset, timeout or slow (got ${JSON.stringify(r.fault ?? null)}).`,
        at(r.fault === undefined ? undefined : 'fault'),
      );
    if (retryAfter !== undefined && !(typeof kind === 'object' && 'status' in kind))
      throw bad(`\`retry-after\` of rule ${i + 1} goes with an HTTP status fault.`, at('retry-after'));
    if (delayMs !== undefined && !(typeof kind === 'object' && 'delayMs' in kind))
      throw bad(`\`delay-ms\` of rule ${i + 1} goes with fault: slow.`, at('delay-ms'));
    return { kind, rate, route: r.route as string | undefined, when: r.when as 'before' | 'after' | undefined };
  });
  return { seed: seed as number, rules };
}

export function loadFaultsFile(file: string): FaultsFile {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    throw new UserError(
      `--faults file '${file}' cannot be read (${(err as NodeJS.ErrnoException).code ?? (err as Error).message}).`,
    );
  }
  return parseFaultsFile(text, file);
}
