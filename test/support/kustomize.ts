import fs from 'node:fs';
import path from 'node:path';
import { parseAllDocuments } from 'yaml';
import { runProcess } from '../../src/lib/proc.js';

/** A Kubernetes object as YAML gives it. */
export type K8sObject = {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string>; [k: string]: unknown };
  [k: string]: any;
};

export function parseManifests(text: string): K8sObject[] {
  return parseAllDocuments(text)
    .map((d) => d.toJS() as K8sObject | null)
    .filter((d): d is K8sObject => !!d);
}

/** `kubectl kustomize <dir>` when kubectl is on PATH; undefined otherwise. */
export async function kubectlKustomize(dir: string): Promise<K8sObject[] | undefined> {
  const r = await runProcess('kubectl', ['kustomize', dir], { cwd: dir }).catch(() => undefined);
  if (!r) return undefined;
  if (r.code !== 0) throw new Error(`kubectl kustomize ${dir} failed: ${r.stderr}`);
  return parseManifests(r.stdout);
}

const CLUSTER_SCOPED = new Set(['ClusterRole', 'ClusterRoleBinding', 'Namespace']);

interface Generator {
  name: string;
  envs?: string[];
  literals?: string[];
  behavior?: 'create' | 'merge' | 'replace';
}

function envPairs(lines: string[]): [string, string][] {
  return lines
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'))
    .map((l) => {
      const eq = l.indexOf('=');
      return [l.slice(0, eq), l.slice(eq + 1)];
    });
}

function generate(dir: string, gens: Generator[] | undefined, into: K8sObject[]): void {
  for (const g of gens ?? []) {
    const data = Object.fromEntries([
      ...(g.envs ?? []).flatMap((f) => envPairs(fs.readFileSync(path.join(dir, f), 'utf8').split('\n'))),
      ...envPairs(g.literals ?? []),
    ]);
    const existing = into.find((o) => o.kind === 'ConfigMap' && o.metadata.name === g.name);
    if (g.behavior === 'merge' || g.behavior === 'replace') {
      if (!existing)
        throw new Error(
          `${dir}: configMapGenerator ${g.name} has behavior ${g.behavior} but no ConfigMap to ${g.behavior}`,
        );
      existing.data = g.behavior === 'merge' ? { ...existing.data, ...data } : data;
    } else {
      if (existing) throw new Error(`${dir}: configMapGenerator ${g.name} already exists`);
      into.push({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: g.name }, data });
    }
  }
}

/**
 * The few kustomize features deploy/kubernetes uses, for machines without kubectl: resources (files
 * and folders), components, configMapGenerator (envs, literals, merge), labels (metadata only),
 * namespace (including ServiceAccount subjects of bindings) and nameSuffix (with the references to the
 * renamed objects: see renameReferences). Generated ConfigMaps keep their name
 * (kustomize adds a content hash). Anything else in a kustomization is refused, so this cannot
 * silently drift from what kustomize would do; the test compares both where kubectl exists.
 */
export function miniKustomize(dir: string): K8sObject[] {
  const k = parseManifests(fs.readFileSync(path.join(dir, 'kustomization.yaml'), 'utf8'))[0] as any;
  const known = new Set([
    'apiVersion',
    'kind',
    'resources',
    'components',
    'configMapGenerator',
    'labels',
    'namespace',
    'nameSuffix',
  ]);
  const unknown = Object.keys(k).filter((key) => !known.has(key));
  if (unknown.length)
    throw new Error(`${dir}/kustomization.yaml: miniKustomize does not support ${unknown.join(', ')}`);
  const out: K8sObject[] = [];
  for (const r of k.resources ?? []) {
    const p = path.join(dir, r);
    out.push(...(fs.statSync(p).isDirectory() ? miniKustomize(p) : parseManifests(fs.readFileSync(p, 'utf8'))));
  }
  // A component sees and changes everything accumulated so far (kustomize's order).
  for (const c of k.components ?? []) {
    const cdir = path.join(dir, c);
    const ck = parseManifests(fs.readFileSync(path.join(cdir, 'kustomization.yaml'), 'utf8'))[0] as any;
    if (ck.kind !== 'Component') throw new Error(`${cdir}: not a Component`);
    for (const r of ck.resources ?? []) out.push(...parseManifests(fs.readFileSync(path.join(cdir, r), 'utf8')));
    generate(cdir, ck.configMapGenerator, out);
  }
  generate(dir, k.configMapGenerator, out);
  if (k.nameSuffix) {
    const renamed = new Map(out.map((o) => [`${o.kind}/${o.metadata.name}`, `${o.metadata.name}${k.nameSuffix}`]));
    for (const o of out) o.metadata.name = `${o.metadata.name}${k.nameSuffix}`;
    for (const o of out) renameReferences(o, (kind, name) => renamed.get(`${kind}/${name}`) ?? name);
  }
  for (const o of out) {
    for (const l of k.labels ?? []) o.metadata.labels = { ...o.metadata.labels, ...l.pairs };
    if (k.namespace && !CLUSTER_SCOPED.has(o.kind)) o.metadata.namespace = k.namespace;
    if (k.namespace && (o.kind === 'RoleBinding' || o.kind === 'ClusterRoleBinding')) {
      for (const s of o.subjects ?? []) if (s.kind === 'ServiceAccount') s.namespace = k.namespace;
    }
  }
  return out;
}

/**
 * The references kustomize's nameReference transformer follows in what deploy/kubernetes holds: a pod's
 * service account and ConfigMaps (envFrom, env valueFrom, volumes), a binding's role and subjects. A name
 * of an object outside the build (a Secret the user creates) is left as it is.
 */
function renameReferences(o: K8sObject, to: (kind: string, name: string) => string): void {
  const pod =
    o.kind === 'CronJob' ? o.spec.jobTemplate.spec.template.spec : o.kind === 'Job' ? o.spec.template.spec : undefined;
  if (pod) {
    if (pod.serviceAccountName) pod.serviceAccountName = to('ServiceAccount', pod.serviceAccountName);
    for (const c of [...(pod.initContainers ?? []), ...(pod.containers ?? [])]) {
      for (const f of c.envFrom ?? []) if (f.configMapRef) f.configMapRef.name = to('ConfigMap', f.configMapRef.name);
      for (const e of c.env ?? [])
        if (e.valueFrom?.configMapKeyRef)
          e.valueFrom.configMapKeyRef.name = to('ConfigMap', e.valueFrom.configMapKeyRef.name);
    }
    for (const v of pod.volumes ?? []) if (v.configMap) v.configMap.name = to('ConfigMap', v.configMap.name);
  }
  if (o.kind === 'RoleBinding' || o.kind === 'ClusterRoleBinding') {
    o.roleRef.name = to(o.roleRef.kind, o.roleRef.name);
    for (const s of o.subjects ?? []) if (s.kind === 'ServiceAccount') s.name = to('ServiceAccount', s.name);
  }
}

/** kubectl's build when it is on PATH, else miniKustomize's; says which. */
export async function kustomize(dir: string): Promise<{ objects: K8sObject[]; by: 'kubectl' | 'miniKustomize' }> {
  const built = await kubectlKustomize(dir);
  return built ? { objects: built, by: 'kubectl' } : { objects: miniKustomize(dir), by: 'miniKustomize' };
}
