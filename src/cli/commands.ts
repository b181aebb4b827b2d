/** CLI commands that are not actions (emulator, demo…). Each loads its code on demand. */
export interface ExtraCommand {
  name: string;
  summary: string;
  run: (argv: string[], env: NodeJS.ProcessEnv, opts: { quiet?: boolean }) => Promise<number>;
}

export const extraCommands: readonly ExtraCommand[] = [
  {
    name: 'demo',
    summary: 'Walk through the toolkit over examples/ in a temporary git repository.',
    run: async (argv) => (await import('../demo/demo.js')).runDemo(argv),
  },
  {
    name: 'specs',
    summary: 'Print every action\'s inputs and outputs as JSON (what action.yml and the README are generated from).',
    run: async () => (await import('./specs.js')).printSpecs(),
  },
  {
    name: 'kfp-emulator',
    summary: 'Serve an emulator of the Kubeflow Pipelines API (v1beta1 + v2beta1) on loopback until interrupted.',
    run: async (argv) => (await import('../kfp/emulator/cli.js')).runEmulatorCli(argv),
  },
  {
    name: 'plan',
    summary: 'push-reconcile --mode plan: show what would change in KFP (same flags as push-reconcile).',
    run: async (argv, env, opts) => (await import('./run.js')).runCli(['push-reconcile', '--mode', 'plan', ...argv], env, opts),
  },
  {
    name: 'apply',
    summary: 'push-reconcile --mode apply: make KFP match the configs (same flags as push-reconcile).',
    run: async (argv, env, opts) => (await import('./run.js')).runCli(['push-reconcile', '--mode', 'apply', ...argv], env, opts),
  },
];
