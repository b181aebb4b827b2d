import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, test } from '@jest/globals';
import { RECONCILER_NODE_OPTIONS } from '../../src/reconcile/node-options.js';
import { repoRoot } from '../support/paths.js';
import { type K8sObject, kubectlKustomize, kustomize, miniKustomize } from '../support/kustomize.js';

/**
 * deploy/kubernetes builds with kustomize (kubectl's when on PATH, else the test's miniKustomize)
 * and every object validates against the Kubernetes API schemas of the `kubernetes-models` package;
 * the pull-mode rules (no overlap, off switch, projected KFP token, no secrets, least privilege,
 * non-root, pinned images and CLI) are checked on what is built.
 */
const deployDir = path.join(repoRoot, 'deploy/kubernetes');
const overlays = fs.readdirSync(path.join(deployDir, 'overlays')).sort();
const TOKEN_DIR = '/var/run/secrets/kubeflow/pipelines';

/** The kubernetes-models class of an object, e.g. kubernetes-models/batch/v1/CronJob. */
async function modelOf(o: K8sObject): Promise<new (data: unknown) => { validate(): void }> {
  const mod = await import(`kubernetes-models/${o.apiVersion}/${o.kind}`);
  return mod[o.kind];
}

async function schemaErrors(objects: K8sObject[]): Promise<string[]> {
  const errors: string[] = [];
  for (const o of objects) {
    try {
      new (await modelOf(o))(o).validate();
    } catch (err) {
      errors.push(`${o.kind}/${o.metadata.name}: ${(err as Error).message}`);
    }
  }
  return errors;
}

const pods = (objects: K8sObject[]) =>
  objects.flatMap((o) =>
    o.kind === 'CronJob'
      ? [{ owner: o, pod: o.spec.jobTemplate.spec.template.spec }]
      : o.kind === 'Job'
        ? [{ owner: o, pod: o.spec.template.spec }]
        : [],
  );

test('there are overlays to check', () => {
  expect(overlays).toEqual(expect.arrayContaining(['all-reconcilers', 'argocd-postsync', 'example', 'sharded']));
});

