import { describe, expect, test } from '@jest/globals';
import { v1 } from '../../src/kfp/wire-v1.js';
import { v2 } from '../../src/kfp/wire-v2.js';

/** The state vocabularies of both API versions (KFP 2.17 model.RuntimeState and its ToV1), folded into one. */
describe('run states on the wire', () => {
  test('v1 status strings (KFP 2.x ToV1, and KFP 1.x Argo phases) → normalised states', () => {
    const page = v1.parseRunPage({
      runs: [
        '',
        'Pending',
        'Running',
        'Succeeded',
        'Skipped',
        'Failed',
        'Error',
        'Terminating',
        'Terminated',
        'Unknown',
      ].map((status, i) => ({ id: `r${i}`, status })),
    });
    expect(page.items.map((r) => r.state)).toEqual([
      'PENDING',
      'PENDING',
      'RUNNING',
      'SUCCEEDED',
      'SKIPPED',
      'FAILED',
      'FAILED',
      'CANCELING',
      'CANCELED',
      'UNKNOWN',
    ]);
  });

  test('v2 states → normalised states; an unset state is a run not yet picked up', () => {
    const states = [
      undefined,
      'RUNTIME_STATE_UNSPECIFIED',
      'PENDING',
      'RUNNING',
      'PAUSED',
      'CANCELING',
      'CANCELED',
      'SUCCEEDED',
      'SKIPPED',
      'FAILED',
      'SOMETHING_NEW',
    ];
    const page = v2.parseRunPage({
      runs: states.map((state, i) => ({ run_id: `r${i}`, state })),
      next_page_token: 'tok',
    });
    expect(page.items.map((r) => r.state)).toEqual([
      'PENDING',
      'PENDING',
      'PENDING',
      'RUNNING',
      'PAUSED',
      'CANCELING',
      'CANCELED',
      'SUCCEEDED',
      'SKIPPED',
      'FAILED',
      'UNKNOWN',
    ]);
    expect(page.nextPageToken).toBe('tok');
    expect(v2.parseRunPage({}).items).toEqual([]);
  });

  test('state filters: v2 on its state column (PENDING also matches an unset state), v1 none', () => {
    expect(v2.runStateFilter(['PENDING', 'PAUSED'])).toEqual([
      { key: 'state', op: 'IN', value: ['PENDING', 'RUNTIME_STATE_UNSPECIFIED', 'PAUSED'] },
    ]);
    expect(v2.runStateFilter(['RUNNING', 'UNKNOWN'])).toEqual([]);
    expect(v1.runStateFilter(['PENDING', 'RUNNING'])).toEqual([]);
  });

  test('list requests carry the scope as each version names it', () => {
    const page = { pageSize: 200, sortBy: 'created_at desc' };
    expect(v1.listRuns({ namespace: 'ns' }, page).query).toMatchObject({
      'resource_reference_key.type': 'NAMESPACE',
      'resource_reference_key.id': 'ns',
      sort_by: 'created_at desc',
    });
    expect(v1.listRuns({ experimentId: 'e' }, page).query).toMatchObject({
      'resource_reference_key.type': 'EXPERIMENT',
      'resource_reference_key.id': 'e',
    });
    expect(v2.listRuns({ namespace: 'ns' }, page).query).toMatchObject({ namespace: 'ns' });
    expect(
      v2.listRuns({ experimentId: 'e' }, { ...page, filter: [{ key: 'name', op: 'EQUALS', value: 'x' }] }).query,
    ).toMatchObject({
      experiment_id: 'e',
      // Encoded once more for KFP's second decode (list_request_util.go parseAPIFilter).
      filter: encodeURIComponent(
        JSON.stringify({ predicates: [{ operation: 'EQUALS', key: 'display_name', string_value: 'x' }] }),
      ),
    });
  });
});
