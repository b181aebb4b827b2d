/** CLI commands that are not actions (emulator, demo…). Each loads its code on demand. */
export interface ExtraCommand {
  name: string;
  summary: string;
  run: (argv: string[]) => Promise<number>;
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
];
