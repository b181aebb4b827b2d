import { describe, expect, test } from '@jest/globals';
import { planModelPr, type PlanInput } from '../../src/models/pr-plan.js';
import { blobSha, treeSha, treeShaWithBlob } from '../../src/models/git-objects.js';

const want = { title: 'Update model to v2', body: 'body v2', labels: ['model-update'] };
const pr = { number: 7, title: want.title, body: want.body, headSha: 'h1', labels: ['model-update'] };
const base: PlanInput = { current: 'v1', desired: 'v2', expectedTree: 'T2', want };

describe('planModelPr', () => {
  test('no branch, no PR: push and create', () => {
    expect(planModelPr(base)).toMatchObject({ operation: 'created', push: true, pr: { action: 'create' }, addLabels: ['model-update'] });
  });
  test('open PR with the same tree and metadata: nothing at all', () => {
    expect(planModelPr({ ...base, branch: { sha: 'h1', tree: 'T2' }, openPr: pr })).toMatchObject({ operation: 'none', push: false, pr: { action: 'keep', number: 7 }, addLabels: [] });
  });
  test('open PR, newer model: push and update title/body', () => {
    const p = planModelPr({ ...base, desired: 'v3', expectedTree: 'T3', want: { ...want, title: 'Update model to v3', body: 'body v3' }, branch: { sha: 'h1', tree: 'T2' }, openPr: pr });
    expect(p).toMatchObject({ operation: 'updated', push: true, pr: { action: 'update', number: 7, title: 'Update model to v3', body: 'body v3' } });
  });
  test('open PR, same tree, new body (e.g. a new gate report): update the body only', () => {
    expect(planModelPr({ ...base, branch: { sha: 'h1', tree: 'T2' }, openPr: { ...pr, body: 'old' } })).toMatchObject({ operation: 'updated', push: false, pr: { action: 'update', number: 7, body: 'body v2' } });
  });
  test('base moved on: the branch is rebuilt even for the same model', () => {
    expect(planModelPr({ ...base, expectedTree: 'T2b', branch: { sha: 'h1', tree: 'T2' }, openPr: pr })).toMatchObject({ operation: 'updated', push: true, pr: { action: 'keep' } });
  });
  test('base caught up: close the open PR, or do nothing', () => {
    expect(planModelPr({ ...base, current: 'v2', openPr: pr })).toMatchObject({ operation: 'closed', pr: { action: 'close', number: 7 }, push: false });
    expect(planModelPr({ ...base, current: 'v2' })).toMatchObject({ operation: 'none', pr: { action: 'none' }, push: false });
  });
  test('a PR closed by a human for this very tree is not reopened; for another tree a new PR is created', () => {
    const closed = { ...pr, headSha: 'h1' };
    expect(planModelPr({ ...base, branch: { sha: 'h1', tree: 'T2' }, closedPr: closed })).toMatchObject({ operation: 'none', pr: { action: 'none' } });
    expect(planModelPr({ ...base, desired: 'v3', expectedTree: 'T3', branch: { sha: 'h1', tree: 'T2' }, closedPr: closed })).toMatchObject({ operation: 'created', push: true });
  });
  test('labels are only ever added, case-insensitively', () => {
    expect(planModelPr({ ...base, want: { ...want, labels: ['Model-Update', 'ml'] }, branch: { sha: 'h1', tree: 'T2' }, openPr: pr }).addLabels).toEqual(['ml']);
  });
});

describe('git object hashing (what GitHub computes)', () => {
  test('blob and tree SHAs match git', () => {
    // `printf 'hello\n' | git hash-object --stdin`, and the tree of one such file named a.txt.
    expect(blobSha('hello\n')).toBe('ce013625030ba8dba906f756967f9e9ca394464a');
    expect(treeSha([{ path: 'a.txt', mode: '100644', type: 'blob', sha: 'ce013625030ba8dba906f756967f9e9ca394464a' }])).toBe('2e81171448eb9f2ee3821e3d447aa6b2fe3ddba1');
  });
  test('a nested replacement equals hashing the new tree directly', () => {
    const leafOld = [{ path: 'm.yaml', mode: '100644', type: 'blob' as const, sha: blobSha('a') }, { path: 'z', mode: '100755', type: 'blob' as const, sha: blobSha('z') }];
    const root = [{ path: 'serving', mode: '040000', type: 'tree' as const, sha: treeSha(leafOld) }, { path: 'serving.txt', mode: '100644', type: 'blob' as const, sha: blobSha('s') }];
    const leafNew = [{ ...leafOld[0]!, sha: blobSha('b') }, leafOld[1]!];
    const expected = treeSha([{ ...root[0]!, sha: treeSha(leafNew) }, root[1]!]);
    expect(treeShaWithBlob([root, leafOld], ['serving', 'm.yaml'], blobSha('b'))).toBe(expected);
  });
});