describe.each(overlays)('overlay %s', (overlay) => {
  const dir = path.join(deployDir, 'overlays', overlay);

  test('builds and every object fits the Kubernetes API schema', async () => {
    const { objects, by } = await kustomize(dir);
    if (by !== 'kubectl')
      process.stderr.write(`note: kubectl is not on PATH; ${overlay} built with the test's miniKustomize\n`);
    expect(objects.length).toBeGreaterThanOrEqual(5);
    expect(await schemaErrors(objects)).toEqual([]);
  });

  test('pull-mode rules hold for every workload', async () => {
    const { objects } = await kustomize(dir);
    expect(objects.filter((o) => o.kind === 'Secret')).toEqual([]);
    const text = JSON.stringify(objects);
    expect(text).not.toMatch(/eyJ[A-Za-z0-9_-]{10,}|gh[pousr]_[A-Za-z0-9]{20,}|password/i);
    for (const cj of objects.filter((o) => o.kind === 'CronJob')) {
      expect({
        name: cj.metadata.name,
        concurrencyPolicy: cj.spec.concurrencyPolicy,
        suspend: cj.spec.suspend,
        timeZone: cj.spec.timeZone,
      }).toEqual({ name: cj.metadata.name, concurrencyPolicy: 'Forbid', suspend: false, timeZone: 'Etc/UTC' });
      expect(cj.spec.startingDeadlineSeconds).toBeGreaterThan(0);
    }
    const workloads = pods(objects);
    expect(workloads.length).toBeGreaterThan(0);
    // The service account of the build (one per shard in the sharded overlay: kfp-gitops-shard-<n>).
    const accounts = objects.filter((o) => o.kind === 'ServiceAccount').map((o) => o.metadata.name);
    for (const { owner, pod } of workloads) {
      const where = `${owner.kind}/${owner.metadata.name}`;
      expect([
        where,
        accounts.includes(pod.serviceAccountName) && /^kfp-gitops(-shard-\d+)?$/.test(pod.serviceAccountName),
        pod.automountServiceAccountToken,
        pod.securityContext.runAsNonRoot,
      ]).toEqual([where, true, false, true]);
      for (const c of [...pod.initContainers, ...pod.containers]) {
        expect([where, c.name, c.securityContext]).toEqual([
          where,
          c.name,
          { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } },
        ]);
        expect(c.resources.requests).toEqual({ cpu: expect.any(String), memory: expect.any(String) });
        expect(c.resources.limits.memory).toEqual(expect.any(String));
        expect(c.image).toMatch(/^[^:@]+(:[\w.-]+|@sha256:[0-9a-f]{64})$/);
        expect(c.image).not.toMatch(/:latest$/);
      }
      // git-sync fetches the configs once, before the CLI runs.
      const [sync] = pod.initContainers;
      expect(sync.image).toMatch(/^registry\.k8s\.io\/git-sync\/git-sync:v4\./);
      expect(sync.args).toEqual(expect.arrayContaining(['--one-time', '--repo=$(CONFIG_REPO)', '--ref=$(CONFIG_REF)']));
      // The official Node image runs the published CLI at an exact version.
      const [main] = pod.containers;
      expect(main.image).toMatch(/^node:\d+\.\d+\.\d+-alpine$/);
      expect([...main.command, ...main.args].join(' ')).toMatch(/(^|\n|"|\s)npx --yes kfp-gitops@\d+\.\d+\.\d+( |")/);
      // A reconciler runs with the Node options every reconciler runs with.
      if (main.args?.[0] === 'apply')
        expect([where, main.env.find((e: any) => e.name === 'NODE_OPTIONS')?.value]).toEqual([
          where,
          RECONCILER_NODE_OPTIONS,
        ]);
      // KFP access: a projected, expiring token for KFP's audience, read from a file by the CLI.
      const tokenMount = main.volumeMounts.find((m: any) => m.mountPath === TOKEN_DIR);
      if (tokenMount) {
        const volume = pod.volumes.find((v: any) => v.name === tokenMount.name);
        expect(volume.projected.sources).toEqual([
          { serviceAccountToken: { audience: 'pipelines.kubeflow.org', expirationSeconds: 3600, path: 'token' } },
        ]);
        expect(JSON.stringify(main.args)).toContain(`--kfp-token-file=${TOKEN_DIR}/token`);
      }
    }
    // Least privilege: no Kubernetes API access at all, only KFP's authorization resources.
    for (const sa of objects.filter((o) => o.kind === 'ServiceAccount'))
      expect(sa.automountServiceAccountToken).toBe(false);
    for (const role of objects.filter((o) => o.kind === 'ClusterRole' || o.kind === 'Role')) {
      for (const rule of role.rules) {
        expect(rule.apiGroups).toEqual(['pipelines.kubeflow.org']);
        expect(rule.verbs).not.toContain('*');
      }
    }
    const bindings = objects.filter((o) => o.kind === 'RoleBinding');
    expect(bindings.length).toBe(accounts.length);
    for (const binding of bindings) {
      expect(binding.subjects).toEqual([
        { kind: 'ServiceAccount', name: expect.stringMatching(/^kfp-gitops/), namespace: binding.metadata.namespace },
      ]);
      expect(accounts).toContain(binding.subjects[0].name);
      expect(binding.metadata.namespace).toEqual(expect.any(String));
    }
  });

  test('miniKustomize builds what kubectl kustomize builds (ConfigMap hash aside)', async () => {
    const real = await kubectlKustomize(dir);
    if (!real) {
      process.stderr.write('skipping the builder comparison: kubectl is not on PATH\n');
      return;
    }
    const unhash = (objects: K8sObject[]) =>
      Object.fromEntries(
        objects.map((o) => [
          `${o.kind}/${o.metadata.name.replace(/-[a-z0-9]{10}$/, '')}`,
          JSON.parse(JSON.stringify(o).replace(/"(kfp-gitops-settings(?:-shard-\d+)?)-[a-z0-9]{10}"/g, '"$1"')),
        ]),
      );
    const mine = unhash(miniKustomize(dir));
    const theirs = unhash(real);
    expect(Object.keys(mine).sort()).toEqual(Object.keys(theirs).sort());
    for (const key of Object.keys(theirs)) {
      const { metadata: m1, ...rest1 } = mine[key];
      const { metadata: m2, ...rest2 } = theirs[key];
      expect([key, rest1, { ...m1, name: m1.name.replace(/-[a-z0-9]{10}$/, '') }]).toEqual([
        key,
        rest2,
        { ...m2, name: m2.name.replace(/-[a-z0-9]{10}$/, '') },
      ]);
    }
  });
});

