import { UserError } from './errors.js';

const UNIT_SECONDS: Record<string, number> = { w: 604800, d: 86400, h: 3600, m: 60, s: 1 };

/**
 * Durations in inputs (`max-age`, `timeout`, `poll-interval`): `24h`, `7d`, `90m`, `1d12h`, `2w`, or a bare
 * number of seconds (`timeout: 120`, as KFP's and Kubernetes' *_seconds fields count). Hand-written rather
 * than `ms` or `parse-duration` because those read a bare `24` as 24 milliseconds.
 */
export function parseDuration(text: string, input = 'max-age'): number {
  const value = text.trim().replace(/\s+/g, '');
  if (/^\d+(\.\d+)?$/.test(value) && Number(value) > 0) return Number(value);
  if (!/^(\d+(\.\d+)?[wdhms])+$/.test(value)) {
    throw new UserError(
      `Input '${input}' must be a duration such as 24h, 7d, 90m or 1d12h (units w, d, h, m, s), or a number of seconds; got "${text}".`,
    );
  }
  let seconds = 0;
  for (const m of value.matchAll(/(\d+(?:\.\d+)?)([wdhms])/g)) seconds += Number(m[1]) * UNIT_SECONDS[m[2]!]!;
  if (seconds <= 0) throw new UserError(`Input '${input}' must be longer than zero; got "${text}".`);
  return seconds;
}

/** `2d 3h`, `45m`, `12s`: the two largest units, for logs and summaries. */
export function formatDuration(totalSeconds: number): string {
  const sign = totalSeconds < 0 ? '-' : '';
  let rest = Math.round(Math.abs(totalSeconds));
  const parts: string[] = [];
  for (const [unit, size] of Object.entries(UNIT_SECONDS)) {
    if (unit === 'w') continue;
    const n = Math.floor(rest / size);
    rest -= n * size;
    if (n > 0 || (unit === 's' && parts.length === 0)) parts.push(`${n}${unit}`);
  }
  return sign + parts.slice(0, 2).join(' ');
}

/** "1 d 1 h 1 min 1 s": every unit, for schedules shown in words. */
export function formatDurationExact(seconds: number): string {
  const parts: string[] = [];
  let rest = seconds;
  for (const [unit, size] of [
    ['d', 86400],
    ['h', 3600],
    ['min', 60],
    ['s', 1],
  ] as const) {
    if (rest >= size) {
      parts.push(`${Math.floor(rest / size)} ${unit}`);
      rest %= size;
    }
  }
  return parts.join(' ') || '0 s';
}
