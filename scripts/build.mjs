// Bundles every action, the root dispatcher and the CLI with ncc: dist/<name>/index.js.
// `npm run build` rebuilds all; `npm run build -- check-rendered cli` only those entries.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { transformSync } from 'esbuild';
import { writeValidators } from './gen-validators.mjs';

const root = path.resolve(import.meta.dirname, '..');
const actionNames = fs
  .readdirSync(path.join(root, 'src/actions'), { withFileTypes: true })
  .filter((d) => d.isDirectory() && fs.existsSync(path.join(root, 'src/actions', d.name, 'index.ts')))
  .map((d) => d.name);
const entries = [
  ...actionNames.map((name) => ({ name, src: `src/actions/${name}/index.ts` })),
  { name: 'main', src: 'src/main.ts' },
  { name: 'cli', src: 'src/cli/index.ts' },
];
const wanted = process.argv.slice(2);
const selected = wanted.length ? entries.filter((e) => wanted.includes(e.name)) : entries;
if (wanted.length && selected.length !== wanted.length) {
  console.error(`unknown entry; known: ${entries.map((e) => e.name).join(', ')}`);
  process.exit(2);
}
if (!wanted.length) {
  // Remove bundles of entries that no longer exist.
  for (const d of fs.existsSync(path.join(root, 'dist')) ? fs.readdirSync(path.join(root, 'dist')) : []) {
    if (!entries.some((e) => e.name === d)) fs.rmSync(path.join(root, 'dist', d), { recursive: true, force: true });
  }
}

// Generated source first, so that every bundle (and check-dist) sees the current JSON Schemas.
writeValidators();

const ncc = path.join(root, 'node_modules/@vercel/ncc/dist/ncc/cli.js');
function build({ name, src }) {
  const out = path.join(root, 'dist', name);
  fs.rmSync(out, { recursive: true, force: true });
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      [ncc, 'build', src, '-o', out, '--license', 'licenses.txt', '--minify', '-q'],
      { cwd: root, stdio: 'inherit' },
    );
    child.on('close', (code) => {
      if (code !== 0) return reject(new Error(`ncc failed for ${name} (exit ${code})`));
      // ncc minifies only the entry file (terser); esbuild minifies it and the lazily loaded chunks here, which
      // keeps each action's bundle under 1 MB (the entry alone shrinks by ~35 KB).
      for (const chunk of fs.readdirSync(out).filter((f) => /^(\d+\.)?index\.js$/.test(f))) {
        const file = path.join(out, chunk);
        fs.writeFileSync(
          file,
          transformSync(fs.readFileSync(file, 'utf8'), {
            minify: true,
            format: 'esm',
            target: 'node20',
            legalComments: 'none',
          }).code,
        );
      }
      if (name === 'cli') {
        const file = path.join(out, 'index.js');
        const js = fs.readFileSync(file, 'utf8');
        if (!js.startsWith('#!')) fs.writeFileSync(file, `#!/usr/bin/env node\n${js}`);
        fs.chmodSync(file, 0o755);
      }
      console.log(`built dist/${name}`);
      resolve();
    });
  });
}

const queue = [...selected];
const workers = Array.from({ length: 2 }, async () => {
  while (queue.length) await build(queue.shift());
});
await Promise.all(workers);
if (selected.some((e) => e.name === 'cli')) {
  // action.yml files and README tables come from the specs bundled in the CLI.
  await new Promise((resolve, reject) =>
    spawn(process.execPath, [path.join(root, 'scripts/gen-docs.mjs')], { cwd: root, stdio: 'inherit' }).on(
      'close',
      (c) => (c === 0 ? resolve() : reject(new Error('gen-docs failed'))),
    ),
  );
}
