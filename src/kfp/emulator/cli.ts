import { DEFAULT_KFP_VERSION } from '../version.js';
import { loadAuthFile } from './auth-file.js';
import { loadFaultsFile } from './faults-file.js';
import { startKfpEmulator } from './server.js';

const USAGE = `Usage: kfp-gitops kfp-emulator [--port N] [--state-file FILE] [--latency-ms N] [--prefix /pipeline] [--single-user]
       [--require-namespace-for-pipelines] [--auth FILE] [--faults FILE] [--kfp-version X.Y.Z] [--fail-runs REGEX] [--hang-runs REGEX] [--default-service-account NAME]

Serve an emulator of the Kubeflow Pipelines REST API (v1beta1 and v2beta1, as KFP 2.17) on
127.0.0.1 until interrupted. Give the printed URL to actions as kfp-host.

  --port N            port to listen on (0 = any free port; default 8888)
  --state-file FILE   load state from FILE if it exists and save it after every change
  --latency-ms N      every API call takes at least N ms (the emulator's own work included)
  --prefix PATH       path the API is served under (default /pipeline, as behind the Kubeflow gateway);
                      it answers at the root too, as the in-cluster ml-pipeline service does
  --single-user       single-user KFP (no namespaces)
  --require-namespace-for-pipelines
                      multi-user KFP with REQUIRE_NAMESPACE_FOR_PIPELINES: pipeline calls without a
                      namespace are refused, so there are no shared pipelines
  --auth FILE         require bearer tokens, each with a Kubeflow role per namespace (view: get and list
                      only; edit: everything), as KFP's SubjectAccessReview decides (multi-user only,
                      as in KFP). FILE is YAML:
                        tokens:
                          <token>: {user: alice@example.com, namespaces: {team-1: edit, team-2: view}}
  --faults FILE       answer a seeded share of calls with 503/429 (with Retry-After), resets, hangs or slowly,
                      per route; FILE is YAML:
                        seed: 42
                        rules:
                          - {fault: 503, rate: 0.1}
                          - {fault: 429, rate: 0.01, retry-after: 1, route: GET /apis/v2beta1/recurringruns}
                          - {fault: reset, rate: 0.02}
                          - {fault: slow, rate: 0.05, delay-ms: 2000}
  --kfp-version X.Y.Z the KFP release to behave as (default ${DEFAULT_KFP_VERSION}): reported as healthz tag_name;
                      before 2.16.0 a delete ignores propagation_policy=ORPHAN and terminates running runs;
                      before 2.5.0 a recurring run of a pipeline without a version is pinned to its newest
                      version at creation (from 2.5.0 each run takes the version newest then)

  --fail-runs REGEX   runs whose display name matches end FAILED (others SUCCEEDED, on a simulated clock)
  --hang-runs REGEX   runs whose display name matches stay RUNNING until terminated
  --default-service-account NAME
                      service account of runs created without one (default pipeline-runner, as KFP;
                      Kubeflow's multi-user install uses default-editor)`;

/** `kfp-gitops kfp-emulator`: run the emulator in the foreground until SIGINT/SIGTERM. */
export async function runEmulatorCli(argv: string[]): Promise<number> {
  const flags = new Map<string, string>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--help' || arg === '-h') {
      process.stdout.write(USAGE + '\n');
      return 0;
    }
    if (arg === '--single-user' || arg === '--require-namespace-for-pipelines') {
      flags.set(arg.slice(2), 'true');
      continue;
    }
    const m =
      /^--(port|state-file|latency-ms|prefix|auth|faults|kfp-version|fail-runs|hang-runs|default-service-account)(?:=(.*))?$/.exec(
        arg,
      );
    const value = m?.[2] ?? argv[i + 1];
    if (!m || value === undefined) {
      process.stderr.write(`error: ${m ? `flag '${arg}' needs a value` : `unknown argument '${arg}'`}\n\n${USAGE}\n`);
      return 2;
    }
    if (m[2] === undefined) i++;
    flags.set(m[1]!, value);
  }
  const num = (name: string, def: number) => {
    const v = flags.get(name);
    if (v === undefined) return def;
    if (!/^\d+$/.test(v)) throw new Error(`--${name} must be a whole number (got "${v}")`);
    return Number(v);
  };
  const regex = (name: string) => {
    const v = flags.get(name);
    if (v === undefined) return undefined;
    try {
      return new RegExp(v);
    } catch (err) {
      throw new Error(`--${name} must be a regular expression: ${(err as Error).message}`, { cause: err });
    }
  };
  let emulator;
  try {
    const authFile = flags.get('auth');
    const faultsFile = flags.get('faults');
    emulator = await startKfpEmulator({
      auth: authFile ? { identities: loadAuthFile(authFile) } : undefined,
      faultRules: faultsFile ? loadFaultsFile(faultsFile) : undefined,
      port: num('port', 8888),
      latencyMs: num('latency-ms', 0),
      stateFile: flags.get('state-file'),
      prefix: flags.get('prefix'),
      multiUser: !flags.has('single-user'),
      requireNamespaceForPipelines: flags.has('require-namespace-for-pipelines'),
      kfpVersion: flags.get('kfp-version'),
      failRuns: regex('fail-runs'),
      hangRuns: regex('hang-runs'),
      defaultServiceAccount: flags.get('default-service-account'),
      logBodies: false,
    });
  } catch (err) {
    process.stderr.write(`error: cannot start the KFP emulator: ${(err as Error).message}\n`);
    return 1;
  }
  process.stdout.write(
    `KFP API emulator (v1beta1 + v2beta1, as KFP ${emulator.state.kfpVersion}) listening at ${emulator.url}\n`,
  );
  await new Promise<void>((resolve) => {
    const stop = () => resolve();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  await emulator.close();
  process.stdout.write(`KFP API emulator stopped after ${emulator.log.calls} API calls.\n`);
  return 0;
}
