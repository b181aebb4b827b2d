// Fetches the shared reference fixtures the tests read (../shared/, or KFP_GITOPS_SHARED_DIR) from their pinned
// public upstream sources, and verifies each file against scripts/shared-fixtures.sha256. Files already there
// and intact are not fetched again, so beside a full copy (a developer machine) it fetches nothing.
//
//   node scripts/fetch-shared.mjs [--dir DIR] [--github-raw URL] [--npm-registry URL]
//
// kfp-cron/ (a corpus answered by robfig/cron compiled with Go), kfp-sdk-traces/ (recorded SDK traffic) and
// reference/ (research notes) have no public upstream: they are not fetched, and tests needing them skip.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
/** Same resolution as test/support/paths.ts. */
export const sharedDir = path.resolve(root, process.env.KFP_GITOPS_SHARED_DIR || '../shared');

/** Fixture sets with no public upstream: never fetched; tests reading them use describeWithSharedSets. */
export const UNFETCHABLE = ['kfp-cron', 'kfp-sdk-traces', 'reference'];

const KFP = 'kubeflow/pipelines';
const KFP_API_COMMIT = '4a3592cb2dd0a91a4652ab93893ec8beda1f3158'; // tag 2.17.0
const KFP_PIPELINES_COMMIT = '7b70c7b95f6832772efd6fd0029a4024491a0f44';
const GRAPHQL_SCHEMA = { repo: 'octokit/graphql-schema', commit: '82ff2d4780080e6929ebb95608cefa22dfa05ac7' };
const OCTOKIT_OPENAPI = {
  name: '@octokit/openapi',
  version: '23.0.2',
  file: 'package/generated/api.github.com.deref.json',
};
/** The REST paths the toolkit calls: api.github.com.subset.json keeps exactly these, unchanged. */
const GITHUB_PATHS = [
  '/repos/{owner}/{repo}',
  '/repos/{owner}/{repo}/pulls',
  '/repos/{owner}/{repo}/pulls/{pull_number}',
  '/repos/{owner}/{repo}/issues/{issue_number}/comments',
  '/repos/{owner}/{repo}/issues/comments/{comment_id}',
  '/repos/{owner}/{repo}/issues/{issue_number}/labels',
  '/repos/{owner}/{repo}/pulls/{pull_number}/requested_reviewers',
  '/repos/{owner}/{repo}/git/refs',
  '/repos/{owner}/{repo}/git/refs/{ref}',
  '/repos/{owner}/{repo}/git/ref/{ref}',
  '/repos/{owner}/{repo}/git/blobs',
  '/repos/{owner}/{repo}/git/trees',
  '/repos/{owner}/{repo}/git/trees/{tree_sha}',
  '/repos/{owner}/{repo}/git/commits',
  '/repos/{owner}/{repo}/git/commits/{commit_sha}',
  '/repos/{owner}/{repo}/contents/{path}',
  '/repos/{owner}/{repo}/commits/{ref}',
  '/repos/{owner}/{repo}/check-runs',
  '/repos/{owner}/{repo}/check-runs/{check_run_id}',
  '/repos/{owner}/{repo}/actions/workflows/{workflow_id}/dispatches',
  '/repos/{owner}/{repo}/actions/runs',
  '/repos/{owner}/{repo}/branches/{branch}',
  '/repos/{owner}/{repo}/statuses/{sha}',
];

/** Where a fixture comes from: a file of a GitHub repository at a commit, or the cut of an npm package's file. */
export function sourceOf(file) {
  const [set, ...rest] = file.split('/');
  const name = rest.at(-1);
  if (set === 'kfp-api') return { repo: KFP, commit: KFP_API_COMMIT, path: `backend/api/${rest[0]}/swagger/${name}` };
  if (file === 'github-api/schema.graphql') return { ...GRAPHQL_SCHEMA, path: 'schema.graphql' };
  if (file === 'github-api/api.github.com.subset.json') return { npm: OCTOKIT_OPENAPI };
  if (set !== 'kfp-pipelines') return undefined;
  // Compiled pipelines: v2-ir/valid/ flattens the SDK's test_data subfolders with `__`.
  const sdk = 'test_data/sdk_compiled_pipelines';
  const where = rest.slice(0, -1).join('/');
  const p =
    where === 'v1-argo' || name === 'v2-hello-world.yaml'
      ? `backend/test/resources/${name}`
      : where === 'v2-ir/invalid'
        ? `${sdk}/invalid/${name}`
        : name.startsWith('argo_compatibility__')
          ? `${sdk}/${name.replace('__', '/')}`
          : `${sdk}/valid/${name.replaceAll('__', '/')}`;
  return { repo: KFP, commit: KFP_PIPELINES_COMMIT, path: p };
}

/** [sha256, file] from scripts/shared-fixtures.sha256 (sha256sum format). */
export function manifest() {
  return fs
    .readFileSync(path.join(root, 'scripts/shared-fixtures.sha256'), 'utf8')
    .split('\n')
    .filter((l) => l && !l.startsWith('#'))
    .map((l) => /^([0-9a-f]{64}) {2}(\S+)$/.exec(l).slice(1, 3));
}

const sha256 = (buf) => crypto.createHash('sha256').update(buf).digest('hex');

