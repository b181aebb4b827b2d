import { expect, test } from '@jest/globals';
import { V1_MESSAGES, V2_MESSAGES, type Messages } from '../../src/kfp/emulator/protojson.js';
import { startKfpEmulator } from '../../src/kfp/emulator/server.js';
import { KfpContract, loadSwagger } from '../support/kfp-contract.js';
import { describeWithShared } from '../support/paths.js';

describeWithShared('the emulator against the official KFP 2.17 API description', () => {
  test('every route the emulator serves is in the official description', async () => {
    const emu = await startKfpEmulator();
    const contract = new KfpContract();
    const missing = emu.routes.filter((r) => !contract.operation(r.method, r.path)).map((r) => `${r.method} ${r.path}`);
    await emu.close();
    expect(emu.routes.length).toBeGreaterThan(25);
    expect(missing).toEqual([]);
  });

  test('every request body the emulator decodes uses the official schema name and field set', async () => {
    const emu = await startKfpEmulator();
    await emu.close();
    for (const r of emu.routes.filter((x) => x.body)) {
      const version = r.path.startsWith('/apis/v1beta1') ? 'v1beta1' : 'v2beta1';
      const op = loadSwagger(version).paths[r.path][r.method.toLowerCase()];
      expect(`${r.path}: ${op.parameters.find((p: any) => p.in === 'body').schema.$ref}`).toBe(
        `${r.path}: #/definitions/${r.body}`,
      );
    }
  });

  test.each<['v1beta1' | 'v2beta1', Messages]>([
    ['v1beta1', V1_MESSAGES],
    ['v2beta1', V2_MESSAGES],
  ])('the protojson field tables equal the %s swagger definitions (names, enums)', (version, messages: Messages) => {
    const defs = loadSwagger(version).definitions;
    for (const [name, def] of Object.entries(messages)) {
      const official = defs[name];
      expect([name, Object.keys(def.fields).sort()]).toEqual([name, Object.keys(official?.properties ?? {}).sort()]);
      for (const [field, t] of Object.entries(def.fields)) {
        if (typeof t === 'object' && 'enum' in t) {
          const ref = official.properties[field].$ref.split('/').pop();
          expect([name, field, [...t.enum]]).toEqual([name, field, defs[ref].enum]);
        }
      }
    }
  });

  test('run listings in every state match the description; v1 status only says what it documents', async () => {
    const emu = await startKfpEmulator({ runTiming: { pendingMs: 60_000, runningMs: 60_000 } });
    const exp = emu.state.seedExperiment({ name: 'train', namespace: 'ns' });
    const rec = {
      kind: 'argo' as const,
      manifest: JSON.stringify({ apiVersion: 'argoproj.io/v1alpha1', kind: 'Workflow', spec: {} }),
      parameters: [],
    };
    const at = (msAgo: number) => ({
      createdMs: Date.now() - msAgo,
      createdAt: new Date(Math.floor((Date.now() - msAgo) / 1000) * 1000),
    });
    emu.state.seedRun({ name: 'pending', experimentId: exp.id, pipeline: rec, ...at(0) });
    emu.state.seedRun({ name: 'running', experimentId: exp.id, pipeline: rec, ...at(90_000) });
    emu.state.seedRun({ name: 'succeeded', experimentId: exp.id, pipeline: rec, ...at(600_000) });
    emu.state.seedRun({ name: 'failed', experimentId: exp.id, pipeline: rec, outcome: 'FAILED', ...at(600_000) });
    emu.state.seedRun({ name: 'canceled', experimentId: exp.id, pipeline: rec, canceledAt: new Date(), ...at(90_000) });
    const get = async (p: string) => (await fetch(emu.url + p)).json() as Promise<any>;
    const v1 = await get(
      `/apis/v1beta1/runs?resource_reference_key.type=NAMESPACE&resource_reference_key.id=ns&page_size=2&sort_by=name`,
    );
    const v1rest = await get(
      `/apis/v1beta1/runs?resource_reference_key.type=NAMESPACE&resource_reference_key.id=ns&page_size=10&page_token=${encodeURIComponent(v1.next_page_token)}`,
    );
    const v2 = await get(`/apis/v2beta1/runs?experiment_id=${exp.id}`);
    await emu.close();

    const contract = new KfpContract();
    expect(emu.log.entries.flatMap((e) => contract.validate(e))).toEqual([]);
    expect(new Set(v2.runs.map((r: any) => r.state))).toEqual(
      new Set(['PENDING', 'RUNNING', 'SUCCEEDED', 'FAILED', 'CANCELED']),
    );
    const documented = /One of \[(.*)\]/
      .exec(loadSwagger('v1beta1').definitions.apiRun.properties.status.title)![1]!
      .split(/,\s*/);
    const statuses = [...v1.runs, ...v1rest.runs].map((r: any) => r.status);
    expect(statuses).toHaveLength(5);
    expect(statuses.filter((s: string) => !documented.includes(s))).toEqual([]);
  });

  test('the checker catches what the description lacks (a field, a query parameter, a route)', () => {
    const contract = new KfpContract();
    const base = { seq: 1, method: 'POST', path: '/apis/v1beta1/jobs', query: {}, status: 200, write: true };
    expect(
      contract.validate({ ...base, route: 'POST /apis/v1beta1/jobs', requestBody: { name: 'x', invented: 1 } }).join(),
    ).toMatch(/request: \/ must NOT have additional properties 'invented'/);
    expect(
      contract
        .validate({ ...base, route: 'POST /apis/v1beta1/jobs', responseBody: { id: 'a', max_concurrency: 3 } })
        .join(),
    ).toMatch(/max_concurrency must be string/);
    expect(
      contract.validate({ ...base, route: 'GET /apis/v1beta1/jobs', method: 'GET', query: { namespace: 'x' } }).join(),
    ).toMatch(/query parameter 'namespace' is not described/);
    expect(contract.validate({ ...base, route: 'POST /apis/v1beta1/jobs/{id}:clone' }).join()).toMatch(
      /not in the official KFP API description/,
    );
  });
});
