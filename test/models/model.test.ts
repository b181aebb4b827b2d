import { describe, expect, test } from '@jest/globals';
import { compareNewestFirst, pinsModel } from '../../src/models/model.js';
import { formatDuration, parseDuration } from '../../src/lib/duration.js';
import { normalizeTime, now } from '../../src/lib/clock.js';
import { parsePointer } from '../../src/models/pointer.js';
import { UserError } from '../../src/lib/errors.js';

const ISO = '2026-01-10T04:00:00.000Z';

describe('normalizeTime', () => {
  test('ms, s, numeric strings and ISO strings give the same instant', () => {
    const ms = Date.parse(ISO);
    for (const v of [
      ms,
      ms / 1000,
      String(ms),
      String(ms / 1000),
      ISO,
      '2026-01-10T04:00:00Z',
      '2026-01-10T06:00:00+02:00',
      '2026-01-10T04:00:00',
    ]) {
      expect(normalizeTime(v)?.toISOString()).toBe(ISO);
    }
  });
  test('non-times are undefined', () => {
    for (const v of ['yesterday', '', null, undefined, -5, 0, {}, '2026-13-45T99:00:00Z'])
      expect(normalizeTime(v)).toBeUndefined();
  });
});

test('newest first: time, then numeric version ("10" after "9")', () => {
  const t = new Date(ISO);
  const ms = [
    { id: 'a', uri: 'a', created: t, version: '9' },
    { id: 'b', uri: 'b', created: t, version: '10' },
    { id: 'c', uri: 'c', created: new Date(t.getTime() + 1), version: '1' },
  ];
  expect(ms.sort(compareNewestFirst).map((m) => m.id)).toEqual(['c', 'b', 'a']);
  expect(pinsModel('b', ms[1]!)).toBe(true);
});

describe('durations and the clock', () => {
  test('parseDuration', () => {
    expect(parseDuration('24h')).toBe(86400);
    expect(parseDuration('7d')).toBe(604800);
    expect(parseDuration('90m')).toBe(5400);
    expect(parseDuration('1d12h')).toBe(129600);
    expect(parseDuration('1w 1d')).toBe(691200);
    // A bare number is seconds (`timeout: 120`), as KFP's *_seconds fields count.
    expect(parseDuration('120', 'timeout')).toBe(120);
    for (const bad of ['0', 'h', '1y', '0h', '-1h', '-5', '']) expect(() => parseDuration(bad)).toThrow(/max-age/);
  });
  test('formatDuration shows the two largest units', () => {
    expect(formatDuration(0)).toBe('0s');
    expect(formatDuration(90061)).toBe('1d 1h');
    expect(formatDuration(5400)).toBe('1h 30m');
    expect(formatDuration(-120)).toBe('-2m');
  });
  test('KFP_GITOPS_NOW pins the clock', () => {
    expect(now({ KFP_GITOPS_NOW: ISO }).toISOString()).toBe(ISO);
    expect(now({ KFP_GITOPS_NOW: String(Date.parse(ISO) / 1000) }).toISOString()).toBe(ISO);
    expect(() => now({ KFP_GITOPS_NOW: 'soon' })).toThrow(/KFP_GITOPS_NOW/);
    expect(Math.abs(now({}).getTime() - Date.now())).toBeLessThan(5000);
  });
});

describe('pointer files', () => {
  test('a single pointer object', () => {
    const { models } = parsePointer(`{"id": "m1", "uri": "gs://b/m1", "created": "${ISO}"}`, 'latest.json');
    expect(models).toEqual([{ id: 'm1', uri: 'gs://b/m1', created: new Date(ISO) }]);
  });
  test('a YAML list, sorted newest first, unfinished entries skipped', () => {
    const { models, skipped } = parsePointer(
      `- {id: old, uri: gs://b/old, created: 1767225600}\n- {id: new, uri: gs://b/new, created: 1767312000000, runId: r2}\n- {id: wip, uri: gs://b/wip, created: 1767398400, status: RUNNING}\n`,
      'models.yaml',
    );
    expect(models.map((m) => m.id)).toEqual(['new', 'old']);
    expect(models[0]!.runId).toBe('r2');
    expect(skipped).toEqual([{ id: 'wip', status: 'RUNNING' }]);
  });
  test('problems are located and suggest the field name', () => {
    let err: UserError | undefined;
    try {
      parsePointer(
        '{"models": [\n  {"id": "a", "uri": "u", "created": "2026-01-01T00:00:00Z"},\n  {"id": "b", "url": "u2", "created": "later"}\n]}',
        'trained.json',
      );
    } catch (e) {
      err = e as UserError;
    }
    expect(err).toBeInstanceOf(UserError);
    const msgs = err!.diagnostics.map((d) => `${d.location?.line}: ${d.message}`);
    expect(msgs).toEqual([
      "3: Model entry has no 'uri'. Did you mean 'url'?",
      '3: \'created\' is not a time: "later".',
    ]);
  });
  test('empty or wrong-shaped input', () => {
    expect(() => parsePointer('  ', 'x.json')).toThrow(/empty/);
    expect(() => parsePointer('42', 'x.json')).toThrow(/Expected a model object/);
  });
});
