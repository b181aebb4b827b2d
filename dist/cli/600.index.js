export const id = 600;
export const ids = [600];
export const modules = {

/***/ 600:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

__webpack_require__.r(__webpack_exports__);
/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   examplesDir: () => (/* binding */ examplesDir),
/* harmony export */   makeDemoRepo: () => (/* binding */ makeDemoRepo),
/* harmony export */   runDemo: () => (/* binding */ runDemo)
/* harmony export */ });
/* harmony import */ var node_fs_promises__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(1455);
/* harmony import */ var node_fs_promises__WEBPACK_IMPORTED_MODULE_0___default = /*#__PURE__*/__webpack_require__.n(node_fs_promises__WEBPACK_IMPORTED_MODULE_0__);
/* harmony import */ var node_os__WEBPACK_IMPORTED_MODULE_1__ = __webpack_require__(8161);
/* harmony import */ var node_os__WEBPACK_IMPORTED_MODULE_1___default = /*#__PURE__*/__webpack_require__.n(node_os__WEBPACK_IMPORTED_MODULE_1__);
/* harmony import */ var node_path__WEBPACK_IMPORTED_MODULE_2__ = __webpack_require__(6760);
/* harmony import */ var node_path__WEBPACK_IMPORTED_MODULE_2___default = /*#__PURE__*/__webpack_require__.n(node_path__WEBPACK_IMPORTED_MODULE_2__);
/* harmony import */ var node_url__WEBPACK_IMPORTED_MODULE_3__ = __webpack_require__(3136);
/* harmony import */ var node_url__WEBPACK_IMPORTED_MODULE_3___default = /*#__PURE__*/__webpack_require__.n(node_url__WEBPACK_IMPORTED_MODULE_3__);
/* harmony import */ var _lib_git_js__WEBPACK_IMPORTED_MODULE_4__ = __webpack_require__(3555);
/* harmony import */ var _cli_run_js__WEBPACK_IMPORTED_MODULE_5__ = __webpack_require__(865);






/** examples/ of this checkout: two levels up from src/demo/ and from dist/cli/. */
function examplesDir() {
    return node_path__WEBPACK_IMPORTED_MODULE_2___default().resolve(node_path__WEBPACK_IMPORTED_MODULE_2___default().dirname((0,node_url__WEBPACK_IMPORTED_MODULE_3__.fileURLToPath)(import.meta.url)), '../../examples');
}
const bold = (s) => (process.stdout.isTTY ? `\x1b[1m${s}\x1b[0m` : s);
function step(n, title, explain) {
    process.stdout.write(`\n${bold(`━━ Step ${n}: ${title}`)}\n${explain}\n\n`);
}
async function cli(args) {
    process.stdout.write(`$ kfp-gitops ${args.map((a) => (/[\s*]/.test(a) ? `'${a}'` : a)).join(' ')}\n`);
    // The demo shows the terminal form of every action; drop the Actions env so nothing is written there.
    const env = { ...process.env, GITHUB_OUTPUT: '', GITHUB_STEP_SUMMARY: '', GITHUB_WORKSPACE: '' };
    const code = await (0,_cli_run_js__WEBPACK_IMPORTED_MODULE_5__/* .runCli */ .a)(args, env);
    process.stdout.write(`→ exit code ${code}\n`);
    return code;
}
/** Copy examples/ into a fresh git repository, as a user's GitOps repo would be. */
async function makeDemoRepo() {
    const repo = await node_fs_promises__WEBPACK_IMPORTED_MODULE_0___default().mkdtemp(node_path__WEBPACK_IMPORTED_MODULE_2___default().join(node_os__WEBPACK_IMPORTED_MODULE_1___default().tmpdir(), 'kfp-gitops-demo-'));
    await node_fs_promises__WEBPACK_IMPORTED_MODULE_0___default().cp(examplesDir(), repo, { recursive: true });
    await (0,_lib_git_js__WEBPACK_IMPORTED_MODULE_4__/* .git */ .$Y)(repo, ['init', '-q', '-b', 'main']);
    await (0,_lib_git_js__WEBPACK_IMPORTED_MODULE_4__/* .git */ .$Y)(repo, ['add', '-A']);
    await (0,_lib_git_js__WEBPACK_IMPORTED_MODULE_4__/* .git */ .$Y)(repo, ['-c', 'user.name=demo', '-c', 'user.email=demo@example.com', 'commit', '-q', '-m', 'GitOps repo from examples/']);
    return repo;
}
/** `kfp-gitops demo`: the whole story over examples/, explained as it goes. Returns the exit code. */
async function runDemo(_argv) {
    const repo = await makeDemoRepo();
    const failures = [];
    const expect = (what, code, wanted) => {
        if (code !== wanted)
            failures.push(`${what}: exit ${code}, expected ${wanted}`);
    };
    process.stdout.write(`${bold('kfp-gitops demo')}: a GitOps repo copied from examples/ into ${repo}\n`);
    step(1, 'check-rendered on a fresh repo', 'Every render script runs twice; the rendered YAML equals the committed one (the compile timestamp is ignored).');
    expect('check-rendered (fresh)', await cli(['check-rendered', '--working-directory', repo, '--render-scripts', 'pipelines/*/render_pipeline.sh']), 0);
    step(2, 'check-rendered after editing a pipeline without re-rendering', 'A pull request that changes pipeline source but not RENDERED_PIPELINE/ fails the check, with a diff and the fix.');
    const template = node_path__WEBPACK_IMPORTED_MODULE_2___default().join(repo, 'pipelines/train-model/pipeline.template.yaml');
    await node_fs_promises__WEBPACK_IMPORTED_MODULE_0___default().writeFile(template, (await node_fs_promises__WEBPACK_IMPORTED_MODULE_0___default().readFile(template, 'utf8')).replace('python:3.11-slim', 'python:3.12-slim'));
    await (0,_lib_git_js__WEBPACK_IMPORTED_MODULE_4__/* .git */ .$Y)(repo, ['-c', 'user.name=demo', '-c', 'user.email=demo@example.com', 'commit', '-q', '-am', 'Bump the training image, forget to render']);
    expect('check-rendered (stale)', await cli(['check-rendered', '--working-directory', repo, '--render-scripts', 'pipelines/*/render_pipeline.sh']), 1);
    await (0,_lib_git_js__WEBPACK_IMPORTED_MODULE_4__/* .git */ .$Y)(repo, ['checkout', '-q', '--', '.']);
    await (0,_lib_git_js__WEBPACK_IMPORTED_MODULE_4__/* .git */ .$Y)(repo, ['clean', '-qfd']);
    process.stdout.write(`\n${bold('Demo finished.')} The GitOps repo it used is ${repo}.\n`);
    if (failures.length) {
        process.stderr.write(`The demo did not go as expected:\n${failures.map((f) => `  - ${f}`).join('\n')}\n`);
        return 1;
    }
    return 0;
}


