import { runAsAction } from '../../lib/entry.js';
import { spec } from './spec.js';
import { run } from './main.js';

await runAsAction(spec, run);
