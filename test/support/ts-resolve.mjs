// Lets Node run src/ as it is, without a build: `node --experimental-transform-types --import <this file>
// src/…/index.ts`. The sources import each other as `./x.js` (NodeNext style, which tsc and ncc expect); this
// hook maps such a specifier to `./x.ts` when only the .ts file exists. Everything else (packages, node:
// modules) resolves as usual. Node's compile cache (NODE_COMPILE_CACHE, or os.tmpdir()/node-compile-cache) keeps
// the transformed and compiled sources between the hundreds of processes a test run starts; it is only an
// optimization (Node goes on without it; NODE_DISABLE_COMPILE_CACHE=1 turns it off).
import { existsSync } from 'node:fs';
import { enableCompileCache, registerHooks } from 'node:module';

enableCompileCache();

registerHooks({
  resolve(specifier, context, nextResolve) {
    const parent = context.parentURL ?? '';
    if (/^\.{1,2}\/.*\.js$/.test(specifier) && parent.startsWith('file:') && !parent.includes('/node_modules/')) {
      const js = new URL(specifier, parent);
      const ts = new URL(js.href.replace(/\.js$/, '.ts'));
      if (!existsSync(js) && existsSync(ts)) return nextResolve(ts.href, context);
    }
    return nextResolve(specifier, context);
  },
});
