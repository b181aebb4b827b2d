import { expect, test } from '@jest/globals';
import { retryAfterMs } from '../../src/kfp/http.js';
import { planMarkdown } from '../../src/reconcile/report.js';
import { describeWithShared } from '../support/paths.js';
import { type Harness, checkAndCloseHarnessesAfterEach, harness } from './helpers.js';

let h: Harness | undefined;
checkAndCloseHarnessesAfterEach();

describeWithShared('gentle with the server: retry budget and retry counts', () => {
  test('retries are counted per call kind and reported in the plan', async () => {
    h = await harness('v2beta1');
    h.emu.faults.add({ route: 'GET /apis/v2beta1/experiments', nth: 1, times: 2, kind: { status: 503 } });
    h.emu.faults.add({ route: 'GET /apis/v2beta1/recurringruns', nth: 1, kind: 'reset' });
    h.emu.faults.add({ route: 'GET /apis/v2beta1/recurringruns', nth: 2, kind: { status: 429, retryAfterSeconds: 0 } });
    h.emu.faults.add({ route: 'GET /apis/v2beta1/healthz', nth: 1, kind: { status: 503 } });
    await h.client.listExperiments('ns');
    await h.client.listRecurringRuns({ namespace: 'ns' });
    await h.client.healthz();
    expect(h.client.retries()).toEqual({ GetHealthz: 1, ListExperiments: 2, ListRecurringRuns: 2 });
    const md = planMarkdown([], { mode: 'plan', retries: h.client.retries() });
    expect(md).toContain(
      'Retried KFP calls (429/5xx answers, connection resets): GetHealthz ×1, ListExperiments ×2, ListRecurringRuns ×2.',
    );
    expect(planMarkdown([], { mode: 'plan', retries: {} })).not.toContain('Retried');
  });

  test('no call retries past the budget: a Retry-After that would end after it fails the call at once', async () => {
    h = await harness('v1beta1', {}, { retry: { baseMs: 5, maxMs: 40, budgetMs: 1500 } });
    h.emu.faults.add({ route: 'GET /apis/v1beta1/healthz', rate: 1, kind: { status: 503, retryAfterSeconds: 1 } });
    await expect(h.client.healthz()).rejects.toThrow(
      /HTTP 503 .*after 2 attempts; waiting 1 s more would pass the retry budget of 1.5 s/,
    );
    expect(h.emu.log.calls).toBe(2);
    expect(h.client.retries()).toEqual({ GetHealthz: 1 });
  });

  test('the client never has more than maxParallelRequests requests in flight, retries included', async () => {
    h = await harness('v2beta1', { latencyMs: 30 }, { maxParallelRequests: 2 });
    h.emu.faults.add({ route: 'GET /apis/v2beta1/experiments', rate: 0.3, kind: { status: 503 } });
    await Promise.all(Array.from({ length: 12 }, (_, i) => h!.client.listExperiments(`ns-${i}`)));
    expect(h.emu.peakInFlight).toBeGreaterThan(0);
    expect(h.emu.peakInFlight).toBeLessThanOrEqual(2);
  });

  test('a create refused with 429 is retried after Retry-After and made once', async () => {
    h = await harness('v1beta1');
    h.emu.faults.add({ route: 'POST /apis/v1beta1/experiments', nth: 1, kind: { status: 429, retryAfterSeconds: 0 } });
    h.emu.faults.add({ route: 'POST /apis/v1beta1/experiments', nth: 2, kind: { status: 503 }, when: 'after' });
    const exp = await h.client.createExperiment({ name: 'e', namespace: 'ns' });
    expect([...h.emu.state.experiments.values()].filter((e) => e.name === 'e').map((e) => e.id)).toEqual([exp.id]);
    expect(h.client.retries()).toEqual({ CreateExperiment: 1 });
  });
});

test('Retry-After is read as seconds or as an HTTP date', () => {
  const now = Date.parse('2026-01-01T00:00:00Z');
  expect(retryAfterMs('3', now)).toBe(3000);
  expect(retryAfterMs('Thu, 01 Jan 2026 00:00:05 GMT', now)).toBe(5000);
  expect(retryAfterMs('Wed, 31 Dec 2025 23:59:00 GMT', now)).toBe(0);
  expect(retryAfterMs('soon', now)).toBeUndefined();
});
