import { afterEach } from '@jest/globals';
import fs from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { expect } from '@jest/globals';
import { createKfpClient, type KfpClientOptions } from '../../src/kfp/client.js';
import type { ApiVersion, KfpClient } from '../../src/kfp/types.js';
import { type KfpEmulator, type KfpEmulatorOptions, startKfpEmulator } from '../../src/kfp/emulator/server.js';
import { KfpContract } from '../support/kfp-contract.js';
import { hasShared, sharedDir } from '../support/paths.js';

/** Real pipelines compiled by the KFP SDK: v1 Argo for v1beta1 jobs, v2 IR for v2beta1 recurring runs. */
export function pipeline(version: ApiVersion): Record<string, unknown> {
  const file = version === 'v1beta1' ? 'v1-argo/arguments-parameters.yaml' : 'v2-ir/valid/arguments_parameters.yaml';
  return parse(fs.readFileSync(path.join(sharedDir, 'kfp-pipelines', file), 'utf8'));
}

export interface Harness {
  emu: KfpEmulator;
  client: KfpClient;
  close(): Promise<void>;
}

let contract: KfpContract | undefined;

/**
 * Every exchange in the emulator's log must match the official description. Tests that send
 * deliberately bad requests check the answers only (`requests: false`).
 */
export function expectContract(emu: KfpEmulator, opts: { requests?: boolean } = {}): void {
  if (!hasShared) return;
  contract ??= new KfpContract();
  const entries = emu.log.entries
    .filter((e) => !e.fault && e.status !== 302)
    .map((e) => (opts.requests === false ? { ...e, requestBody: undefined } : e));
  const errors = entries.flatMap((e) => contract!.validate(e));
  expect(errors).toEqual([]);
}

/** Harnesses made during the current test; closed, with their exchanges contract-checked, after it. */
const open: Harness[] = [];

export async function harness(
  apiVersion: ApiVersion,
  emuOpts: KfpEmulatorOptions = {},
  clientOpts: Partial<KfpClientOptions> = {},
  host?: Parameters<typeof createKfpClient>[1],
): Promise<Harness> {
  const emu = await startKfpEmulator(emuOpts);
  const client = createKfpClient(
    { host: emu.url, apiVersion, retry: { baseMs: 5, maxMs: 40 }, timeoutMs: 5000, ...clientOpts },
    host,
  );
  const h = {
    emu,
    client,
    close: async () => {
      client.close();
      await emu.close();
    },
  };
  open.push(h);
  return h;
}

/** Register once per test file: after each test, every harness it made is contract-checked and closed. */
export function checkAndCloseHarnessesAfterEach(): void {
  afterEach(async () => {
    const made = open.splice(0);
    for (const h of made) await h.close();
    for (const h of made) expectContract(h.emu);
  });
}

/** A host that records what the client masks, logs and warns. */
export function recordingHost() {
  const secrets: string[] = [];
  const debugs: string[] = [];
  const warnings: string[] = [];
  return {
    secrets,
    debugs,
    warnings,
    setSecret: (s: string) => void secrets.push(s),
    debug: (m: string) => void debugs.push(m),
    warning: (m: string) => void warnings.push(m),
  };
}
