import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, test } from '@jest/globals';
import { actions } from '../src/actions/registry.js';
import { repoRoot } from './support/paths.js';

/*
 * Adding an action is a folder src/actions/<name>/ (spec.ts, main.ts, index.ts) plus one line in
 * src/actions/registry.ts. The build finds the folder by itself (scripts/build.mjs bundles every folder with
 * an index.ts); the CLI, the root dispatcher and the generated action.yml/README go through the registry.
 * These tests make a forgotten line or file fail here instead of silently leaving the action out.
 */

interface Layout {
  /** Folders under src/actions/. */
  folders: string[];
  /** Folders under actions/ (the published action.yml files). */
  published: string[];
  /** spec.name of each registry entry, in order. */
  registered: string[];
  exists: (rel: string) => boolean;
}

/** Everything that is missing, one line each; empty when the layout is complete. */
function layoutProblems({ folders, published, registered, exists }: Layout): string[] {
  const problems: string[] = [];
  for (const name of folders) {
    if (!registered.includes(name)) problems.push(`src/actions/${name}/ is not in src/actions/registry.ts`);
    for (const file of ['spec.ts', 'main.ts', 'index.ts']) {
      if (!exists(`src/actions/${name}/${file}`)) problems.push(`src/actions/${name}/${file} is missing`);
    }
    if (!exists(`actions/${name}/action.yml`)) {
      problems.push(`actions/${name}/action.yml is missing (run npm run build)`);
    }
  }
  for (const name of registered) {
    if (!folders.includes(name)) problems.push(`registry entry '${name}' has no folder src/actions/${name}/`);
  }
  for (const name of published) {
    if (!folders.includes(name)) {
      problems.push(`actions/${name}/ has no source folder src/actions/${name}/ (remove it or add the action)`);
    }
  }
  const twice = registered.filter((n, i) => registered.indexOf(n) !== i);
  for (const name of new Set(twice)) problems.push(`registry entry '${name}' is listed more than once`);
  return problems;
}

const folders = fs
  .readdirSync(path.join(repoRoot, 'src/actions'), { withFileTypes: true })
  .filter((d) => d.isDirectory())
  .map((d) => d.name)
  .sort();
const published = fs
  .readdirSync(path.join(repoRoot, 'actions'), { withFileTypes: true })
  .filter((d) => d.isDirectory())
  .map((d) => d.name);
const registered = actions.map((a) => a.spec.name);
const exists = (rel: string) => fs.existsSync(path.join(repoRoot, rel));

describe('every action folder is wired in (src/actions/registry.ts, its files, actions/<name>/action.yml)', () => {
  test('nothing is missing', () => {
    expect(folders.length).toBeGreaterThan(0);
    expect(layoutProblems({ folders, published, registered, exists })).toEqual([]);
  });

  test('a forgotten registry line, file or action.yml is reported (so the check above can fail)', () => {
    const first = folders[0]!;
    expect(layoutProblems({ folders: [...folders, 'new-action'], published, registered, exists })).toEqual([
      'src/actions/new-action/ is not in src/actions/registry.ts',
      'src/actions/new-action/spec.ts is missing',
      'src/actions/new-action/main.ts is missing',
      'src/actions/new-action/index.ts is missing',
      'actions/new-action/action.yml is missing (run npm run build)',
    ]);
    expect(layoutProblems({ folders, published, registered: [...registered, first], exists })).toEqual([
      `registry entry '${first}' is listed more than once`,
    ]);
    expect(layoutProblems({ folders: folders.slice(1), published, registered, exists })).toEqual([
      `registry entry '${first}' has no folder src/actions/${first}/`,
      `actions/${first}/ has no source folder src/actions/${first}/ (remove it or add the action)`,
    ]);
  });

  test.each(folders)('%s: the registry holds its own spec and loads its own main', async (name) => {
    const entry = actions.find((a) => a.spec.name === name);
    expect(entry).toBeDefined();
    const own = (await import(`../src/actions/${name}/spec.js`)) as { spec: unknown };
    const main = (await import(`../src/actions/${name}/main.js`)) as { run: unknown };
    expect(entry!.spec).toBe(own.spec);
    expect(await entry!.load()).toBe(main.run);
  });
});

test.each(folders)('%s: its spec imports shared inputs from their domain, not from another action', (name) => {
  const source = fs.readFileSync(path.join(repoRoot, 'src/actions', name, 'spec.ts'), 'utf8');
  const imports = [...source.matchAll(/from '([^']+)'/g)].map((m) => m[1]!);
  expect(imports.filter((i) => i.startsWith('../') && !i.startsWith('../../'))).toEqual([]);
  expect(imports.length).toBeGreaterThan(0);
});
