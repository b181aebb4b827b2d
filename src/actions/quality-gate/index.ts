import { runAsAction } from '../../lib/entry.js';
import { spec } from './spec.js';

// main.js is loaded only once the inputs are known to be there: a misconfigured step fails fast.
await runAsAction(spec, async () => (await import('./main.js')).run);
