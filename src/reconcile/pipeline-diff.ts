import { isDeepStrictEqual } from 'node:util';
import { withoutKeys } from '../lib/yaml.js';

/**
 * What changed inside a pipeline between two compiled versions, in words a reviewer reads: components
 * added or removed, container images changed, inputs added, removed or with a new default, platform spec
 * changed. KFP v2 IR is read structurally; an Argo (v1) workflow by its templates.
 */
export interface PipelineContent {
  data: unknown;
  platform?: unknown;
}

type Obj = Record<string, unknown>;
const obj = (v: unknown): Obj => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Obj) : {});

/** Component (v2) or template (v1) name → the images it runs. */
function images(data: unknown): Map<string, string> {
  const d = obj(data);
  const out = new Map<string, string>();
  if (d.kind === 'Workflow') {
    for (const t of (obj(d.spec).templates as unknown[] | undefined) ?? []) {
      const image = obj(obj(t).container).image ?? obj(obj(t).script).image;
      out.set(String(obj(t).name), typeof image === 'string' ? image : '');
    }
    return out;
  }
  const executors = obj(obj(d.deploymentSpec).executors);
  for (const [name, c] of Object.entries(obj(d.components))) {
    const label = obj(executors[String(obj(c).executorLabel)]);
    const image = obj(label.container).image;
    out.set(name, typeof image === 'string' ? image : '');
  }
  return out;
}

/** Pipeline input → its default (JSON text, or undefined when it has none). */
function inputs(data: unknown): Map<string, string | undefined> {
  const d = obj(data);
  const out = new Map<string, string | undefined>();
  if (d.kind === 'Workflow') {
    for (const p of (obj(obj(d.spec).arguments).parameters as unknown[] | undefined) ?? [])
      out.set(String(obj(p).name), obj(p).value === undefined ? undefined : JSON.stringify(obj(p).value));
    return out;
  }
  const defs = obj(obj(obj(d.root).inputDefinitions).parameters);
  for (const [name, def] of Object.entries(defs))
    out.set(name, obj(def).defaultValue === undefined ? undefined : JSON.stringify(obj(def).defaultValue));
  for (const name of Object.keys(obj(obj(obj(d.root).inputDefinitions).artifacts))) out.set(name, undefined);
  return out;
}

const sorted = (xs: Iterable<string>) => [...xs].sort();

/** One line per difference; [] when equal after removing `ignoreKeys` (volatile compile metadata). */
export function pipelineDiff(
  before: PipelineContent,
  after: PipelineContent,
  ignoreKeys: ReadonlySet<string>,
): string[] {
  const a = withoutKeys(before.data, ignoreKeys);
  const b = withoutKeys(after.data, ignoreKeys);
  const pa = withoutKeys(before.platform ?? null, ignoreKeys);
  const pb = withoutKeys(after.platform ?? null, ignoreKeys);
  if (isDeepStrictEqual(a, b) && isDeepStrictEqual(pa, pb)) return [];
  const lines: string[] = [];
  const [ia, ib] = [images(a), images(b)];
  const added = sorted([...ib.keys()].filter((k) => !ia.has(k)));
  const removed = sorted([...ia.keys()].filter((k) => !ib.has(k)));
  if (added.length) lines.push(`components added: ${added.join(', ')}`);
  if (removed.length) lines.push(`components removed: ${removed.join(', ')}`);
  for (const name of sorted(ib.keys())) {
    if (ia.has(name) && ia.get(name) !== ib.get(name))
      lines.push(`image of ${name}: ${ia.get(name) || '(none)'} → ${ib.get(name) || '(none)'}`);
  }
  const [na, nb] = [inputs(a), inputs(b)];
  const inAdded = sorted([...nb.keys()].filter((k) => !na.has(k)));
  const inRemoved = sorted([...na.keys()].filter((k) => !nb.has(k)));
  if (inAdded.length) lines.push(`inputs added: ${inAdded.join(', ')}`);
  if (inRemoved.length) lines.push(`inputs removed: ${inRemoved.join(', ')}`);
  for (const name of sorted(nb.keys())) {
    if (na.has(name) && na.get(name) !== nb.get(name))
      lines.push(`default of input ${name}: ${na.get(name) ?? '(none)'} → ${nb.get(name) ?? '(none)'}`);
  }
  if (!isDeepStrictEqual(pa, pb)) lines.push('platform spec changed');
  // Anything else (a command, an argument, the DAG): say so rather than claim it is equal.
  if (!lines.length || (lines.length === 1 && lines[0] === 'platform spec changed' && !isDeepStrictEqual(a, b)))
    lines.push('pipeline definition changed (commands, arguments or the DAG)');
  return lines;
}
