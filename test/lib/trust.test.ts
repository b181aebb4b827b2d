import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { resolveInside } from '../../src/lib/inside.js';
import { branchNameProblem, ownerNameProblem, refNameProblem, repoNameProblem } from '../../src/lib/names.js';
import { Secrets, redactingHost } from '../../src/lib/secrets.js';
import { childEnv, runProcess } from '../../src/lib/proc.js';
import { cliHost } from '../../src/lib/cli-host.js';
import { TempRepo } from '../support/git-repo.js';
import { resolveScripts } from '../../src/render/check.js';
import { readParamsFolder } from '../../src/run/parameters.js';
import { listFileModels } from '../../src/models/sources/file.js';

describe('resolveInside: after symlinks, inside the checkout', () => {
  let repo: TempRepo;
  let outside: string;
  beforeAll(async () => {
    outside = await fs.mkdtemp(path.join(os.tmpdir(), 'kfp-gitops-outside-'));
    await fs.writeFile(path.join(outside, 'secret.txt'), 'top secret\n');
    repo = await TempRepo.create({ 'params/lr': '0.1\n', 'pipelines/a/workflow.yaml': 'x: 1\n' });
    await fs.symlink('/proc/self/environ', repo.path('params/dataset_uri'));
    await fs.symlink(outside, repo.path('linked'));
    await fs.symlink('../params/lr', repo.path('pipelines/lr'));
    await fs.symlink('pipelines', repo.path('pipes'));
    await fs.symlink('missing-target', repo.path('params/dangling'));
  });
  afterAll(async () => {
    await repo.remove();
    await fs.rm(outside, { recursive: true, force: true });
  });

  test('a link to a file outside (/proc/self/environ) is refused, naming the target', () => {
    const r = resolveInside(repo.dir, 'params/dataset_uri');
    expect(r).toEqual({
      ok: false,
      message: expect.stringMatching(
        /^'params\/dataset_uri' leads outside the repository checkout through a symbolic link \(to \/proc\/\d+\/environ\)\.$/,
      ),
      fix: expect.any(String),
    });
  });

  test('a linked folder leading out is refused, also for a file not there (yet)', () => {
    expect(resolveInside(repo.dir, 'linked/secret.txt').ok).toBe(false);
    expect(resolveInside(repo.dir, 'linked/none.txt').ok).toBe(false);
    expect(resolveInside(repo.dir, 'linked').ok).toBe(false);
  });

  test('textual escapes: .., absolute paths outside, from a sub-folder base', () => {
    expect(resolveInside(repo.dir, '..').ok).toBe(false);
    expect(resolveInside(repo.dir, '../x').ok).toBe(false);
    expect(resolveInside(repo.dir, '/etc/passwd').ok).toBe(false);
    expect(resolveInside(repo.dir, '../../x', repo.path('params')).ok).toBe(false);
    expect(resolveInside(repo.dir, '../params/lr', repo.path('pipelines'))).toEqual({
      ok: true,
      path: repo.path('params/lr'),
      exists: true,
    });
  });

  test('links that stay inside are followed to their real path', () => {
    expect(resolveInside(repo.dir, 'pipelines/lr')).toEqual({ ok: true, path: repo.path('params/lr'), exists: true });
    expect(resolveInside(repo.dir, 'pipes/a/workflow.yaml')).toEqual({
      ok: true,
      path: repo.path('pipelines/a/workflow.yaml'),
      exists: true,
    });
    expect(resolveInside(repo.dir, repo.path('params/lr'))).toEqual({
      ok: true,
      path: repo.path('params/lr'),
      exists: true,
    });
  });

  test('missing paths and dangling links are inside but do not exist', () => {
    expect(resolveInside(repo.dir, 'nope/file')).toEqual({ ok: true, path: repo.path('nope/file'), exists: false });
    expect(resolveInside(repo.dir, 'params/dangling')).toMatchObject({ ok: true, exists: false });
    expect(resolveInside(repo.dir, '.')).toEqual({ ok: true, path: repo.dir, exists: true });
  });
});

describe('every reader refuses a link leading out, at the file that holds it', () => {
  let repo: TempRepo;
  let outside: string;
  beforeAll(async () => {
    outside = await fs.mkdtemp(path.join(os.tmpdir(), 'kfp-gitops-outside-'));
    await fs.writeFile(path.join(outside, 'render.sh'), 'echo evil\n');
    await fs.writeFile(path.join(outside, 'models.json'), '{"id": "m", "uri": "gs://m"}\n');
    repo = await TempRepo.create({ 'p/params/lr': '0.1\n', 'p/render_ok.sh': 'true\n' });
    await fs.symlink(path.join(outside, 'render.sh'), repo.path('p/render_pipeline.sh'));
    await fs.symlink('/proc/self/environ', repo.path('p/params/dataset_uri'));
    await fs.symlink(path.join(outside, 'models.json'), repo.path('models.json'));
  });
  afterAll(async () => {
    await repo.remove();
    await fs.rm(outside, { recursive: true, force: true });
  });

  test('render scripts', async () => {
    await expect(resolveScripts(repo.dir, ['p/*.sh'], repo.dir)).rejects.toThrow(
      /render-scripts: 'p\/render_pipeline.sh' leads outside the repository checkout through a symbolic link/,
    );
    expect(await resolveScripts(repo.dir, ['p/render_ok.sh'], repo.dir)).toEqual([repo.path('p/render_ok.sh')]);
  });

  test('params/ files of run-pipeline', async () => {
    const err = await readParamsFolder(repo.path('p/params'), 'p/params', repo.dir).catch((e: unknown) => e);
    expect(err).toMatchObject({
      diagnostics: [
        {
          location: { file: 'p/params/dataset_uri' },
          message: expect.stringMatching(/leads outside the repository checkout/),
        },
      ],
    });
  });

  test('file: model sources', async () => {
    const ctx = { workspace: repo.dir, env: {}, mlflow: {}, log: () => {} };
    await expect(listFileModels('models.json', ctx)).rejects.toThrow(
      /^model-source file:models.json: 'models.json' leads outside the repository checkout/,
    );
    await expect(listFileModels('../x.json', ctx)).rejects.toThrow(
      "model-source file:../x.json: '../x.json' is outside the repository checkout.",
    );
  });
});