async function download(url) {
  for (let attempt = 1; ; attempt++) {
    try {
      const res = await fetch(url);
      if (res.ok) return Buffer.from(await res.arrayBuffer());
      if (res.status < 500 || attempt === 3) throw new Error(`${url}: HTTP ${res.status}`);
    } catch (err) {
      if (attempt === 3 || /HTTP 4/.test(err.message)) throw err;
    }
    await new Promise((r) => setTimeout(r, 1000 * attempt));
  }
}

/** One file out of a .tgz (ustar, as npm packs). */
function fromTarball(tgz, wanted) {
  const tar = zlib.gunzipSync(tgz);
  for (let at = 0; at + 512 <= tar.length;) {
    const header = tar.subarray(at, at + 512);
    const field = (from, len) =>
      header
        .subarray(from, from + len)
        .toString('utf8')
        .replace(/\0.*$/s, '');
    if (!field(0, 100)) break;
    const size = parseInt(field(124, 12).trim() || '0', 8);
    const name = [field(345, 155), field(0, 100)].filter(Boolean).join('/');
    if (name === wanted) return tar.subarray(at + 512, at + 512 + size);
    at += 512 + Math.ceil(size / 512) * 512;
  }
  throw new Error(`${wanted} is not in the package`);
}

/** GitHub's REST description cut to GITHUB_PATHS, serialized as the fixture is. */
async function githubSubset(npmRegistry, cache) {
  const { name, version, file } = OCTOKIT_OPENAPI;
  cache.openapi ??= download(`${npmRegistry}/${name}/-/${name.split('/')[1]}-${version}.tgz`);
  const full = JSON.parse(fromTarball(await cache.openapi, file).toString('utf8'));
  const paths = Object.fromEntries(GITHUB_PATHS.map((p) => [p, full.paths[p]]));
  return Buffer.from(JSON.stringify({ openapi: full.openapi, info: full.info, servers: full.servers, paths }));
}

const README = `# shared/ (fetched)

Fetched by kfp-gitops' \`scripts/fetch-shared.mjs\` from pinned public upstream sources, each file checked
against \`scripts/shared-fixtures.sha256\`: \`kfp-api/\` and \`kfp-pipelines/\` (kubeflow/pipelines),
\`github-api/\` (@octokit/openapi, octokit/graphql-schema).

Not here, because they have no public upstream: ${UNFETCHABLE.map((set) => `\`${set}/\``).join(', ')}.
`;

/** Fetch what is missing into `dir`; returns the files fetched. Throws when a file there or fetched differs. */
export async function fetchShared({
  dir = sharedDir,
  githubRaw = 'https://raw.githubusercontent.com',
  npmRegistry = 'https://registry.npmjs.org',
  log = () => {},
} = {}) {
  const entries = manifest();
  const missing = [];
  for (const [sum, file] of entries) {
    const abs = path.join(dir, file);
    if (!fs.existsSync(abs)) missing.push([sum, file]);
    else if (sha256(fs.readFileSync(abs)) !== sum) {
      throw new Error(`${abs} differs from its pinned upstream (sha256 ${sum}): delete it to fetch it again`);
    }
  }
  const cache = {};
  const fetchOne = async (sum, file) => {
    const src = sourceOf(file);
    const body = src.npm
      ? await githubSubset(npmRegistry, cache)
      : await download(`${githubRaw}/${src.repo}/${src.commit}/${src.path}`);
    const got = sha256(body);
    if (got !== sum) throw new Error(`${file}: fetched content has sha256 ${got}, expected ${sum}; nothing written`);
    const abs = path.join(dir, file);
    fs.mkdirSync(path.dirname(abs), { recursive: true });
    fs.writeFileSync(`${abs}.part`, body);
    fs.renameSync(`${abs}.part`, abs);
    log(`fetched ${file}`);
  };
  const queue = [...missing];
  const worker = async () => {
    for (let next; (next = queue.shift());) {
      try {
        await fetchOne(...next);
      } catch (err) {
        queue.length = 0; // the first failure stops the other workers
        throw err;
      }
    }
  };
  await Promise.all(Array.from({ length: 8 }, worker));
  if (!fs.existsSync(path.join(dir, 'README.md'))) fs.writeFileSync(path.join(dir, 'README.md'), README);
  return missing.map(([, file]) => file);
}

async function main(args) {
  const opts = { log: (line) => console.log(line) };
  const flags = { '--dir': 'dir', '--github-raw': 'githubRaw', '--npm-registry': 'npmRegistry' };
  for (let i = 0; i < args.length; i += 2) {
    if (!flags[args[i]] || args[i + 1] === undefined) {
      console.error('usage: node scripts/fetch-shared.mjs [--dir DIR] [--github-raw URL] [--npm-registry URL]');
      return 2;
    }
    opts[flags[args[i]]] = args[i + 1].replace(/\/+$/, '');
  }
  const dir = path.resolve(opts.dir ?? sharedDir);
  try {
    const fetched = await fetchShared({ ...opts, dir });
    console.log(
      fetched.length
        ? `${fetched.length} fixture files fetched into ${dir}`
        : `shared fixtures in ${dir} are complete: nothing fetched`,
    );
    return 0;
  } catch (err) {
    console.error(`error: ${err.message}`);
    return 1;
  }
}

// No top-level await: jest's globalSetup require()s this module for sharedDir.
if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main(process.argv.slice(2)).then((code) => (process.exitCode = code));
}