test('sharded: one CronJob per shard, the same pod with its own settings and service account; shards never overlap', async () => {
  const { objects } = await kustomize(path.join(deployDir, 'overlays/sharded'));
  const crons = objects.filter((o) => o.kind === 'CronJob');
  expect(crons.map((c) => c.metadata.name).sort()).toEqual(['kfp-gitops-apply-shard-1', 'kfp-gitops-apply-shard-2']);
  const settingsOf = (cron: K8sObject) => {
    const ref = cron.spec.jobTemplate.spec.template.spec.containers[0].envFrom[0].configMapRef.name;
    return objects.find((o) => o.kind === 'ConfigMap' && o.metadata.name === ref)!.data;
  };
  const [one, two] = crons.sort((a, b) => (a.metadata.name < b.metadata.name ? -1 : 1)) as [K8sObject, K8sObject];
  // The shared settings reach every shard; only CONFIG_FOLDERS differs.
  const { CONFIG_FOLDERS: f1, ...rest1 } = settingsOf(one);
  const { CONFIG_FOLDERS: f2, ...rest2 } = settingsOf(two);
  expect(rest1).toEqual(rest2);
  expect(rest1.CONFIG_REPO).toBe('https://github.com/your-org/kfp-schedules.git');
  expect([f1, f2]).toEqual(['schedules/team-[a-m]*', 'schedules/team-[n-z]*']);
  // The same pod apart from the names kustomize suffixed.
  const unsuffixed = (cron: K8sObject) =>
    JSON.parse(JSON.stringify(cron.spec).replace(/(kfp-gitops(?:-settings)?)-shard-\d+(-[a-z0-9]{10})?/g, '$1'));
  expect(unsuffixed(one)).toEqual(unsuffixed(two));
  const base = (await kustomize(path.join(deployDir, 'overlays/example'))).objects.find((o) => o.kind === 'CronJob')!;
  expect(unsuffixed(one)).toEqual(
    JSON.parse(JSON.stringify(base.spec).replace(/(kfp-gitops-settings)-[a-z0-9]{10}/g, '$1')),
  );
});

test('the Argo CD PostSync Job runs the same pod as the apply CronJob', async () => {
  const { objects } = await kustomize(path.join(deployDir, 'overlays/argocd-postsync'));
  const cron = objects.find((o) => o.kind === 'CronJob' && o.metadata.name === 'kfp-gitops-apply')!;
  const job = objects.find((o) => o.kind === 'Job')!;
  expect(job.metadata.annotations).toEqual({
    'argocd.argoproj.io/hook': 'PostSync',
    'argocd.argoproj.io/hook-delete-policy': 'BeforeHookCreation,HookSucceeded',
  });
  expect(job.spec.template).toEqual(cron.spec.jobTemplate.spec.template);
});

test('the schema check can fail: a bad concurrencyPolicy and a non-numeric quantity are reported', async () => {
  const { objects } = await kustomize(path.join(deployDir, 'overlays/example'));
  const cron = structuredClone(objects.find((o) => o.kind === 'CronJob')!);
  cron.spec.concurrencyPolicy = 'Never';
  cron.spec.jobTemplate.spec.template.spec.containers[0].resources.requests.cpu = { much: true };
  const [error] = await schemaErrors([cron]);
  expect(error).toMatch(
    /CronJob\/kfp-gitops-apply: .*spec\/concurrencyPolicy must be equal to one of the allowed values.*requests\/cpu must be/,
  );
});
