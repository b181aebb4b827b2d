import { runAsAction } from '../../lib/entry.js';
import { spec } from './spec.js';

await runAsAction(spec, async () => (await import('./main.js')).run);
