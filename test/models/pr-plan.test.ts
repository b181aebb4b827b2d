import { describe, expect, test } from '@jest/globals';
import { planModelPr, type ModelPrPlanInput } from '../../src/models/pr-plan.js';
import { CLOSED_BY_ACTION } from '../../src/models/lineage.js';
import { blobSha, treeSha, treeShaWithBlob } from '../../src/models/git-objects.js';

const want = { title: 'Update model to v2', body: 'body v2', labels: ['model-update'] };
const pr = { number: 7, title: want.title, body: want.body, headSha: 'h1', labels: ['model-update'] };
const base: ModelPrPlanInput = { current: 'v1', desired: 'v2', expectedTree: 'T2', want };

describe('planModelPr', () => {
  test('no branch, no PR: push and create', () => {
    expect(planModelPr(base)).toMatchObject({
      operation: 'created',
      push: true,
      pr: { action: 'create' },
      addLabels: ['model-update'],
    });
  });
  test('open PR with the same tree and metadata: nothing at all', () => {
    expect(planModelPr({ ...base, branch: { sha: 'h1', tree: 'T2' }, openPr: pr })).toMatchObject({
      operation: 'none',
      push: false,
      pr: { action: 'keep', number: 7 },
      addLabels: [],
    });
  });
  test('open PR, newer model: push and update title/body', () => {
    const p = planModelPr({
      ...base,
      desired: 'v3',
      expectedTree: 'T3',
      want: { ...want, title: 'Update model to v3', body: 'body v3' },
      branch: { sha: 'h1', tree: 'T2' },
      openPr: pr,
    });
    expect(p).toMatchObject({
      operation: 'updated',
      push: true,
      pr: { action: 'update', number: 7, title: 'Update model to v3', body: 'body v3' },
    });
  });
  test('open PR, same tree, new body (e.g. a new gate report): update the body only', () => {
    expect(planModelPr({ ...base, branch: { sha: 'h1', tree: 'T2' }, openPr: { ...pr, body: 'old' } })).toMatchObject({
      operation: 'updated',
      push: false,
      pr: { action: 'update', number: 7, body: 'body v2' },
    });
  });
  test('base moved on: the branch is rebuilt even for the same model', () => {
    expect(planModelPr({ ...base, expectedTree: 'T2b', branch: { sha: 'h1', tree: 'T2' }, openPr: pr })).toMatchObject({
      operation: 'updated',
      push: true,
      pr: { action: 'keep' },
    });
  });
  test('base caught up: close the open PR, or do nothing', () => {
    expect(planModelPr({ ...base, current: 'v2', openPr: pr })).toMatchObject({
      operation: 'closed',
      pr: { action: 'close', number: 7 },
      push: false,
    });
    expect(planModelPr({ ...base, current: 'v2' })).toMatchObject({
      operation: 'none',
      pr: { action: 'none' },
      push: false,
    });
  });
  test("a PR a person closed rejects its model, whatever the branch; the action's own close does not", () => {
    const lineage = { id: 'm2', uri: 'v2' };
    const closed = { ...pr, headSha: 'h1', merged: false, lineage };
    expect(planModelPr({ ...base, closedPrs: [closed] })).toMatchObject({
      operation: 'none',
      push: false,
      pr: { action: 'none' },
    });
    expect(planModelPr({ ...base, desired: 'v3', expectedTree: 'T3', closedPrs: [closed] })).toMatchObject({
      operation: 'created',
      push: true,
    });
    expect(planModelPr({ ...base, closedPrs: [{ ...closed, body: `${CLOSED_BY_ACTION}\n${pr.body}` }] })).toMatchObject(
      { operation: 'created' },
    );
    expect(planModelPr({ ...base, closedPrs: [{ ...closed, labels: ['Reconsider'] }] })).toMatchObject({
      operation: 'created',
    });
    expect(planModelPr({ ...base, closedPrs: [closed], reconsiderRejected: true })).toMatchObject({
      operation: 'created',
    });
    // merged, and base no longer pins it: reverted
    expect(planModelPr({ ...base, closedPrs: [{ ...closed, merged: true }] }).why).toContain(
      'merged and then reverted',
    );
  });
  test('the branch must be exactly one commit on the base head: a rewritten base with the same tree rebuilds it', () => {
    const branch = { sha: 'h1', tree: 'T2', parents: ['old-base'] };
    expect(planModelPr({ ...base, baseSha: 'new-base', branch, openPr: pr })).toMatchObject({
      operation: 'updated',
      push: true,
    });
    expect(planModelPr({ ...base, baseSha: 'old-base', branch, openPr: pr })).toMatchObject({
      operation: 'none',
      push: false,
    });
  });
  test('an open PR for a newer model is not rewound, unless that model was withdrawn', () => {
    const newer = { ...pr, lineage: { id: 'm3', uri: 'v3', created: new Date('2026-01-03') } };
    const latest = { id: 'm2', uri: 'v2', created: new Date('2026-01-02') };
    expect(planModelPr({ ...base, latest, openPr: newer })).toMatchObject({
      operation: 'none',
      push: false,
      pr: { action: 'keep', number: 7 },
    });
    expect(planModelPr({ ...base, latest, openPr: newer, openPrWithdrawn: true })).toMatchObject({
      operation: 'updated',
      push: true,
    });
    // Even a late run carrying the pinned model does not close it.
    expect(planModelPr({ ...base, current: 'v2', latest, openPr: newer })).toMatchObject({
      operation: 'none',
      pr: { action: 'keep', number: 7 },
    });
    expect(planModelPr({ ...base, current: 'v2', latest, openPr: newer, openPrWithdrawn: true })).toMatchObject({
      operation: 'closed',
    });
  });
  test('an older model than the pinned one is not proposed unless allow-downgrade', () => {
    const latest = { id: 'm2', uri: 'v2', created: new Date('2026-01-02') };
    const pinned = { created: new Date('2026-01-03'), from: 'listed by the model source' };
    expect(planModelPr({ ...base, latest, pinned })).toMatchObject({ operation: 'none', push: false });
    expect(planModelPr({ ...base, latest, pinned }).why).toContain('allow-downgrade');
    expect(planModelPr({ ...base, latest, pinned, allowDowngrade: true })).toMatchObject({ operation: 'created' });
    expect(planModelPr({ ...base, latest, pinned, openPr: { ...pr, lineage: latest } })).toMatchObject({
      operation: 'closed',
      pr: { action: 'close' },
    });
  });
  test('labels are only ever added, case-insensitively', () => {
    expect(
      planModelPr({
        ...base,
        want: { ...want, labels: ['Model-Update', 'ml'] },
        branch: { sha: 'h1', tree: 'T2' },
        openPr: pr,
      }).addLabels,
    ).toEqual(['ml']);
  });
});

