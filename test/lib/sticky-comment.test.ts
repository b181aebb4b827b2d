import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, test } from '@jest/globals';
import { startGitHubDouble, type GitHubDouble } from '../support/github-double/index.js';
import { createGitHub, type GitHub } from '../../src/lib/github.js';
import { stickyBody, stickyMarker, upsertStickyComment } from '../../src/lib/sticky-comment.js';
import { UserError } from '../../src/lib/errors.js';
import { COMMENT_LIMIT } from '../../src/lib/markdown.js';

const owner = 'acme';
const repo = 'models';
const FULL = `${owner}/${repo}`;

let double: GitHubDouble;
let gh: GitHub;
let pr: number;

beforeAll(async () => {
  double = await startGitHubDouble();
  gh = await createGitHub({ token: 'ghs_test', apiUrl: double.url });
});
afterAll(() => double.close());
beforeEach(async () => {
  double.createRepo(FULL);
  double.commitFiles(FULL, { branch: 'bump', files: { 'model.yaml': 'v: 2\n' } });
  pr = (await gh.rest.pulls.create({ owner, repo, head: 'bump', base: 'main', title: 'bump' })).data.number;
  double.requests.length = 0;
});
afterEach(() => {
  const violations = [...double.violations];
  double.reset();
  if (double.contractChecked) expect(violations).toEqual([]);
});

const upsert = (body: string, key = 'quality-gate') =>
  upsertStickyComment(gh, { owner, repo, issueNumber: pr, key, body });

describe('upsertStickyComment', () => {
  test('created once, then unchanged without any write, then updated in place', async () => {
    const created = await upsert('## Gate passed\n');
    expect(created.operation).toBe('created');
    expect(created.url).toBe(`https://github.com/${FULL}/pull/${pr}#issuecomment-${created.id}`);
    expect(double.comments(FULL, pr)).toMatchObject([
      { id: created.id, body: '<!-- kfp-gitops:quality-gate -->\n## Gate passed\n' },
    ]);

    const writesBefore = double.writes().length;
    const same = await upsert('## Gate passed\n');
    expect(same).toEqual({ operation: 'unchanged', id: created.id, url: created.url });
    expect(double.writes()).toHaveLength(writesBefore);

    const updated = await upsert('## Gate failed\n');
    expect(updated).toEqual({ operation: 'updated', id: created.id, url: created.url });
    expect(double.comments(FULL, pr).map((c) => c.body)).toEqual([
      '<!-- kfp-gitops:quality-gate -->\n## Gate failed\n',
    ]);
    expect(
      double
        .writes()
        .slice(writesBefore)
        .map((w) => `${w.method} ${w.route}`),
    ).toEqual(['PATCH /repos/{owner}/{repo}/issues/comments/{comment_id}']);
  });

  test('each key keeps its own comment; other comments and quotes of the marker are left alone', async () => {
    double.addComment(FULL, pr, 'LGTM', { user: 'alice' });
    double.addComment(FULL, pr, `> ${stickyMarker('quality-gate')}\n> quoted by a reviewer`, { user: 'bob' });
    const gate = await upsert('gate');
    const plan = await upsert('plan', 'plan:team-a');
    expect(plan.id).not.toBe(gate.id);
    expect((await upsert('gate v2')).id).toBe(gate.id);
    expect(double.comments(FULL, pr).map((c) => [c.user, c.body.split('\n')[0]])).toEqual([
      ['alice', 'LGTM'],
      ['bob', '> <!-- kfp-gitops:quality-gate -->'],
      ['github-actions[bot]', '<!-- kfp-gitops:quality-gate -->'],
      ['github-actions[bot]', '<!-- kfp-gitops:plan:team-a -->'],
    ]);
  });

  test('the marker is found past the first page of 100 comments', async () => {
    for (let i = 0; i < 130; i++) double.addComment(FULL, pr, `chatter ${i}`, { user: 'alice' });
    const first = await upsert('report 1');
    for (let i = 0; i < 5; i++) double.addComment(FULL, pr, `more ${i}`, { user: 'alice' });
    double.requests.length = 0;
    const again = await upsert('report 2');
    expect(again).toMatchObject({ operation: 'updated', id: first.id });
    expect(double.requests.filter((r) => r.method === 'GET').map((r) => r.query)).toEqual([
      { per_page: '100' },
      { per_page: '100', page: '2' },
    ]);
    expect(double.comments(FULL, pr).filter((c) => c.body.includes('kfp-gitops:'))).toHaveLength(1);
  });

  test("a body over GitHub's 65,536-character limit is cut at a line with a note, keeping the marker", async () => {
    const line = `${'x'.repeat(99)}\n`;
    const result = await upsert(line.repeat(800)); // 80,000 characters
    expect(result.operation).toBe('created');
    const [stored] = double.comments(FULL, pr);
    expect(stored!.body.length).toBeLessThanOrEqual(COMMENT_LIMIT);
    expect(stored!.body.startsWith('<!-- kfp-gitops:quality-gate -->\n')).toBe(true);
    expect(stored!.body).toMatch(
      /\n… \(comment truncated at GitHub's 65,536-character limit: \d+ more characters\)\n$/,
    );
    expect(
      stored!.body
        .split('\n')
        .slice(1, -2)
        .every((l) => l === 'x'.repeat(99)),
    ).toBe(true);
    // Re-posting the same long body is recognized as unchanged.
    expect((await upsert(line.repeat(800))).operation).toBe('unchanged');
  });

  test('GitHub errors become a UserError naming the permission; a bad key is refused before any call', async () => {
    double.failNext({
      method: 'POST',
      route: '/repos/{owner}/{repo}/issues/{issue_number}/comments',
      status: 403,
      message: 'Resource not accessible by integration',
    });
    const err = await upsert('x').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UserError);
    expect((err as UserError).message).toContain(`Posting the quality-gate comment on ${FULL}#${pr} failed (HTTP 403`);
    expect((err as UserError).message).toContain('permissions: { pull-requests: write }');

    double.requests.length = 0;
    await expect(upsert('x', 'bad key -->')).rejects.toThrow('is not usable in a hidden marker');
    expect(double.requests).toEqual([]);
    expect(() => stickyBody('ok', 'body')).not.toThrow();
  });
});