describe('names that go into GitHub API URLs', () => {
  test('owners and repositories as GitHub allows them', () => {
    for (const ok of ['kubeflow', 'deployKF', 'a-b', 'x1']) expect(ownerNameProblem(ok)).toBeUndefined();
    for (const bad of ['..', '.', '', '-a', 'a/b', 'a b', 'a'.repeat(40), 'a_b', 'a.b'])
      expect(ownerNameProblem(bad)).toMatch(/is not a GitHub user or organization name/);
    for (const ok of ['pipelines', '.github', 'a.b_c-d', 'x']) expect(repoNameProblem(ok)).toBeUndefined();
    for (const bad of ['..', '.', '', 'a/b', 'a b', 'a%2F..', 'r'.repeat(101)])
      expect(repoNameProblem(bad)).toMatch(/is not a GitHub repository name/);
  });

  // git check-ref-format rules (git/refs.c check_refname_component and Documentation/git-check-ref-format.txt).
  test('ref and branch names as git check-ref-format defines them', () => {
    for (const ok of ['main', 'auto-update-model', 'feature/x', 'v1.2.3', 'release/2026.01', 'a@b', '0123abcd']) {
      expect(refNameProblem(ok)).toBeUndefined();
      expect(branchNameProblem(ok)).toBeUndefined();
    }
    const bad = [
      'x; touch /tmp/pwned',
      'a..b',
      '-f',
      'a b',
      'a~1',
      'a^',
      'a:b',
      'a?',
      'a*',
      'a[b',
      'a\\b',
      'a@{1}',
      '@',
      '/a',
      'a/',
      'a//b',
      'a.',
      '.a',
      'a/.b',
      'a.lock',
      'a/b.lock/c',
      'a\tb',
      '',
      'a\x7fb',
    ];
    for (const b of bad)
      expect([b, branchNameProblem(b)]).toEqual([b, expect.stringMatching(/is not a valid git branch name: /)]);
    expect(branchNameProblem('refs/heads/main')).toBe(
      "'refs/heads/main' is a full ref; give the branch's short name (e.g. 'main')",
    );
    expect(branchNameProblem('HEAD')).toBe("'HEAD' is not a branch name");
  });
});

describe('secrets are redacted in one place', () => {
  test('the forms a secret travels in: as is, in a Bearer header, URL-encoded, JSON-escaped', () => {
    const s = new Secrets();
    s.add('p@ss/"w');
    s.add('  ');
    expect(s.redact('Authorization: Bearer p@ss/"w; url ?password=p%40ss%2F%22w; json {"password":"p@ss/\\"w"}')).toBe(
      'Authorization: Bearer ***; url ?password=***; json {"password":"***"}',
    );
    expect(s.redact('nothing here')).toBe('nothing here');
  });

  test('redactingHost: outputs, summaries, messages, failures and comment text', async () => {
    const summary = path.join(await fs.mkdtemp(path.join(os.tmpdir(), 'kfp-gitops-sum-')), 'summary.md');
    const lines: string[] = [];
    const sink = { write: (s: string) => void lines.push(s) } as unknown as NodeJS.WritableStream;
    const base = cliHost({ inputs: new Map(), stdout: sink, stderr: sink, env: { GITHUB_STEP_SUMMARY: summary } });
    const host = redactingHost(base);
    host.setSecret('tok-123');
    host.setOutput('results', '{"error":"HTTP 401: Authorization: Bearer tok-123"}');
    host.info('got tok-123');
    host.error('bad tok-123', { file: 'x' });
    host.fail('failed with tok-123');
    await host.appendSummary('| tok-123 |');
    expect(base.outputs.get('results')).toBe('{"error":"HTTP 401: Authorization: Bearer ***"}');
    expect(lines.join('')).not.toContain('tok-123');
    expect(await fs.readFile(summary, 'utf8')).toBe('| *** |');
    expect(host.redact('comment tok-123')).toBe('comment ***');
  });
});

describe('child processes', () => {
  test('get no action inputs and no runner-internal tokens; the rest of the environment is kept', async () => {
    const env = {
      PATH: process.env.PATH,
      'INPUT_KFP-TOKEN': 'kfp-secret',
      INPUT_TOKEN: 'gh-write',
      ACTIONS_RUNTIME_TOKEN: 'rt',
      ACTIONS_ID_TOKEN_REQUEST_TOKEN: 'oidc',
      ACTIONS_ID_TOKEN_REQUEST_URL: 'https://oidc',
      ACTIONS_CACHE_URL: 'https://cache',
      ACTIONS_RESULTS_URL: 'https://results',
      GITHUB_WORKSPACE: '/w',
      MLFLOW_TRACKING_URI: 'https://mlflow',
    };
    expect(Object.keys(childEnv(env)).sort()).toEqual(['GITHUB_WORKSPACE', 'MLFLOW_TRACKING_URI', 'PATH']);
    const r = await runProcess('bash', ['-c', 'env'], { env });
    expect(r.stdout).not.toMatch(/kfp-secret|gh-write|INPUT_|ACTIONS_/);
    expect(r.stdout).toContain('MLFLOW_TRACKING_URI=https://mlflow');
  });
});
