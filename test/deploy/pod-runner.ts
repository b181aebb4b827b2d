import fsSync from 'node:fs';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { git } from '../../src/lib/git.js';
import { type ProcResult, runProcess } from '../../src/lib/proc.js';
import { entryArgs } from '../support/run-action.js';
import type { K8sObject } from '../support/kustomize.js';

/**
 * Runs a pod of deploy/kubernetes on this machine as the kubelet would, with two substitutions:
 * the git-sync init container is replaced by what it does (a `git clone --depth 1 --branch <ref>`
 * into `<root>/.worktrees/<sha>` and the `<root>/<link>` symlink: git-sync v4's documented
 * contract, README "The --root directory"), and the published CLI (`npx --yes kfp-gitops@X`) by
 * this checkout's CLI (its sources, or dist/cli/index.js: see entryArgs). Everything else is taken
 * from the manifest: the command line, `$(VAR)` expansion from envFrom/env, workingDir and the
 * volume mount paths (mapped to temp folders). `volumes` gives the content of projected volumes (the KFP token).
 */
export interface PodRun extends ProcResult {
  /** Host folder of each volume, by volume name. */
  volumeDirs: Record<string, string>;
  /** The command line that ran, after substitution (without the node flags that start the CLI from src/). */
  argv: string[];
}

export interface PodOptions {
  /** Settings replacing the ConfigMap's values, as a user's overlay would (e.g. CONFIG_REPO). */
  settings?: Record<string, string>;
  /** Values of secretKeyRef env entries, by `secret/key`. */
  secrets?: Record<string, string>;
  /** Files of non-emptyDir volumes, by volume name then file name; a volume left out is absent. */
  volumes?: Record<string, Record<string, string>>;
  /** Extra environment the test needs (emulator URLs, a pinned clock); never a manifest value. */
  env?: Record<string, string>;
}

// The CLI's entry file, and the node flags it needs (none for the bundle; see entryArgs).
const CLI = entryArgs('cli').at(-1)!;
const NODE_FLAGS = entryArgs('cli').slice(0, -1);
/** What node:*-alpine offers besides node (busybox): no git, so the CLI is run without it too. */
const IMAGE_TOOLS = ['sh', 'sed'];
const NPX = /npx --yes kfp-gitops@\d+\.\d+\.\d+/;

/** Kubernetes' `$(VAR)` expansion: defined names are replaced, `$$` escapes, others stay as written. */
export function expandK8s(text: string, env: Record<string, string>): string {
  return text.replace(/\$\$|\$\(([A-Za-z_][A-Za-z0-9_]*)\)/g, (m, name: string | undefined) =>
    m === '$$' ? '$' : name !== undefined && name in env ? env[name]! : m,
  );
}

/** The pod template spec of a CronJob or Job. */
export function podOf(o: K8sObject): any {
  return o.kind === 'CronJob' ? o.spec.jobTemplate.spec.template.spec : o.spec.template.spec;
}

function containerEnv(c: any, configMaps: K8sObject[], opts: PodOptions): Record<string, string> {
  const env: Record<string, string> = {};
  for (const from of c.envFrom ?? []) {
    const cm = configMaps.find((o) => o.metadata.name === from.configMapRef?.name);
    if (!cm) throw new Error(`envFrom names ConfigMap ${from.configMapRef?.name}, which the build does not have`);
    Object.assign(env, cm.data, opts.settings);
  }
  for (const e of c.env ?? []) {
    if (e.value !== undefined) env[e.name] = expandK8s(e.value, env);
    else if (e.valueFrom?.secretKeyRef) {
      const key = `${e.valueFrom.secretKeyRef.name}/${e.valueFrom.secretKeyRef.key}`;
      if (!(key in (opts.secrets ?? {}))) throw new Error(`the pod needs the Secret value ${key}`);
      env[e.name] = opts.secrets![key]!;
    } else throw new Error(`env ${e.name}: only value and secretKeyRef are supported here`);
  }
  return env;
}

/** Container paths → host folders, in one pass (so a host path under /tmp is never mapped twice). */
function pathMapper(mounts: { mountPath: string; name: string }[], volumeDirs: Record<string, string>) {
  if (!mounts.length) return (s: string) => s;
  const sorted = [...mounts].sort((a, b) => b.mountPath.length - a.mountPath.length);
  const re = new RegExp(
    `(?<![\\w./-])(${sorted.map((m) => m.mountPath.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|')})(?=/|$|[^\\w.-])`,
    'g',
  );
  return (s: string) => s.replace(re, (p) => volumeDirs[sorted.find((m) => m.mountPath === p)!.name]!);
}

