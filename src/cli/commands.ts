import { findAction } from '../actions/registry.js';
import { actionHelp } from './args.js';

/** CLI commands that are not actions (emulator, demo…). Each loads its code on demand. */
export interface ExtraCommand {
  name: string;
  summary: string;
  /** What `<command> --help` prints; without it the command handles --help itself. */
  help?: () => string;
  run: (argv: string[], env: NodeJS.ProcessEnv, opts: { quiet?: boolean }) => Promise<number>;
}

export const extraCommands: readonly ExtraCommand[] = [
  {
    name: 'demo',
    summary: 'Walk through the toolkit over examples/ in a temporary git repository.',
    help: () =>
      [
        'Usage: kfp-gitops demo [--verbose]',
        '',
        'Walk through the toolkit over examples/ in a temporary git repository, on the built-in KFP emulator:',
        'each step runs a real command and prints where its job summary and outputs are.',
        '',
        "  --verbose   also print each step's outputs",
      ].join('\n'),
    run: async (argv) => (await import('../demo/demo.js')).runDemo(argv),
  },
  {
    name: 'specs',
    summary: "Print every action's inputs and outputs as JSON (what action.yml and the README are generated from).",
    help: () => "Usage: kfp-gitops specs\n\nPrint every action's inputs and outputs as JSON.",
    run: async () => (await import('./specs.js')).printSpecs(),
  },
  {
    name: 'kfp-emulator',
    summary: 'Serve an emulator of the Kubeflow Pipelines API (v1beta1 + v2beta1) on loopback until interrupted.',
    run: async (argv) => (await import('../kfp/emulator/cli.js')).runEmulatorCli(argv),
  },
  {
    name: 'github-emulator',
    summary:
      'Serve an emulator of the GitHub API (the REST routes the toolkit calls, GraphQL auto-merge) on loopback until interrupted.',
    run: async (argv) => (await import('../github/emulator/cli.js')).runGitHubEmulatorCli(argv),
  },
  {
    name: 'plan',
    summary: 'push-reconcile --mode plan: show what would change in KFP (same flags as push-reconcile).',
    help: () => reconcileHelp('plan'),
    run: async (argv, env, opts) =>
      (await import('./run.js')).runCli(['push-reconcile', '--mode', 'plan', ...argv], env, opts),
  },
  {
    name: 'apply',
    summary: 'push-reconcile --mode apply: make KFP match the configs (same flags as push-reconcile).',
    help: () => reconcileHelp('apply'),
    run: async (argv, env, opts) =>
      (await import('./run.js')).runCli(['push-reconcile', '--mode', 'apply', ...argv], env, opts),
  },
  {
    name: 'list-folders',
    summary:
      'reconcile-shards --step list: the config folders cut into shards, as JSON (same flags as reconcile-shards).',
    help: () => shardsHelp('list'),
    run: async (argv, env, opts) =>
      (await import('./run.js')).runCli(['reconcile-shards', '--step', 'list', ...argv], env, opts),
  },
  {
    name: 'gather-plans',
    summary: "reconcile-shards --step gather: the shards' plan files as one report (same flags as reconcile-shards).",
    help: () => shardsHelp('gather'),
    run: async (argv, env, opts) =>
      (await import('./run.js')).runCli(['reconcile-shards', '--step', 'gather', ...argv], env, opts),
  },
];

function shardsHelp(step: string): string {
  return `kfp-gitops ${step === 'list' ? 'list-folders' : 'gather-plans'} [flags] is kfp-gitops reconcile-shards --step ${step}:\n\n${actionHelp(findAction('reconcile-shards')!.spec)}`;
}

function reconcileHelp(mode: string): string {
  return `kfp-gitops ${mode} [flags] is kfp-gitops push-reconcile --mode ${mode}:\n\n${actionHelp(findAction('push-reconcile')!.spec)}`;
}
