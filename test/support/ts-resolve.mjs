// Lets Node run src/ as it is, without a build: `node --experimental-transform-types --import <this file>
// src/…/index.ts`. The sources import each other as `./x.js` (NodeNext style, which tsc and ncc expect); this
// hook maps such a specifier to `./x.ts` when only the .ts file exists. Everything else (packages, node:
// modules) resolves as usual. Node's compile cache keeps the transformed sources between runs: a test suite
// starts hundreds of processes, and each then costs little more than a start from the bundle.
import { existsSync } from 'node:fs';
import { enableCompileCache, registerHooks } from 'node:module';
import { fileURLToPath } from 'node:url';

enableCompileCache(fileURLToPath(new URL('../../node_modules/.cache/kfp-gitops-tests', import.meta.url)));

registerHooks({
  resolve(specifier, context, nextResolve) {
    if (/^\.{1,2}\/.*\.js$/.test(specifier) && context.parentURL?.startsWith('file:')) {
      const js = new URL(specifier, context.parentURL);
      const ts = new URL(js.href.replace(/\.js$/, '.ts'));
      if (!existsSync(js) && existsSync(ts)) return nextResolve(ts.href, context);
    }
    return nextResolve(specifier, context);
  },
});
