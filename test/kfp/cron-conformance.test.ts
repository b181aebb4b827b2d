import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, expect, test } from '@jest/globals';
import { nextFireTimes, parseCron } from '../../src/kfp/cron.js';
import { type KfpEmulator, startKfpEmulator } from '../../src/kfp/emulator/server.js';
import { describeWithSharedSets, sharedDir } from '../support/paths.js';
import { pipeline } from './helpers.js';

/**
 * ../shared/kfp-cron/robfig-v1.2.0-corpus.json: 6,546 expressions answered by robfig/cron v1.2.0's own code
 * (parser.go `Parse` through `cron.Parse`, spec.go `SpecSchedule.Next`, constantdelay.go `Next`, UTC), as
 * KFP 2.x validates and fires recurring-run crons. Row: {expr, from, count, ok, error?, next}.
 */
interface Row {
  expr: string;
  from: string;
  count: number;
  ok: boolean;
  error?: string;
  next: string[];
}

describeWithSharedSets('kfp-cron')('src/kfp/cron.ts agrees with robfig/cron v1.2.0 on its whole corpus', () => {
  let rows: Row[] = [];
  beforeAll(() => {
    rows = JSON.parse(fs.readFileSync(path.join(sharedDir, 'kfp-cron', 'robfig-v1.2.0-corpus.json'), 'utf8')).rows;
  });

  test('the corpus is the one described (valid and invalid rows, some that never fire)', () => {
    expect(rows).toHaveLength(6546);
    expect(rows.filter((r) => r.ok).length).toBeGreaterThan(1000);
    expect(rows.filter((r) => !r.ok).length).toBeGreaterThan(1000);
    expect(rows.some((r) => r.ok && r.next.length === 0)).toBe(true);
  });

  test('100 % agreement on validity, error text and every next fire time', () => {
    const mismatches: string[] = [];
    for (const [i, r] of rows.entries()) {
      const p = parseCron(r.expr);
      const where = `row ${i} ${JSON.stringify(r.expr)}`;
      if (p.ok !== r.ok)
        mismatches.push(
          `${where}: robfig ${r.ok ? 'accepts' : `refuses (${r.error})`}, we ${p.ok ? 'accept' : `refuse (${p.error})`}`,
        );
      else if (!p.ok && p.error !== r.error)
        mismatches.push(`${where}: robfig says ${JSON.stringify(r.error)}, we say ${JSON.stringify(p.error)}`);
      else if (p.ok) {
        const got = nextFireTimes(p.schedule, r.count, new Date(r.from)).map((d) => d.toISOString());
        if (got.join() !== r.next.join())
          mismatches.push(`${where} after ${r.from}: robfig [${r.next.join(', ')}], we [${got.join(', ')}]`);
      }
    }
    expect(mismatches).toEqual([]);
  });
});

describeWithSharedSets('kfp-cron')('the KFP emulator accepts exactly the crons robfig accepts, over HTTP', () => {
  let emu: KfpEmulator;
  beforeAll(async () => {
    emu = await startKfpEmulator();
  });
  afterAll(async () => {
    await emu.close();
  });

  test("v1beta1 jobs: 200 for valid crons, 400 with robfig's reason for the others", async () => {
    const rows: Row[] = JSON.parse(
      fs.readFileSync(path.join(sharedDir, 'kfp-cron', 'robfig-v1.2.0-corpus.json'), 'utf8'),
    ).rows;
    // The hand-written edge cases come first in the corpus; then a sample of the seeded random rows.
    const sample = rows.filter((_, i) => i < 300 || i % 12 === 0);
    const post = async (body: unknown) => {
      const res = await fetch(`${emu.url}/apis/v1beta1/jobs`, {
        method: 'POST',
        body: JSON.stringify(body),
        headers: { 'content-type': 'application/json' },
      });
      return { status: res.status, body: (await res.json()) as { message?: string } };
    };
    const exp = (await (
      await fetch(`${emu.url}/apis/v1beta1/experiments`, {
        method: 'POST',
        body: JSON.stringify({
          name: 'cron',
          resource_references: [{ key: { type: 'NAMESPACE', id: 'ns' }, relationship: 'OWNER' }],
        }),
      })
    ).json()) as { id: string };
    const manifest = JSON.stringify(pipeline('v1beta1'));
    const disagreements: string[] = [];
    for (const [i, r] of sample.entries()) {
      const res = await post({
        name: `j${i}`,
        max_concurrency: '1',
        trigger: { cron_schedule: { cron: r.expr } },
        resource_references: [{ key: { type: 'EXPERIMENT', id: exp.id }, relationship: 'OWNER' }],
        pipeline_spec: { workflow_manifest: manifest, parameters: [{ name: 'param1', value: 'a' }] },
      });
      const expected = r.ok ? 200 : 400;
      const reason = `Schedule cron is not a supported format(https://godoc.org/github.com/robfig/cron). Error: ${r.error}`;
      if (res.status !== expected || (!r.ok && !res.body.message?.includes(reason)))
        disagreements.push(`${JSON.stringify(r.expr)}: ${res.status} ${res.body.message ?? ''}`);
    }
    expect(sample.length).toBeGreaterThan(700);
    expect(disagreements).toEqual([]);
    expect(emu.state.jobs.size).toBe(sample.filter((r) => r.ok).length);
  });
});
