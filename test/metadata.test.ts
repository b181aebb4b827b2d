import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, test } from '@jest/globals';
import { parse } from 'yaml';
import { NoOperationTraceWriter, parseWorkflow } from '@actions/workflow-parser';
import { parseAction } from '@actions/workflow-parser/actions/action-parser';
import { repoRoot } from './support/paths.js';

const rel = (p: string) => path.relative(repoRoot, p);
function yamlFiles(dir: string): string[] {
  const abs = path.join(repoRoot, dir);
  if (!fs.existsSync(abs)) return [];
  return fs
    .readdirSync(abs)
    .filter((f) => /\.ya?ml$/.test(f))
    .map((f) => path.join(abs, f));
}

const actionFiles = [
  path.join(repoRoot, 'action.yml'),
  ...fs.readdirSync(path.join(repoRoot, 'actions')).map((d) => path.join(repoRoot, 'actions', d, 'action.yml')),
];
const workflowFiles = [...yamlFiles('.github/workflows'), ...yamlFiles('workflows-templates')];

function parserErrors(result: { context: { errors: { getErrors(): { message: string }[] } } }): string[] {
  return result.context.errors.getErrors().map((e) => e.message);
}

describe("action.yml files (validated offline by GitHub's own parser)", () => {
  test.each(actionFiles.map((f) => [rel(f), f]))(
    '%s is valid, runs on node24, and its main exists in dist/',
    (_name, file) => {
      const content = fs.readFileSync(file, 'utf8');
      expect(parserErrors(parseAction({ name: rel(file), content }, new NoOperationTraceWriter()))).toEqual([]);
      const doc = parse(content);
      expect(doc.runs.using).toBe('node24');
      expect(fs.existsSync(path.resolve(path.dirname(file), doc.runs.main))).toBe(true);
      for (const [name, input] of Object.entries<{ description?: string }>(doc.inputs ?? {}))
        expect([name, !!input.description]).toEqual([name, true]);
      for (const [name, output] of Object.entries<{ description?: string }>(doc.outputs ?? {}))
        expect([name, !!output.description]).toEqual([name, true]);
    },
  );

  test('the parser does reject a broken action (so the check above can fail)', () => {
    const content = 'name: x\ndescription: y\nruns:\n  using: node99\n  main: index.js\n';
    expect(
      parserErrors(parseAction({ name: 'bad.yml', content }, new NoOperationTraceWriter())).length,
    ).toBeGreaterThan(0);
  });
});

describe('workflows and templates we ship', () => {
  test.each(workflowFiles.map((f) => [rel(f), f]))('%s is valid and follows the security rules', (_name, file) => {
    const content = fs.readFileSync(file, 'utf8');
    expect(parserErrors(parseWorkflow({ name: rel(file), content }, new NoOperationTraceWriter()))).toEqual([]);
    const doc = parse(content);
    const jobs = Object.entries<Record<string, unknown>>(doc.jobs ?? {});
    // Least privilege: permissions declared at the top or on every job.
    if (doc.permissions === undefined)
      for (const [id, job] of jobs) expect([id, job.permissions !== undefined]).toEqual([id, true]);
    for (const [id, job] of jobs) {
      for (const step of (job.steps as Record<string, string>[] | undefined) ?? []) {
        // No expression inside run: (script injection); values go through env:.
        if (step.run) expect([id, step.run, /\$\{\{/.test(step.run)]).toEqual([id, step.run, false]);
        // Third-party actions pinned by a full commit SHA; ours by $/ or a local path.
        if (step.uses && !step.uses.startsWith('$/') && !step.uses.startsWith('./'))
          expect([id, step.uses]).toEqual([id, expect.stringMatching(/@[0-9a-f]{40}$/)]);
      }
    }
  });

  test('the parser does reject a broken workflow', () => {
    const content = 'on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    stepz: []\n';
    expect(
      parserErrors(parseWorkflow({ name: 'bad.yml', content }, new NoOperationTraceWriter())).length,
    ).toBeGreaterThan(0);
  });
});
