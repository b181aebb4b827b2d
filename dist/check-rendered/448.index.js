export const id = 448;
export const ids = [448];
export const modules = {

/***/ 7448:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

// ESM COMPAT FLAG
__webpack_require__.r(__webpack_exports__);

// EXPORTS
__webpack_require__.d(__webpack_exports__, {
  run: () => (/* binding */ run),
  summarize: () => (/* binding */ summarize)
});

// EXTERNAL MODULE: external "node:path"
var external_node_path_ = __webpack_require__(6760);
var external_node_path_default = /*#__PURE__*/__webpack_require__.n(external_node_path_);
// EXTERNAL MODULE: ./src/lib/action.ts + 2 modules
var action = __webpack_require__(9033);
// EXTERNAL MODULE: ./src/lib/errors.ts
var errors = __webpack_require__(7268);
;// CONCATENATED MODULE: ./src/lib/markdown.ts
/** Small builders for job-summary / PR-comment markdown. */
/** GitHub caps a step summary at 1 MiB and a comment body at 65,536 characters. */
const SUMMARY_LIMIT = 1024 * 1024;
const COMMENT_LIMIT = 65536;
function escapeCell(value) {
    return value.replace(/\\/g, '\\\\').replace(/\|/g, '\\|').replace(/\r?\n/g, '<br>');
}
function table(headers, rows) {
    const head = `| ${headers.map(escapeCell).join(' | ')} |`;
    const sep = `| ${headers.map(() => '---').join(' | ')} |`;
    const body = rows.map((r) => `| ${r.map(escapeCell).join(' | ')} |`);
    return [head, sep, ...body].join('\n') + '\n';
}
function code(value) {
    const ticks = value.includes('`') ? '``' : '`';
    return `${ticks}${value}${ticks}`;
}
function fence(body, lang = '') {
    const ticks = body.includes('```') ? '````' : '```';
    return `${ticks}${lang}\n${body.replace(/\n$/, '')}\n${ticks}\n`;
}
function details(summary, body) {
    return `<details><summary>${summary}</summary>\n\n${body}\n</details>\n`;
}
/** Cut text to at most `limit` characters at a line boundary, saying so. */
function truncate(text, limit, note = 'truncated') {
    if (text.length <= limit)
        return text;
    const marker = `\n… (${note}: ${text.length - limit} more characters)\n`;
    const cut = text.lastIndexOf('\n', limit - marker.length);
    return text.slice(0, cut > 0 ? cut : Math.max(0, limit - marker.length)) + marker;
}

// EXTERNAL MODULE: external "node:fs/promises"
var promises_ = __webpack_require__(1455);
var promises_default = /*#__PURE__*/__webpack_require__.n(promises_);
// EXTERNAL MODULE: ./node_modules/tinyglobby/dist/index.mjs + 1 modules
var dist = __webpack_require__(3382);
// EXTERNAL MODULE: ./node_modules/diff/libesm/patch/create.js + 2 modules
var create = __webpack_require__(7291);
;// CONCATENATED MODULE: ./src/lib/concurrency.ts
/** Map over items with at most `limit` promises in flight; results keep the input order. */
async function mapLimit(items, limit, fn) {
    const results = new Array(items.length);
    let next = 0;
    const worker = async () => {
        while (next < items.length) {
            const i = next++;
            results[i] = await fn(items[i], i);
        }
    };
    await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
    return results;
}

// EXTERNAL MODULE: external "node:child_process"
var external_node_child_process_ = __webpack_require__(1421);
;// CONCATENATED MODULE: ./src/lib/proc.ts

/** Run a program without a shell, capturing its output. Never throws on a non-zero exit. */
function runProcess(command, args, opts = {}) {
    return new Promise((resolve, reject) => {
        const child = (0,external_node_child_process_.spawn)(command, args, {
            cwd: opts.cwd,
            env: opts.env ?? process.env,
            stdio: [opts.input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
            timeout: opts.timeoutMs,
        });
        let stdout = '';
        let stderr = '';
        let output = '';
        child.stdout.setEncoding('utf8').on('data', (d) => {
            stdout += d;
            output += d;
        });
        child.stderr.setEncoding('utf8').on('data', (d) => {
            stderr += d;
            output += d;
        });
        child.on('error', reject);
        child.on('close', (code, signal) => resolve({ code: code ?? (signal ? 128 : 1), stdout, stderr, output }));
        if (child.stdin) {
            child.stdin.on('error', () => { }); // the program may exit without reading its input
            child.stdin.end(opts.input);
        }
    });
}
/** The last `lines` lines of a process's output, for error messages. */
function tail(text, lines = 20) {
    const all = text.replace(/\s+$/, '').split('\n');
    return all.slice(-lines).join('\n');
}

;// CONCATENATED MODULE: ./src/lib/git.ts

class GitError extends Error {
}
/** Run git in `cwd` and return stdout; throws with git's message on failure. */
async function git(cwd, args) {
    const r = await runProcess('git', args, { cwd });
    if (r.code !== 0)
        throw new GitError(`git ${args.join(' ')} failed (exit ${r.code}): ${r.stderr.trim()}`);
    return r.stdout;
}
async function repoRoot(cwd) {
    return (await git(cwd, ['rev-parse', '--show-toplevel'])).trim();
}
/** Working-tree changes against HEAD, untracked files listed one by one. */
async function git_status(root, pathspecs = []) {
    const out = await git(root, ['status', '--porcelain=v1', '-z', '--untracked-files=all', '--no-renames', '--', ...pathspecs]);
    return out
        .split('\0')
        .filter(Boolean)
        .map((entry) => ({ code: entry.slice(0, 2), path: entry.slice(3) }));
}
/** The content of `path` at `rev`, or undefined when it does not exist there. */
async function showFile(root, rev, path) {
    const r = await runProcess('git', ['show', `${rev}:${path}`], { cwd: root });
    return r.code === 0 ? r.stdout : undefined;
}
/** Put tracked files back to their HEAD content in the working tree. */
async function restoreFromHead(root, paths) {
    if (paths.length > 0)
        await git(root, ['checkout', 'HEAD', '--', ...paths]);
}
async function headSha(root) {
    return (await git(root, ['rev-parse', 'HEAD'])).trim();
}

// EXTERNAL MODULE: ./node_modules/yaml/dist/index.js
var yaml_dist = __webpack_require__(8815);
;// CONCATENATED MODULE: ./src/lib/yaml.ts



/** Refuse YAML files larger than this (a config or pipeline is far smaller). */
const DEFAULT_MAX_YAML_BYTES = (/* unused pure expression or super */ null && (5 * 1024 * 1024));
/** Alias expansion cap: stops "billion laughs" bombs. */
const MAX_ALIAS_COUNT = 100;
/** Parse YAML text; syntax errors, duplicate keys and alias bombs become located diagnostics. */
function parseYaml(text, file, opts = {}) {
    const maxBytes = opts.maxBytes ?? DEFAULT_MAX_YAML_BYTES;
    const size = Buffer.byteLength(text);
    if (size > maxBytes) {
        throw UserError.at(`File is ${size} bytes, over the ${maxBytes}-byte limit for YAML files.`, { file }, 'split the file or check that the right file is referenced.');
    }
    const lineCounter = new LineCounter();
    const docs = parseAllDocuments(text, { lineCounter, uniqueKeys: true, prettyErrors: false, strict: true });
    if (!Array.isArray(docs))
        throw UserError.at('Not a YAML document stream.', { file });
    const diagnostics = [];
    for (const doc of docs) {
        for (const e of doc.errors) {
            const pos = lineCounter.linePos(e.pos[0]);
            diagnostics.push({
                message: `YAML ${e.code === 'DUPLICATE_KEY' ? 'duplicate key' : 'syntax error'}: ${e.message.split('\n')[0]}`,
                location: { file, line: pos.line, column: pos.col },
                fix: e.code === 'DUPLICATE_KEY' ? 'remove or rename one of the duplicated keys.' : 'correct the YAML syntax at this position.',
            });
        }
    }
    if (diagnostics.length)
        throw new UserError(`${file}: invalid YAML`, diagnostics);
    return { file, text, docs, lineCounter };
}
async function readYamlFile(absPath, displayPath, opts = {}) {
    const maxBytes = opts.maxBytes ?? DEFAULT_MAX_YAML_BYTES;
    const stat = await fs.stat(absPath);
    if (stat.size > maxBytes) {
        throw UserError.at(`File is ${stat.size} bytes, over the ${maxBytes}-byte limit for YAML files.`, { file: displayPath }, 'split the file or check that the right file is referenced.');
    }
    return parseYaml(await fs.readFile(absPath, 'utf8'), displayPath, opts);
}
/** A document as plain JS data, with alias expansion capped. */
function toData(yf, doc = yf.docs[0]) {
    try {
        return doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
    }
    catch (err) {
        throw UserError.at(`YAML refused: ${err.message}`, { file: yf.file }, 'expand the anchors/aliases or reduce their use.');
    }
}
/** Where the value (or, with `key`, the key) at `path` starts; the document start when not found. */
function locate(yf, path, opts = {}) {
    const doc = opts.doc ?? yf.docs[0];
    let node = doc?.contents;
    let best = node;
    for (const segment of path) {
        if (!node || typeof node !== 'object' || !('items' in node))
            break;
        const items = node.items;
        let next;
        if (typeof segment === 'number') {
            next = items[segment];
        }
        else {
            const pair = items.find((p) => isPair(p) && keyString(p.key) === segment);
            if (pair) {
                next = opts.key && segment === path[path.length - 1] ? pair.key : (pair.value ?? pair.key);
            }
        }
        if (next === undefined)
            break;
        node = next;
        best = node;
    }
    const range = isNode(best) ? best.range : undefined;
    if (!range)
        return { file: yf.file, line: 1, column: 1 };
    const start = yf.lineCounter.linePos(range[0]);
    const end = yf.lineCounter.linePos(range[1]);
    return { file: yf.file, line: start.line, column: start.col, endLine: end.line, endColumn: end.col };
}
function isPair(p) {
    return !!p && typeof p === 'object' && 'key' in p;
}
function keyString(k) {
    if (isNode(k) && 'value' in k)
        return String(k.value);
    return k === undefined || k === null ? undefined : String(k);
}
/** A copy of `value` without the keys in `keys`, at any depth. */
function withoutKeys(value, keys) {
    if (Array.isArray(value))
        return value.map((v) => withoutKeys(v, keys));
    if (value && typeof value === 'object') {
        const out = {};
        for (const [k, v] of Object.entries(value))
            if (!keys.has(k))
                out[k] = withoutKeys(v, keys);
        return out;
    }
    return value;
}
/** Paths (dotted, with [i] for arrays) where two data values differ; empty when equal. */
function differingPaths(a, b, at = '', limit = 50) {
    const out = [];
    const walk = (x, y, p) => {
        if (out.length >= limit)
            return;
        if (Array.isArray(x) && Array.isArray(y)) {
            for (let i = 0; i < Math.max(x.length, y.length); i++)
                walk(x[i], y[i], `${p}[${i}]`);
            return;
        }
        if (isPlainObject(x) && isPlainObject(y)) {
            for (const k of new Set([...Object.keys(x), ...Object.keys(y)]))
                walk(x[k], y[k], p ? `${p}.${k}` : k);
            return;
        }
        if (!Object.is(x, y) && !(x instanceof Date && y instanceof Date && x.getTime() === y.getTime()))
            out.push(p || '(root)');
    };
    walk(a, b, at);
    return out;
}
function isPlainObject(v) {
    return !!v && typeof v === 'object' && !Array.isArray(v) && !(v instanceof Date);
}
/** Parse every document of a YAML/JSON text into data, or undefined when it is not YAML. */
function tryParseData(text) {
    try {
        const docs = (0,yaml_dist/* parseAllDocuments */.hR)(text, { uniqueKeys: false });
        if (!Array.isArray(docs) || docs.some((d) => d.errors.length > 0))
            return undefined;
        return docs.map((d) => d.toJS({ maxAliasCount: MAX_ALIAS_COUNT }));
    }
    catch {
        return undefined;
    }
}

;// CONCATENATED MODULE: ./src/render/compare.ts

const DATA_FILE = /\.(ya?ml|json)$/i;
/**
 * Compare two versions of a rendered file. YAML/JSON are compared as data without the ignored
 * keys (so a new compile timestamp is not a change); anything else as text. `undefined` = absent.
 */
function compareRendered(file, a, b, ignoreKeys) {
    if (a === undefined || b === undefined)
        return { equal: a === b, keys: [] };
    if (a === b)
        return { equal: true, keys: [] };
    if (DATA_FILE.test(file)) {
        const da = tryParseData(a);
        const db = tryParseData(b);
        if (da && db) {
            // Single-document files (the usual case) get paths without a leading document index.
            const [x, y] = da.length === 1 && db.length === 1 ? [da[0], db[0]] : [da, db];
            const keys = differingPaths(withoutKeys(x, ignoreKeys), withoutKeys(y, ignoreKeys));
            return { equal: keys.length === 0, keys };
        }
    }
    return { equal: false, keys: [] };
}

;// CONCATENATED MODULE: ./src/render/check.ts









/** Expand script paths/globs; a missing path or a glob matching nothing is an error. */
async function resolveScripts(workdir, patterns) {
    const found = [];
    const problems = [];
    for (const pattern of patterns) {
        const isGlob = /[*?[\]{}]/.test(pattern);
        if (isGlob) {
            const matches = (await (0,dist/* glob */.TI)(pattern, { cwd: workdir, absolute: true, onlyFiles: true, dot: false })).sort();
            if (matches.length === 0)
                problems.push({ message: `render-scripts: the glob '${pattern}' matches no file under ${workdir}.`, fix: 'correct the pattern, or check working-directory.' });
            found.push(...matches);
        }
        else {
            const abs = external_node_path_default().resolve(workdir, pattern);
            const stat = await promises_default().stat(abs).catch(() => undefined);
            if (!stat?.isFile())
                problems.push({ message: `render-scripts: '${pattern}' does not exist (looked for ${abs}).`, fix: 'correct the path, or check working-directory.' });
            else
                found.push(abs);
        }
    }
    if (problems.length)
        throw new errors/* UserError */.yo(problems.map((p) => `${p.message} Fix: ${p.fix}`).join('\n'), problems);
    return [...new Set(found)];
}
async function runAll(root, scripts, parallelism, log) {
    const failures = await mapLimit(scripts, parallelism, async (script) => {
        const rel = external_node_path_default().relative(root, script);
        const started = Date.now();
        const r = await runProcess('bash', [external_node_path_default().basename(script)], { cwd: external_node_path_default().dirname(script) });
        log(`${r.code === 0 ? '✓' : '✗'} ${rel} (${((Date.now() - started) / 1000).toFixed(1)}s)`);
        return r.code === 0 ? undefined : { rel, code: r.code, output: r.output };
    });
    const failed = failures.filter((f) => f !== undefined);
    if (failed.length) {
        const diagnostics = failed.map((f) => ({
            message: `Render script ${f.rel} failed with exit code ${f.code}. Last lines of its output:\n${tail(f.output) || '(no output)'}`,
            location: { file: f.rel },
            fix: `run 'bash ${external_node_path_default().basename(f.rel)}' in ${external_node_path_default().dirname(f.rel) || '.'} and fix the error.`,
        }));
        throw new errors/* UserError */.yo(`${failed.length} render script(s) failed: ${failed.map((f) => f.rel).join(', ')}`, diagnostics);
    }
}
async function readOrUndefined(file) {
    return promises_default().readFile(file, 'utf8').catch(() => undefined);
}
/** Changed paths (repo-relative) with their current content. */
async function snapshot(root, exclude) {
    const snap = new Map();
    for (const entry of await git_status(root)) {
        if (exclude.has(entry.path))
            continue;
        snap.set(entry.path, await readOrUndefined(external_node_path_default().join(root, entry.path)));
    }
    return snap;
}
function ownerScript(file, scripts) {
    // The script whose folder is the deepest ancestor of the file.
    return scripts
        .filter((s) => {
        const dir = external_node_path_default().dirname(s);
        return dir === '.' || file.startsWith(dir + '/');
    })
        .sort((a, b) => external_node_path_default().dirname(b).length - external_node_path_default().dirname(a).length)[0];
}
function unifiedDiff(file, before, after, maxLines, ignore) {
    const patch = (0,create/* structuredPatch */.YB)(`a/${file}`, `b/${file}`, before ?? '', after ?? '', 'HEAD', 'rendered', { context: 3 });
    const text = (0,create/* formatPatch */.Gu)(patch);
    const lines = text.split('\n');
    const cut = lines.length > maxLines ? [...lines.slice(0, maxLines), `… (${lines.length - maxLines} more diff lines)`] : lines;
    return { diff: cut.join('\n'), line: firstChangedLine(patch.hunks, ignore) };
}
/** The line of the committed file with the first change that is not just an ignored key. */
function firstChangedLine(hunks, ignore) {
    const volatile = (l) => [...ignore].some((k) => l.includes(k));
    for (const hunk of hunks) {
        let line = hunk.oldStart;
        for (const l of hunk.lines) {
            if ((l.startsWith('-') || l.startsWith('+')) && !volatile(l))
                return Math.max(1, line);
            if (!l.startsWith('+'))
                line++;
        }
    }
    return hunks[0] ? Math.max(1, hunks[0].oldStart) : undefined;
}
/**
 * Run every render script and compare the result with HEAD: new, deleted or really changed files are
 * stale; files whose only change is an ignored key are restored. Optionally renders twice to catch
 * non-deterministic renders.
 */
async function checkRendered(opts) {
    const log = opts.log ?? (() => { });
    const root = await repoRoot(opts.workdir);
    const scriptsAbs = await resolveScripts(opts.workdir, opts.scripts);
    const scripts = scriptsAbs.map((s) => external_node_path_default().relative(root, s));
    const ignore = new Set(opts.ignoreKeys);
    const preexisting = (await git_status(root)).map((e) => e.path);
    const untouchable = new Set(preexisting);
    await runAll(root, scriptsAbs, opts.parallelism, log);
    let rendered = await snapshot(root, untouchable);
    const nondeterministic = [];
    if (opts.checkDeterminism) {
        log('Rendering a second time to check that rendering is deterministic…');
        const first = rendered;
        await runAll(root, scriptsAbs, opts.parallelism, log);
        rendered = await snapshot(root, untouchable);
        for (const file of new Set([...first.keys(), ...rendered.keys()])) {
            const a = first.has(file) ? first.get(file) : await showFile(root, 'HEAD', file);
            const b = rendered.has(file) ? rendered.get(file) : await showFile(root, 'HEAD', file);
            const cmp = compareRendered(file, a, b, ignore);
            if (!cmp.equal)
                nondeterministic.push({ path: file, script: ownerScript(file, scripts), keys: cmp.keys });
        }
    }
    const stale = [];
    const restored = [];
    for (const [file, content] of rendered) {
        const committed = await showFile(root, 'HEAD', file);
        const cmp = compareRendered(file, committed, content, ignore);
        if (cmp.equal) {
            if (committed !== undefined)
                restored.push(file);
            continue;
        }
        const change = committed === undefined ? 'added' : content === undefined ? 'deleted' : 'modified';
        const { diff, line } = unifiedDiff(file, committed, content, opts.maxDiffLines, ignore);
        stale.push({ path: file, change, script: ownerScript(file, scripts), diff, line, keys: cmp.keys });
    }
    await restoreFromHead(root, restored);
    stale.sort((a, b) => a.path.localeCompare(b.path));
    return { root, scripts, stale, restored: restored.sort(), nondeterministic, preexisting };
}

;// CONCATENATED MODULE: ./src/actions/check-rendered/main.ts





async function run(ctx) {
    const { inputs, host } = ctx;
    const scripts = inputs.list('render-scripts');
    if (scripts.length === 0)
        inputs.required('render-scripts');
    const options = {
        workdir: (0,action/* workingDirectory */.p)(ctx),
        scripts,
        ignoreKeys: inputs.list('ignore-keys'),
        checkDeterminism: inputs.bool('check-determinism'),
        parallelism: inputs.int('parallelism', { min: 1, max: 64 }),
        maxDiffLines: inputs.int('max-diff-lines', { min: 1 }),
    };
    const result = await host.group('Rendering pipelines', () => checkRendered({ ...options, log: (m) => host.info(m) }));
    const fresh = result.stale.length === 0 && result.nondeterministic.length === 0;
    host.setOutput('result', result.stale.length === 0 ? 'fresh' : 'stale');
    host.setOutput('stale-files', JSON.stringify(result.stale.map((s) => s.path)));
    for (const file of result.preexisting)
        host.warning(`${file} had uncommitted changes before rendering; it was left as it was and not checked.`, { file });
    for (const s of result.stale) {
        const fix = s.script ? `run ${s.script} and commit the result` : 'run the render script that writes it and commit the result';
        host.error(`Rendered file is stale (${s.change} by rendering). Fix: ${fix}.`, { file: s.path, line: s.line, title: 'Stale rendered pipeline' });
        host.info(s.diff);
    }
    for (const n of result.nondeterministic) {
        const keys = n.keys.length ? ` Differing keys: ${n.keys.join(', ')}.` : '';
        host.error(`Rendering is not deterministic: two renders of this file differ.${keys} Fix: make ${n.script ?? 'the render script'} produce the same output every run, or add the volatile key to ignore-keys.`, {
            file: n.path,
            title: 'Non-deterministic render',
        });
    }
    await host.appendSummary(summarize(result));
    if (!fresh) {
        const parts = [];
        if (result.stale.length)
            parts.push(`${result.stale.length} rendered file(s) are stale`);
        if (result.nondeterministic.length)
            parts.push(`${result.nondeterministic.length} file(s) render non-deterministically`);
        throw new errors/* CheckFailed */.EC(`${parts.join('; ')}. See the annotations and the job summary.`);
    }
    host.info(`All ${result.scripts.length} render script(s) reproduce the committed files${result.restored.length ? ` (${result.restored.length} differed only in ignored keys)` : ''}.`);
}
function summarize(r) {
    const ok = r.stale.length === 0 && r.nondeterministic.length === 0;
    let md = `## ${ok ? '✅' : '❌'} Rendered pipelines are ${r.stale.length ? 'stale' : 'fresh'}\n\n`;
    md += `Ran ${r.scripts.length} render script(s): ${r.scripts.map(code).join(', ')}.\n\n`;
    if (r.stale.length) {
        md += table(['file', 'change', 'produced by', 'fix'], r.stale.map((s) => [code(s.path), s.change, s.script ? code(s.script) : '?', s.script ? `run \`${external_node_path_default().basename(s.script)}\` in \`${external_node_path_default().dirname(s.script)}\` and commit` : 'render and commit']));
        md += '\n';
        for (const s of r.stale)
            md += `<details><summary>diff of ${code(s.path)}</summary>\n\n${fence(s.diff, 'diff')}\n</details>\n\n`;
    }
    if (r.nondeterministic.length) {
        md += `### Non-deterministic renders\n\n`;
        md += table(['file', 'script', 'differing keys'], r.nondeterministic.map((n) => [code(n.path), n.script ? code(n.script) : '?', n.keys.join(', ') || '(text differs)']));
    }
    if (r.restored.length)
        md += `\n${r.restored.length} file(s) differed only in ignored keys and were left as committed.\n`;
    return truncate(md, SUMMARY_LIMIT - 1024, 'summary truncated');
}


/***/ })

};
