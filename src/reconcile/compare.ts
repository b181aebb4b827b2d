import { differingPaths, withoutKeys } from '../lib/yaml.js';
import type { FieldChange, ScheduleSpec, TriggerSpec, VersionRef } from './types.js';

/** A time as KFP answers it: the zero timestamp (1970-01-01T00:00:00Z) reads as none. */
const stored = (s: number | undefined) => (s === 0 ? undefined : s);

const iso = (s: number | undefined) => (s === undefined ? '(none)' : new Date(s * 1000).toISOString());

function triggerText(t: TriggerSpec): string {
  return t.kind === 'cron' ? `cron "${t.cron}"` : `every ${t.intervalSeconds}s`;
}

/** `train-model@abc1234-20261203T084100Z`, `train-model@newest at each run`, or `inline` for a pipeline in the job. */
export function refText(r: VersionRef | undefined): string {
  if (!r) return 'inline pipeline';
  const version =
    r.versionId === undefined ? 'newest at each run' : r.version || r.versionId || 'the version uploaded now';
  return `${r.pipeline}@${version}`;
}

function nonEmpty(params: Readonly<Record<string, string>>): Record<string, string> {
  return Object.fromEntries(Object.entries(params).filter(([, v]) => v !== ''));
}

/**
 * Field-by-field differences between the newest version and the desired spec, normalised so that
 * an unchanged config yields none: empty parameters dropped (KFP omits them), times in seconds,
 * pipelines compared as data without volatile keys.
 */
export function diffSpecs(actual: ScheduleSpec, desired: ScheduleSpec, ignoreKeys: ReadonlySet<string>): FieldChange[] {
  const changes: FieldChange[] = [];
  const add = (field: string, a: unknown, d: unknown) => changes.push({ field, actual: String(a), desired: String(d) });

  if (actual.description !== desired.description)
    add('description', JSON.stringify(actual.description), JSON.stringify(desired.description));
  if (actual.maxConcurrency !== desired.maxConcurrency)
    add('max_concurrency', actual.maxConcurrency, desired.maxConcurrency);
  if (actual.serviceAccount !== desired.serviceAccount)
    add('service_account', actual.serviceAccount || '(default)', desired.serviceAccount);
  if (actual.catchup !== desired.catchup) add('catchup', actual.catchup, desired.catchup);

  const [ta, td] = [actual.trigger, desired.trigger];
  if (
    ta.kind !== td.kind ||
    (ta.kind === 'cron' && td.kind === 'cron' && ta.cron !== td.cron) ||
    (ta.kind === 'periodic' && td.kind === 'periodic' && ta.intervalSeconds !== td.intervalSeconds)
  ) {
    add('trigger', triggerText(ta), triggerText(td));
  }
  if (stored(ta.start) !== stored(td.start)) add('start_date', iso(stored(ta.start)), iso(stored(td.start)));
  if (stored(ta.end) !== stored(td.end)) add('end_date', iso(stored(ta.end)), iso(stored(td.end)));

  const pa = nonEmpty(actual.parameters);
  const pd = nonEmpty(desired.parameters);
  for (const name of [...new Set([...Object.keys(pa), ...Object.keys(pd)])].sort()) {
    if (pa[name] !== pd[name])
      add(
        `parameters.${name}`,
        pa[name] === undefined ? '(unset)' : JSON.stringify(pa[name]),
        pd[name] === undefined ? '(unset)' : JSON.stringify(pd[name]),
      );
  }

  const [ra, rd] = [actual.pipeline.ref, desired.pipeline.ref];
  if (ra || rd) {
    // A registered pipeline is compared by ids: KFP keeps the reference, not the content.
    if (ra?.pipelineId !== rd?.pipelineId || (ra?.versionId ?? '') !== (rd?.versionId ?? ''))
      add('pipeline_version', refText(ra), refText(rd));
  } else if (actual.pipeline.kind !== desired.pipeline.kind) {
    add('pipeline', `KFP ${actual.pipeline.kind}`, `KFP ${desired.pipeline.kind}`);
    // Observing holds an unchanged pipeline as git's own objects (kfp-adapter observe): nothing to walk then.
  } else if (actual.pipeline.data !== desired.pipeline.data || actual.pipeline.platform !== desired.pipeline.platform) {
    const paths = differingPaths(
      withoutKeys(actual.pipeline.data, ignoreKeys),
      withoutKeys(desired.pipeline.data, ignoreKeys),
      '',
      5,
    );
    if (paths.length) add('pipeline', `differs at ${paths.join(', ')}`, 'as rendered in git');
    const [pa, pd] = [actual.pipeline.platform ?? null, desired.pipeline.platform ?? null];
    const platform = differingPaths(withoutKeys(pa, ignoreKeys), withoutKeys(pd, ignoreKeys), '', 5);
    if (platform.length)
      add(
        'platform_spec',
        pa === null ? '(none)' : `differs at ${platform.join(', ')}`,
        pd === null ? '(none)' : 'as rendered in git',
      );
  }
  return changes;
}
