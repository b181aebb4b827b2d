// `npm run bench`: figures, not pass/fail. For each bundle in dist/: its size and its cold start to the first
// "missing required input" exit (median of several runs). Further benchmarks register in scripts/bench/.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { RECONCILER_NODE_OPTIONS } from '../src/reconcile/node-options.ts';

const root = path.resolve(import.meta.dirname, '..');
const RUNS = Number(process.env.BENCH_RUNS || 15);
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

function coldStart(entry) {
  const env = { PATH: process.env.PATH, HOME: process.env.HOME };
  const times = [];
  let last;
  for (let i = 0; i < RUNS + 1; i++) {
    const t0 = process.hrtime.bigint();
    last = spawnSync(process.execPath, [entry], { env, encoding: 'utf8' });
    const ms = Number(process.hrtime.bigint() - t0) / 1e6;
    if (i > 0) times.push(ms); // first run warms the file cache
  }
  return {
    ms: median(times),
    exit: last.status,
    said: (last.stdout + last.stderr).split('\n').find((l) => l.includes('required')) ?? '',
  };
}

const rows = [];
for (const name of fs.readdirSync(path.join(root, 'dist')).sort()) {
  const dir = path.join(root, 'dist', name);
  const index = path.join(dir, 'index.js');
  if (!fs.existsSync(index)) continue;
  const jsFiles = fs.readdirSync(dir).filter((f) => f.endsWith('.js'));
  const total = jsFiles.reduce((n, f) => n + fs.statSync(path.join(dir, f)).size, 0);
  const entrySize = fs.statSync(index).size;
  const start = name === 'cli' ? { ms: NaN, exit: null, said: '' } : coldStart(index);
  rows.push({
    bundle: name,
    entry_kb: +(entrySize / 1024).toFixed(1),
    total_kb: +(total / 1024).toFixed(1),
    cold_start_ms: +start.ms.toFixed(1),
    exit: start.exit,
    first_error: start.said.slice(0, 80),
  });
}
console.log(
  `Bundles (target: ≤ 1024 KB loaded and ≤ 150 ms cold start each; Node ${process.versions.node}, median of ${RUNS} runs):`,
);
console.table(rows);
for (const r of rows) console.log(JSON.stringify({ benchmark: 'bundle', ...r }));

// TypeScript benchmarks in bench/: bundled with ncc into .tmp/ (not committed), then run as every reconciler runs
// (with RECONCILER_NODE_OPTIONS, as deploy/kubernetes and reconcile.yml set it).
const ncc = path.join(root, 'node_modules/@vercel/ncc/dist/ncc/cli.js');
for (const f of fs
  .readdirSync(path.join(root, 'bench'))
  .filter((f) => f.endsWith('.ts'))
  .sort()) {
  const out = path.join(root, '.tmp/bench', path.basename(f, '.ts'));
  console.log(`\n== bench/${f}`);
  const built = spawnSync(process.execPath, [ncc, 'build', path.join('bench', f), '-o', out, '-q'], {
    stdio: 'inherit',
    cwd: root,
  });
  if (built.status !== 0) continue;
  const r = spawnSync(process.execPath, [path.join(out, 'index.js')], {
    stdio: 'inherit',
    cwd: root,
    env: { ...process.env, NODE_OPTIONS: RECONCILER_NODE_OPTIONS },
  });
  if (r.status !== 0) console.log(`(bench/${f} exited ${r.status})`);
}
