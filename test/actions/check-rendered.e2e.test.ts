import fs from 'node:fs/promises';
import path from 'node:path';
import { afterEach, describe, expect, test } from '@jest/globals';
import { TempRepo } from '../support/git-repo.js';
import { git } from '../../src/lib/git.js';
import { spawnAction, spawnCli } from '../support/run-action.js';
import { describeWithShared, repoRoot, sharedDir } from '../support/paths.js';

const repos: TempRepo[] = [];
afterEach(async () => {
  await Promise.all(repos.splice(0).map((r) => r.remove()));
});

async function examplesRepo(): Promise<TempRepo> {
  const repo = await TempRepo.create({}, { copyFrom: path.join(repoRoot, 'examples') });
  repos.push(repo);
  return repo;
}

const SCRIPTS = 'pipelines/*/render_pipeline.sh';

describe('check-rendered, run as the runner runs it', () => {
  test('fresh renders pass; a new compile timestamp is ignored and the file restored', async () => {
    const repo = await examplesRepo();
    const r = await spawnAction('check-rendered', { 'render-scripts': SCRIPTS }, { workspace: repo.dir });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.outputs).toEqual({ result: 'fresh', 'stale-files': '[]' });
    expect(r.summary).toContain('Rendered pipelines are fresh');
    expect(r.annotations).toEqual([]);
    expect(await repo.status()).toBe(''); // the timestamp-only change was put back
  });

  test('a stale render fails with one annotation per file, a diff, and the fix', async () => {
    const repo = await examplesRepo();
    const template = 'pipelines/train-model/pipeline.template.yaml';
    await repo.write({ [template]: (await repo.read(template)).replace('python:3.11-slim', 'python:3.12-slim') });
    await repo.write({
      'pipelines/batch-predict/render_pipeline.sh': (
        await repo.read('pipelines/batch-predict/render_pipeline.sh')
      ).replace('v12', 'v13'),
    });
    await repo.commit('edit sources without rendering');
    const r = await spawnAction('check-rendered', { 'render-scripts': SCRIPTS }, { workspace: repo.dir });
    expect(r.code).toBe(1);
    expect(r.outputs.result).toBe('stale');
    expect(JSON.parse(r.outputs['stale-files']!)).toEqual([
      'pipelines/batch-predict/RENDERED_PIPELINE/params/model_uri',
      'pipelines/train-model/RENDERED_PIPELINE/workflow.yaml',
    ]);
    const errors = r.annotations.filter((a) => a.kind === 'error' && a.props.file);
    expect(errors.map((a) => a.props.file).sort()).toEqual(JSON.parse(r.outputs['stale-files']!));
    const wf = errors.find((a) => a.props.file!.endsWith('workflow.yaml'))!;
    const committed = (
      await git(repo.dir, ['show', 'HEAD:pipelines/train-model/RENDERED_PIPELINE/workflow.yaml'])
    ).split('\n');
    expect(committed[Number(wf.props.line) - 1]).toContain('python:3.11-slim'); // points at the changed line
    expect(wf.message).toContain('run pipelines/train-model/render_pipeline.sh and commit');
    expect(r.stdout).toContain('+        image: python:3.12-slim');
    expect(r.summary).toContain('```diff');
    expect(r.summary).toContain('-        image: python:3.11-slim');
    expect(r.summary).toContain('`render_pipeline.sh`');
  });

  test('a non-deterministic render fails and names the differing key', async () => {
    const repo = await examplesRepo();
    const script = 'pipelines/train-model/render_pipeline.sh';
    await repo.write({
      [script]:
        (await repo.read(script)) +
        'sed -i "s/generateName: train-model-/generateName: train-$RANDOM$RANDOM-/" "$out/workflow.yaml"\n',
    });
    await repo.commit('random render');
    const r = await spawnAction('check-rendered', { 'render-scripts': SCRIPTS }, { workspace: repo.dir });
    expect(r.code).toBe(1);
    const nd = r.annotations.find((a) => a.message.includes('not deterministic'));
    expect(nd?.props.file).toBe('pipelines/train-model/RENDERED_PIPELINE/workflow.yaml');
    expect(nd?.message).toContain('metadata.generateName');
    // In the summary the key is a code span (a key like __x__ would otherwise turn bold).
    expect(r.summary).toContain('| `metadata.generateName` |');
  });

  test('check-determinism false renders once', async () => {
    const repo = await examplesRepo();
    const script = 'pipelines/train-model/render_pipeline.sh';
    await repo.write({ [script]: (await repo.read(script)) + 'echo x >> "$(dirname "$0")/../../runs.log"\n' });
    await repo.write({ '.gitignore': 'runs.log\n' });
    await repo.commit('count runs');
    const r = await spawnAction(
      'check-rendered',
      { 'render-scripts': SCRIPTS, 'check-determinism': 'false' },
      { workspace: repo.dir },
    );
    expect(r.code).toBe(0);
    expect((await repo.read('runs.log')).trim().split('\n')).toHaveLength(1);
  });

  test('a failing script: exit 1 with its exit code and the tail of its output', async () => {
    const repo = await examplesRepo();
    await repo.write({
      'pipelines/broken/render_pipeline.sh': 'echo "compiling…"\necho "ImportError: no module named kfp" >&2\nexit 3\n',
    });
    await repo.commit('broken');
    const r = await spawnAction('check-rendered', { 'render-scripts': SCRIPTS }, { workspace: repo.dir });
    expect(r.code).toBe(1);
    const err = r.annotations.find((a) => a.props.file === 'pipelines/broken/render_pipeline.sh');
    expect(err?.message).toContain('exit code 3');
    expect(err?.message).toContain('ImportError: no module named kfp');
  });

  test('a missing script and a glob matching nothing are clear errors', async () => {
    const repo = await examplesRepo();
    const r = await spawnAction(
      'check-rendered',
      { 'render-scripts': 'nope/render.sh\nother/*/render.sh' },
      { workspace: repo.dir },
    );
    expect(r.code).toBe(1);
    expect(r.stdout).toContain("'nope/render.sh' does not exist");
    expect(r.stdout).toContain("the glob 'other/*/render.sh' matches no file");
    // Each problem once: the closing error sums up rather than repeating them.
    expect(r.stdout.split('matches no file').length - 1).toBe(1);
    expect(r.annotations.map((x) => x.message)).toContain('2 render-scripts entries match no file.');
  });

  test('a working-directory that does not exist is named, with the fix', async () => {
    const repo = await examplesRepo();
    const r = await spawnAction(
      'check-rendered',
      { 'render-scripts': SCRIPTS, 'working-directory': 'pipeline' },
      { workspace: repo.dir },
    );
    expect(r.code).toBe(1);
    expect(r.annotations).toEqual([
      expect.objectContaining({
        kind: 'error',
        message: `Input 'working-directory' is 'pipeline', but ${path.join(repo.dir, 'pipeline')} is not a folder. Fix: give a folder inside the checkout (relative to ${repo.dir}), or leave it empty for the checkout itself.`,
      }),
    ]);
  });

  test('a missing required input fails before doing anything', async () => {
    const repo = await examplesRepo();
    const r = await spawnAction('check-rendered', {}, { workspace: repo.dir });
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('::error::Input required and not supplied: render-scripts');
  });

  test('a bad boolean input names the input and the expected form', async () => {
    const repo = await examplesRepo();
    const r = await spawnAction(
      'check-rendered',
      { 'render-scripts': SCRIPTS, 'check-determinism': 'yes' },
      { workspace: repo.dir },
    );
    expect(r.code).toBe(1);
    expect(r.stdout).toContain("Input 'check-determinism' must be true or false");
  });
});