describe('git object hashing (what GitHub computes)', () => {
  test('blob and tree SHAs match git', () => {
    // `printf 'hello\n' | git hash-object --stdin`, and the tree of one such file named a.txt.
    expect(blobSha('hello\n')).toBe('ce013625030ba8dba906f756967f9e9ca394464a');
    expect(
      treeSha([{ path: 'a.txt', mode: '100644', type: 'blob', sha: 'ce013625030ba8dba906f756967f9e9ca394464a' }]),
    ).toBe('2e81171448eb9f2ee3821e3d447aa6b2fe3ddba1');
  });
  test('a nested replacement equals hashing the new tree directly', () => {
    const leafOld = [
      { path: 'm.yaml', mode: '100644', type: 'blob' as const, sha: blobSha('a') },
      { path: 'z', mode: '100755', type: 'blob' as const, sha: blobSha('z') },
    ];
    const root = [
      { path: 'serving', mode: '040000', type: 'tree' as const, sha: treeSha(leafOld) },
      { path: 'serving.txt', mode: '100644', type: 'blob' as const, sha: blobSha('s') },
    ];
    const leafNew = [{ ...leafOld[0]!, sha: blobSha('b') }, leafOld[1]!];
    const expected = treeSha([{ ...root[0]!, sha: treeSha(leafNew) }, root[1]!]);
    expect(treeShaWithBlob([root, leafOld], ['serving', 'm.yaml'], blobSha('b'))).toBe(expected);
  });
});