async function gitSync(c: any, env: Record<string, string>, map: (s: string) => string): Promise<void> {
  const flags = new Map<string, string>();
  for (const a of c.args as string[]) {
    const m = /^--([a-z-]+)(?:=(.*))?$/.exec(expandK8s(a, env));
    if (!m) throw new Error(`git-sync argument '${a}' is not --flag[=value]`);
    flags.set(m[1]!, m[2] ?? 'true');
  }
  if (flags.get('one-time') !== 'true') throw new Error('git-sync must run with --one-time in a Job');
  const root = map(flags.get('root')!);
  const tmp = path.join(root, '.worktrees', 'syncing');
  await fs.mkdir(path.dirname(tmp), { recursive: true });
  await git(root, [
    'clone',
    '-q',
    '--depth',
    flags.get('depth') ?? '1',
    '--branch',
    flags.get('ref')!,
    flags.get('repo')!,
    tmp,
  ]);
  const sha = (await git(tmp, ['rev-parse', 'HEAD'])).trim();
  await fs.rename(tmp, path.join(root, '.worktrees', sha));
  const link = flags.get('link')!;
  await fs.symlink(path.join('.worktrees', sha), path.isAbsolute(link) ? map(link) : path.join(root, link));
}

export async function runPod(workload: K8sObject, configMaps: K8sObject[], opts: PodOptions = {}): Promise<PodRun> {
  const pod = podOf(workload);
  const base = await fs.mkdtemp(path.join(os.tmpdir(), 'kfp-gitops-pod-'));
  const volumeDirs: Record<string, string> = {};
  for (const v of pod.volumes ?? []) {
    const dir = path.join(base, v.name);
    volumeDirs[v.name] = dir;
    if (v.emptyDir) await fs.mkdir(dir);
    else if (opts.volumes?.[v.name]) {
      await fs.mkdir(dir);
      for (const [file, content] of Object.entries(opts.volumes[v.name]!))
        await fs.writeFile(path.join(dir, file), content, { mode: 0o600 });
    }
  }
  for (const c of pod.initContainers ?? []) {
    if (!/\/git-sync:/.test(c.image)) throw new Error(`init container ${c.name}: only git-sync is emulated`);
    await gitSync(c, containerEnv(c, configMaps, opts), pathMapper(c.volumeMounts ?? [], volumeDirs));
  }
  if (pod.containers.length !== 1) throw new Error('one main container expected');
  const c = pod.containers[0];
  const env = containerEnv(c, configMaps, opts);
  const map = pathMapper(c.volumeMounts ?? [], volumeDirs);
  const expanded = [...c.command, ...(c.args ?? [])].map((a: string) => map(expandK8s(a, env)));
  let argv: string[];
  let nodeFlags: string[] = [];
  if (new RegExp(`^${NPX.source}$`).test(expanded.slice(0, 3).join(' '))) {
    argv = [process.execPath, CLI, ...expanded.slice(3)];
    nodeFlags = NODE_FLAGS;
  } else if (expanded[0] === 'sh' && NPX.test(expanded.join(' '))) {
    const node = [process.execPath, ...NODE_FLAGS, CLI];
    if (/\s/.test(node.join('')))
      throw new Error('the node and CLI paths must not contain spaces to stand in for npx in a script');
    argv = expanded.map((a) => a.replace(new RegExp(NPX.source, 'g'), node.join(' ')));
  } else throw new Error(`the container does not run the published CLI: ${expanded.join(' ')}`);
  const hostEnv = Object.fromEntries(Object.entries({ ...env, ...opts.env }).map(([k, v]) => [k, map(v)]));
  if (argv[0] === 'sh') argv[0] = '/bin/sh';
  const bin = path.join(base, 'image-bin');
  await fs.mkdir(bin);
  for (const tool of IMAGE_TOOLS) {
    const found = (process.env.PATH ?? '')
      .split(path.delimiter)
      .map((d) => path.join(d, tool))
      .find((f) => fsSync.existsSync(f));
    if (found) await fs.symlink(found, path.join(bin, tool));
  }
  const r = await runProcess(argv[0]!, [...nodeFlags, ...argv.slice(1)], {
    cwd: map(c.workingDir),
    env: { PATH: bin, ...hostEnv },
  });
  return { ...r, volumeDirs, argv };
}