describe('kfp-gitops check-rendered (CLI)', () => {
  test('same results from a terminal, flags mirroring inputs', async () => {
    const repo = await examplesRepo();
    const ok = await spawnCli(['check-rendered', '--render-scripts', SCRIPTS], { cwd: repo.dir });
    expect(ok.code).toBe(0);
    expect(ok.stdout).toContain('result=fresh');
    const template = 'pipelines/train-model/pipeline.template.yaml';
    await repo.write({ [template]: (await repo.read(template)).replace('dataset_uri', 'data_uri') });
    await repo.commit('stale');
    const bad = await spawnCli(['check-rendered', '--render-scripts', SCRIPTS, '--no-check-determinism'], {
      cwd: repo.dir,
    });
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(
      /pipelines\/train-model\/RENDERED_PIPELINE\/workflow\.yaml:\d+: error: Rendered file is stale/,
    );
    expect(bad.stdout).toContain('stale-files=["pipelines/train-model/RENDERED_PIPELINE/workflow.yaml"]');
  });

  test('an unknown flag suggests the right one', async () => {
    const r = await spawnCli(['check-rendered', '--render-script', 'x'], { cwd: repoRoot });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("Did you mean 'render-scripts'?");
  });
});

describeWithShared('check-rendered over the real compiled pipelines in ../shared/kfp-pipelines', () => {
  // A render script that "recompiles" each real pipeline: same content, new compile timestamp (v1).
  const render = `set -euo pipefail
cd "$(dirname "$0")"
mkdir -p RENDERED
for f in sources/*.yaml; do
  sed -E "s/(pipeline_compilation_time: ')[^']*'/\\1$(date -u +%s%N)'/" "$f" > "RENDERED/$(basename "$f")"
done
`;

  async function realRepo(): Promise<TempRepo> {
    const files: Record<string, string> = { 'pipe/render.sh': render };
    for (const dir of ['v1-argo', 'v2-ir/valid']) {
      for (const name of await fs.readdir(path.join(sharedDir, 'kfp-pipelines', dir))) {
        const text = await fs.readFile(path.join(sharedDir, 'kfp-pipelines', dir, name), 'utf8');
        const key = `${dir.replace('/', '-')}-${name}`;
        files[`pipe/sources/${key}`] = text;
        files[`pipe/RENDERED/${key}`] = text;
      }
    }
    const repo = await TempRepo.create(files);
    repos.push(repo);
    return repo;
  }

  test('all v1 Argo and v2 IR pipelines are fresh after re-rendering', async () => {
    const repo = await realRepo();
    const r = await spawnAction(
      'check-rendered',
      { 'render-scripts': 'pipe/render.sh', 'check-determinism': 'false' },
      { workspace: repo.dir },
    );
    expect(r.stdout + r.stderr).not.toContain('error');
    expect(r.outputs.result).toBe('fresh');
    expect(r.code).toBe(0);
    expect(r.summary).toMatch(/\d+ file\(s\) differed only in ignored keys/);
  });

  test('changing one parameter of a real v1 workflow and one of a v2 IR makes exactly those stale', async () => {
    const repo = await realRepo();
    const v1 = 'pipe/sources/v1-argo-arguments-parameters.yaml';
    await repo.write({ [v1]: (await repo.read(v1)).replace(/value: ([^\n]+)/, 'value: changed-by-test') });
    const v2 = (await fs.readdir(repo.path('pipe/sources'))).find(
      (f) => f.startsWith('v2-ir-valid-') && f.includes('hello'),
    )!;
    const v2rel = `pipe/sources/${v2}`;
    await repo.write({ [v2rel]: (await repo.read(v2rel)).replace(/image: [^\n]+/, 'image: busybox:changed') });
    await repo.commit('edit sources');
    const r = await spawnAction(
      'check-rendered',
      { 'render-scripts': 'pipe/render.sh', 'check-determinism': 'false' },
      { workspace: repo.dir },
    );
    expect(r.code).toBe(1);
    expect(JSON.parse(r.outputs['stale-files']!)).toEqual(
      [`pipe/RENDERED/v1-argo-arguments-parameters.yaml`, `pipe/RENDERED/${v2}`].sort(),
    );
  });
});
