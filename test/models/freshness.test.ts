import { describe, expect, test } from '@jest/globals';
import { decideFreshness } from '../../src/models/freshness.js';
import { inFlightFromStates, parseInFlightCheck, statesFromOutput } from '../../src/models/in-flight.js';

const now = new Date('2026-01-10T00:00:00Z');
const model = (hoursAgo: number) => ({
  id: 'm',
  uri: 'gs://m',
  created: new Date(now.getTime() - hoursAgo * 3600_000),
});
const DAY = 86400;

describe('decideFreshness', () => {
  test('no model: retrain', () => {
    const d = decideFreshness({ now, maxAgeSeconds: DAY });
    expect(d).toMatchObject({ needsRetrain: true, reason: 'no-model' });
    expect(d).not.toHaveProperty('ageSeconds');
  });
  test('within the window, at the boundary, and past it', () => {
    expect(decideFreshness({ newest: model(23), now, maxAgeSeconds: DAY })).toMatchObject({
      needsRetrain: false,
      reason: 'fresh',
      ageSeconds: 23 * 3600,
    });
    expect(decideFreshness({ newest: model(24), now, maxAgeSeconds: DAY })).toMatchObject({
      needsRetrain: false,
      reason: 'fresh',
    });
    const old = decideFreshness({ newest: model(49), now, maxAgeSeconds: DAY });
    expect(old).toMatchObject({ needsRetrain: true, reason: 'too-old', ageSeconds: 49 * 3600 });
    expect(old.explanation).toBe('The newest model m is 2d 1h old, older than max-age 1d.');
  });
  test('training in flight suppresses a retrain, but only when one would be needed', () => {
    const busy = { active: true, detail: '1 active: running' };
    expect(decideFreshness({ newest: model(49), now, maxAgeSeconds: DAY, inFlight: busy })).toMatchObject({
      needsRetrain: false,
      reason: 'training-in-flight',
    });
    expect(decideFreshness({ now, maxAgeSeconds: DAY, inFlight: busy })).toMatchObject({
      needsRetrain: false,
      reason: 'training-in-flight',
    });
    expect(decideFreshness({ newest: model(1), now, maxAgeSeconds: DAY, inFlight: busy }).reason).toBe('fresh');
  });
  test('a creation time in the future (clock skew) counts as age 0 and is reported', () => {
    expect(decideFreshness({ newest: model(-2), now, maxAgeSeconds: DAY })).toMatchObject({
      needsRetrain: false,
      ageSeconds: 0,
      clockSkewSeconds: 7200,
    });
  });
});

describe('in-flight check', () => {
  test('states from JSON (gh, kubectl, KFP API) or words', () => {
    expect(statesFromOutput('[{"status":"in_progress","name":"train running"},{"status":"completed"}]')).toEqual([
      'in_progress',
      'completed',
    ]);
    expect(statesFromOutput('{"runs":[{"state":"RUNNING"},{"state":"SUCCEEDED","display_name":"queued"}]}')).toEqual([
      'RUNNING',
      'SUCCEEDED',
    ]);
    expect(statesFromOutput('{"items":[{"status":{"phase":"Pending"}}]}')).toEqual(['Pending']);
    expect(statesFromOutput('Running Succeeded\n')).toEqual(['Running', 'Succeeded']);
    expect(statesFromOutput('["queued"]')).toEqual(['queued']);
    expect(statesFromOutput('')).toEqual([]);
  });
  test('active states', () => {
    expect(inFlightFromStates(['Succeeded', 'Running', 'queued'])).toEqual({
      active: true,
      detail: '2 active: running, queued',
    });
    expect(inFlightFromStates(['in progress'])).toMatchObject({ active: true });
    expect(inFlightFromStates(['SUCCEEDED', 'FAILED'])).toEqual({
      active: false,
      detail: 'no active state among: SUCCEEDED, FAILED',
    });
    expect(inFlightFromStates([])).toEqual({ active: false, detail: 'nothing reported' });
  });
  test('the check is a KFP experiment or a command', () => {
    expect(parseInFlightCheck('command: gh run list')).toEqual({ kind: 'command', command: 'gh run list' });
    expect(parseInFlightCheck(' kfp-experiment: churn training ')).toEqual({
      kind: 'kfp-experiment',
      experiment: 'churn training',
    });
    expect(() => parseInFlightCheck('comand:x')).toThrow(/Did you mean 'command'/);
    expect(() => parseInFlightCheck('kfp-experimnt:train')).toThrow(
      /Did you mean 'kfp-experiment'\?.*Fix: use kfp-experiment:<experiment name>/,
    );
    expect(() => parseInFlightCheck('kfp-experiment:')).toThrow(/is not understood/);
    expect(() => parseInFlightCheck('train.yml')).toThrow(/Fix: use kfp-experiment:/);
  });
});
