// Writes actions/<name>/action.yml, the root action.yml and the README's action tables from the
// action specs in src/actions/<name>/spec.ts (read through the built CLI: `kfp-gitops specs`).
// Run by `npm run build`; `--check` only reports files that would change (exit 1).
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import YAML from 'yaml';

const root = path.resolve(import.meta.dirname, '..');
const check = process.argv.includes('--check');
const specs = JSON.parse(
  execFileSync(process.execPath, [path.join(root, 'dist/cli/index.js'), 'specs'], { encoding: 'utf8' }),
);
const changed = [];

function write(rel, content) {
  const file = path.join(root, rel);
  const old = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : undefined;
  if (old === content) return;
  changed.push(rel);
  if (!check) {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, content);
  }
}

// The description with the allowed values or range the input's kind has (`form`, from `kfp-gitops specs`).
const describe = (i) => (i.form ? `${i.description} ${i.form}` : i.description);

function inputsYaml(inputs, { withDefaults }) {
  const out = {};
  for (const [name, i] of Object.entries(inputs)) {
    const entry = { description: describe(i), required: !!i.required };
    const def = i.actionDefault ?? (withDefaults ? i.default : undefined);
    if (def !== undefined && def !== '') entry.default = def;
    out[name] = entry;
  }
  return out;
}

function actionYml(doc, source) {
  const header = `# Generated from ${source} by \`npm run build\`: edit that file, not this one.\n`;
  return header + YAML.stringify(doc, { lineWidth: 0 });
}

for (const spec of specs) {
  write(
    `actions/${spec.name}/action.yml`,
    actionYml(
      {
        name: spec.title,
        description: spec.description,
        author: 'kfp-gitops',
        branding: { icon: 'git-pull-request', color: 'blue' },
        inputs: inputsYaml(spec.inputs, { withDefaults: true }),
        outputs: spec.outputs,
        runs: { using: 'node24', main: `../../dist/${spec.name}/index.js` },
      },
      `src/actions/${spec.name}/spec.ts`,
    ),
  );
}

// Root dispatcher: the union of all inputs. No defaults here: each command applies its own.
const union = {
  command: { description: `The action to run: ${specs.map((s) => s.name).join(' | ')}.`, required: true },
};
const outputs = {};
for (const spec of specs) {
  for (const [name, i] of Object.entries(spec.inputs)) {
    const users = specs.filter((s) => s.inputs[name]).map((s) => s.name);
    if (!union[name]) {
      union[name] = { description: `(${users.join(', ')}) ${describe(i)}`, required: false };
      if (i.actionDefault) union[name].default = i.actionDefault;
    }
  }
  for (const [name, o] of Object.entries(spec.outputs)) {
    const users = specs.filter((s) => s.outputs[name]).map((s) => s.name);
    outputs[name] ??= { description: `(${users.join(', ')}) ${o.description}` };
  }
}
write(
  'action.yml',
  actionYml(
    {
      name: 'KFP GitOps',
      description:
        'Runs any kfp-gitops action chosen by the `command` input; prefer `uses: your-org/kfp-gitops/actions/<name>@v1`.',
      author: 'kfp-gitops',
      branding: { icon: 'git-pull-request', color: 'blue' },
      inputs: union,
      outputs,
      runs: { using: 'node24', main: 'dist/main/index.js' },
    },
    'src/actions/*/spec.ts',
  ),
);

// README: one section per action with its inputs and outputs.
const cell = (s) => String(s).replace(/\|/g, '\\|').replace(/\n/g, '<br>');
let tables = '';
for (const spec of specs) {
  tables += `### \`${spec.name}\`\n\n${spec.description}\n\n\`uses: your-org/kfp-gitops/actions/${spec.name}@v1\` · CLI: \`kfp-gitops ${spec.name}\`\n\n`;
  tables += '| input | required | default | description |\n| --- | --- | --- | --- |\n';
  for (const [name, i] of Object.entries(spec.inputs)) {
    const def = i.actionDefault ?? i.default ?? '';
    tables += `| \`${name}\` | ${i.required ? 'yes' : 'no'} | ${def ? `\`${cell(def)}\`` : ''} | ${cell(describe(i))} |\n`;
  }
  tables += '\n| output | description |\n| --- | --- |\n';
  for (const [name, o] of Object.entries(spec.outputs)) tables += `| \`${name}\` | ${cell(o.description)} |\n`;
  tables += '\n';
}
const readmePath = 'README.md';
const readme = fs.readFileSync(path.join(root, readmePath), 'utf8');
const start = '<!-- actions:start -->';
const end = '<!-- actions:end -->';
if (readme.includes(start) && readme.includes(end)) {
  const next =
    readme.slice(0, readme.indexOf(start) + start.length) + '\n' + tables + readme.slice(readme.indexOf(end));
  write(readmePath, next);
}

if (changed.length) console.log(`${check ? 'out of date' : 'wrote'}: ${changed.join(', ')}`);
if (check && changed.length) process.exit(1);
