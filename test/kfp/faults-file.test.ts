import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect, test } from '@jest/globals';
import { loadFaultsFile, parseFaultsFile } from '../../src/kfp/emulator/faults-file.js';
import { startKfpEmulator } from '../../src/kfp/emulator/server.js';
import { describeWithShared } from '../support/paths.js';
import { type Harness, checkAndCloseHarnessesAfterEach, harness } from './helpers.js';

let h: Harness | undefined;
checkAndCloseHarnessesAfterEach();

const FILE = `seed: 7
rules:
  - {fault: 503, rate: 0.1}
  - {fault: 429, rate: 0.01, retry-after: 1, route: GET /apis/v2beta1/recurringruns}
  - {fault: reset, rate: 0.02, when: after}
  - {fault: slow, rate: 0.05, delay-ms: 20}
`;

test('a faults file: seed and per-route rules of statuses, Retry-After, resets and slow answers', () => {
  expect(parseFaultsFile(FILE, 'faults.yaml')).toEqual({
    seed: 7,
    rules: [
      { kind: { status: 503, retryAfterSeconds: undefined }, rate: 0.1, route: undefined, when: undefined },
      {
        kind: { status: 429, retryAfterSeconds: 1 },
        rate: 0.01,
        route: 'GET /apis/v2beta1/recurringruns',
        when: undefined,
      },
      { kind: 'reset', rate: 0.02, route: undefined, when: 'after' },
      { kind: { delayMs: 20 }, rate: 0.05, route: undefined, when: undefined },
    ],
  });
});

test.each([
  [
    'seed: 1\nrules:\n  - {fault: 418, rate: 0.1}\n',
    /faults.yaml:3:\d+: `fault` of rule 1 must be 429, 500, 502, 503, 504, reset, timeout or slow \(got 418\)/,
  ],
  ['rules:\n  - fault: 503\n    rate: 2\n', /faults.yaml:3:\d+: `rate` of rule 1 must be a number from 0 to 1/],
  ['rules:\n  - {fault: slow, rate: 0.1}\n', /faults.yaml:2:\d+: Rule 1 \(slow\) needs `delay-ms`/],
  [
    'rules:\n  - {fault: reset, rate: 0.1, retry-after: 1}\n',
    /faults.yaml:2:\d+: `retry-after` of rule 1 goes with an HTTP status fault/,
  ],
  ['rules:\n  - {fault: 503, rate: 0.1, often: yes}\n', /faults.yaml:2:\d+: Unknown key `often` in rule 1/],
  ['seed: x\nrules: []\n', /faults.yaml:1:\d+: `seed` must be a whole number/],
  ['rule: []\n', /faults.yaml:1:\d+: Unknown key `rule`/],
])('a bad faults file is refused with its line and the fix (%#)', (text, message) => {
  expect(() => parseFaultsFile(text, 'faults.yaml')).toThrow(message);
  expect(() => parseFaultsFile(text, 'faults.yaml')).toThrow(/Fix: write `seed: <n>` and `rules:`/);
});

test('a missing faults file is named', () => {
  expect(() => loadFaultsFile('/nonexistent/faults.yaml')).toThrow(
    /--faults file '\/nonexistent\/faults.yaml' cannot be read \(ENOENT\)/,
  );
});

describeWithShared('the emulator with a faults file', () => {
  test('the same seed injects the same faults; slow answers are served', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kfp-faults-'));
    const file = path.join(dir, 'faults.yaml');
    fs.writeFileSync(
      file,
      'seed: 3\nrules:\n  - {fault: 503, rate: 0.3, route: GET /apis/v2beta1/healthz}\n  - {fault: slow, rate: 0.3, delay-ms: 5}\n',
    );
    const sequence = async () => {
      const emu = await startKfpEmulator({ faultRules: loadFaultsFile(file) });
      const statuses: number[] = [];
      for (let i = 0; i < 30; i++) statuses.push((await fetch(`${emu.url}/apis/v2beta1/healthz`)).status);
      await emu.close();
      return { statuses, injected: emu.faults.injected };
    };
    const a = await sequence();
    const b = await sequence();
    expect(a).toEqual(b);
    expect(a.statuses).toContain(503);
    expect(a.statuses).toContain(200);
    // Slow answers count as injected faults but are answered normally.
    expect(a.injected).toBeGreaterThan(a.statuses.filter((s) => s === 503).length);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  test('the emulator counts requests in flight and their peak', async () => {
    h = await harness('v2beta1', { latencyMs: 100 });
    expect(h.emu.peakInFlight).toBe(0);
    await Promise.all(Array.from({ length: 6 }, () => h!.client.listExperiments('ns')));
    expect(h.emu.peakInFlight).toBeGreaterThan(1);
    expect(h.emu.peakInFlight).toBeLessThanOrEqual(6);
  });
});