/***/ }),

/***/ 3555:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   $Y: () => (/* binding */ git),
/* harmony export */   II: () => (/* binding */ showFile),
/* harmony export */   h5: () => (/* binding */ status),
/* harmony export */   jY: () => (/* binding */ restoreFromHead),
/* harmony export */   jv: () => (/* binding */ repoRoot)
/* harmony export */ });
/* unused harmony exports GitError, headSha */
/* harmony import */ var _proc_js__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(3551);

class GitError extends Error {
}
/** Run git in `cwd` and return stdout; throws with git's message on failure. */
async function git(cwd, args) {
    const r = await (0,_proc_js__WEBPACK_IMPORTED_MODULE_0__/* .runProcess */ .R)('git', args, { cwd });
    if (r.code !== 0)
        throw new GitError(`git ${args.join(' ')} failed (exit ${r.code}): ${r.stderr.trim()}`);
    return r.stdout;
}
async function repoRoot(cwd) {
    return (await git(cwd, ['rev-parse', '--show-toplevel'])).trim();
}
/** Working-tree changes against HEAD, untracked files listed one by one. */
async function status(root, pathspecs = []) {
    const out = await git(root, ['status', '--porcelain=v1', '-z', '--untracked-files=all', '--no-renames', '--', ...pathspecs]);
    return out
        .split('\0')
        .filter(Boolean)
        .map((entry) => ({ code: entry.slice(0, 2), path: entry.slice(3) }));
}
/** The content of `path` at `rev`, or undefined when it does not exist there. */
async function showFile(root, rev, path) {
    const r = await (0,_proc_js__WEBPACK_IMPORTED_MODULE_0__/* .runProcess */ .R)('git', ['show', `${rev}:${path}`], { cwd: root });
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


/***/ }),

/***/ 3551:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   R: () => (/* binding */ runProcess),
/* harmony export */   i: () => (/* binding */ tail)
/* harmony export */ });
/* harmony import */ var node_child_process__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(1421);
/* harmony import */ var node_child_process__WEBPACK_IMPORTED_MODULE_0___default = /*#__PURE__*/__webpack_require__.n(node_child_process__WEBPACK_IMPORTED_MODULE_0__);

/** Run a program without a shell, capturing its output. Never throws on a non-zero exit. */
function runProcess(command, args, opts = {}) {
    return new Promise((resolve, reject) => {
        const child = (0,node_child_process__WEBPACK_IMPORTED_MODULE_0__.spawn)(command, args, {
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


/***/ })

};
