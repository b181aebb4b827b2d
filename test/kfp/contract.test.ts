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
      expect(`${r.path}: ${op.parameters.find((p: any) => p.in === 'body').schema.$ref}`).toBe(`${r.path}: #/definitions/${r.body}`);
    }
  });

  test.each([
    ['v1beta1', V1_MESSAGES],
    ['v2beta1', V2_MESSAGES],
  ] as const)('the protojson field tables equal the %s swagger definitions (names, enums)', (version, messages: Messages) => {
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

  test('the checker catches what the description lacks (a field, a query parameter, a route)', () => {
    const contract = new KfpContract();
    const base = { seq: 1, method: 'POST', path: '/apis/v1beta1/jobs', query: {}, status: 200, write: true };
    expect(contract.validate({ ...base, route: 'POST /apis/v1beta1/jobs', requestBody: { name: 'x', invented: 1 } }).join()).toMatch(/request: \/ must NOT have additional properties 'invented'/);
    expect(contract.validate({ ...base, route: 'POST /apis/v1beta1/jobs', responseBody: { id: 'a', max_concurrency: 3 } }).join()).toMatch(/max_concurrency must be string/);
    expect(contract.validate({ ...base, route: 'GET /apis/v1beta1/jobs', method: 'GET', query: { namespace: 'x' } }).join()).toMatch(/query parameter 'namespace' is not described/);
    expect(contract.validate({ ...base, route: 'POST /apis/v1beta1/jobs/{id}:clone' }).join()).toMatch(/not in the official KFP API description/);
  });
});
