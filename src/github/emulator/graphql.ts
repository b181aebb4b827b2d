import { isoNow, nodeId } from './objects.js';
import type { World } from './routes.js';
import type { AutoMergeState, IssueState, PullState, RepoState } from './state.js';

/**
 * GitHub's GraphQL endpoint (POST /graphql), for the operations the toolkit sends: a small parser of
 * executable documents (no fragments or directives) and resolvers for what is implemented.
 */

export type GqlValue =
  | { kind: 'var'; name: string }
  | { kind: 'enum'; value: string }
  | { kind: 'literal'; value: unknown }
  | { kind: 'object'; fields: Record<string, GqlValue> }
  | { kind: 'list'; items: GqlValue[] };

export interface GqlField {
  name: string;
  alias?: string;
  args: Record<string, GqlValue>;
  selections?: GqlField[];
  line: number;
  column: number;
}

export interface GqlOperation {
  type: 'query' | 'mutation';
  name?: string;
  /** Declared variables: name → type text (e.g. `ID!`, `[String!]`). */
  variables: Record<string, string>;
  selections: GqlField[];
}

export class GraphqlSyntaxError extends Error {}

interface Token {
  kind: 'name' | 'punct' | 'string' | 'number';
  text: string;
  line: number;
  column: number;
}

/** Tokens of a GraphQL document; strings (block strings too) and comments are understood, commas ignored. */
export function tokenize(src: string, keepStrings = true): Token[] {
  const out: Token[] = [];
  let line = 1;
  let lineStart = 0;
  const re =
    /"""[\s\S]*?"""|"(?:[^"\\\n]|\\.)*"|#[^\n]*|\n|[\s,]+|\.\.\.|-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?|[A-Za-z_]\w*|[{}()[\]:$!=@|&]/y;
  while (re.lastIndex < src.length) {
    const at = re.lastIndex;
    const m = re.exec(src);
    if (!m) throw new GraphqlSyntaxError(`Syntax Error: Unexpected character "${src[at]}" at line ${line}`);
    const t = m[0];
    const column = at - lineStart + 1;
    if (t.startsWith('"')) {
      if (keepStrings) out.push({ kind: 'string', text: t, line, column });
    } else if (/^[A-Za-z_]/.test(t)) out.push({ kind: 'name', text: t, line, column });
    else if (/^-?\d/.test(t)) out.push({ kind: 'number', text: t, line, column });
    else if (!/^[\s,#]/.test(t)) out.push({ kind: 'punct', text: t, line, column });
    for (let i = t.indexOf('\n'); i !== -1; i = t.indexOf('\n', i + 1)) {
      line++;
      lineStart = at + i + 1;
    }
  }
  return out;
}

/** The single operation of an executable document. */
export function parseOperation(src: string): GqlOperation {
  const tokens = tokenize(src);
  let i = 0;
  const peek = () => tokens[i];
  const next = () => {
    const t = tokens[i++];
    if (!t) throw new GraphqlSyntaxError('Syntax Error: Unexpected <EOF>');
    return t;
  };
  const expect = (text: string) => {
    const t = next();
    if (t.text !== text)
      throw new GraphqlSyntaxError(`Syntax Error: Expected "${text}", found "${t.text}" at line ${t.line}`);
  };
  const value = (): GqlValue => {
    const t = next();
    if (t.text === '$') return { kind: 'var', name: next().text };
    if (t.kind === 'string')
      return {
        kind: 'literal',
        value: JSON.parse(t.text.startsWith('"""') ? JSON.stringify(t.text.slice(3, -3)) : t.text),
      };
    if (t.kind === 'number') return { kind: 'literal', value: Number(t.text) };
    if (t.text === '[') {
      const items: GqlValue[] = [];
      while (peek()?.text !== ']') items.push(value());
      next();
      return { kind: 'list', items };
    }
    if (t.text === '{') {
      const fields: Record<string, GqlValue> = {};
      while (peek()?.text !== '}') {
        const name = next().text;
        expect(':');
        fields[name] = value();
      }
      next();
      return { kind: 'object', fields };
    }
    if (t.text === 'true' || t.text === 'false') return { kind: 'literal', value: t.text === 'true' };
    if (t.text === 'null') return { kind: 'literal', value: null };
    if (t.kind === 'name') return { kind: 'enum', value: t.text };
    throw new GraphqlSyntaxError(`Syntax Error: Unexpected "${t.text}" at line ${t.line}`);
  };
  const selectionSet = (): GqlField[] => {
    expect('{');
    const fields: GqlField[] = [];
    while (peek()?.text !== '}') {
      const t = next();
      if (t.text === '...' || t.text === '@')
        throw new GraphqlSyntaxError(`fragments and directives are not supported by the emulator (line ${t.line})`);
      let name = t.text;
      let alias: string | undefined;
      if (peek()?.text === ':') {
        next();
        alias = name;
        name = next().text;
      }
      const args: Record<string, GqlValue> = {};
      if (peek()?.text === '(') {
        next();
        while (peek()?.text !== ')') {
          const arg = next().text;
          expect(':');
          args[arg] = value();
        }
        next();
      }
      fields.push({
        name,
        ...(alias ? { alias } : {}),
        args,
        ...(peek()?.text === '{' ? { selections: selectionSet() } : {}),
        line: t.line,
        column: t.column,
      });
    }
    next();
    return fields;
  };

  let type: 'query' | 'mutation' = 'query';
  let name: string | undefined;
  const variables: Record<string, string> = {};
  if (peek()?.text === 'query' || peek()?.text === 'mutation') {
    type = next().text as 'query' | 'mutation';
    if (peek()?.kind === 'name') name = next().text;
    if (peek()?.text === '(') {
      next();
      while (peek()?.text !== ')') {
        expect('$');
        const v = next().text;
        expect(':');
        let typeText = '';
        while (peek() && !['$', ')', '='].includes(peek()!.text)) typeText += next().text;
        if (peek()?.text === '=') {
          next();
          value();
        }
        variables[v] = typeText;
      }
      next();
    }
  }
  const selections = selectionSet();
  if (i < tokens.length) throw new GraphqlSyntaxError('only one operation per document is supported by the emulator');
  return { type, ...(name ? { name } : {}), variables, selections };
}

/** A value with its variables substituted. */
export function resolveValue(v: GqlValue, vars: Record<string, unknown>): unknown {
  switch (v.kind) {
    case 'var':
      return vars[v.name];
    case 'enum':
      return v.value;
    case 'literal':
      return v.value;
    case 'list':
      return v.items.map((x) => resolveValue(x, vars));
    case 'object':
      return Object.fromEntries(Object.entries(v.fields).map(([k, x]) => [k, resolveValue(x, vars)]));
  }
}

export interface GqlError {
  type?: string;
  path?: string[];
  locations?: { line: number; column: number }[];
  message: string;
}

/** A GraphQL error the resolvers throw: ends up in `errors` with the field's path, data null. */
export class GqlFieldError extends Error {
  constructor(
    readonly type: string,
    message: string,
  ) {
    super(message);
  }
}

export interface GqlContext {
  world: World;
  token?: string;
  /** Repositories the token cannot see are invisible (as GitHub answers NOT_FOUND). */
  visible: (repo: RepoState) => boolean;
  /** Called for a selected field the GitHub emulator does not implement (a test-visible violation). */
  unimplemented: (path: string) => void;
}

/** Execute an operation: `{data, errors?}` as GitHub's /graphql answers it (HTTP 200 even with errors). */
export function execute(
  op: GqlOperation,
  vars: Record<string, unknown>,
  ctx: GqlContext,
): { data: Record<string, unknown> | null; errors?: GqlError[] } {
  const errors: GqlError[] = [];
  const data: Record<string, unknown> = {};
  const roots = op.type === 'mutation' ? mutations : queries;
  for (const f of op.selections) {
    const key = f.alias ?? f.name;
    const resolver = roots[f.name];
    if (!resolver) {
      ctx.unimplemented(`${op.type}.${f.name}`);
      errors.push({
        path: [key],
        locations: [{ line: f.line, column: f.column }],
        message: `the GitHub emulator does not implement ${op.type} field ${f.name}`,
      });
      data[key] = null;
      continue;
    }
    try {
      const args = Object.fromEntries(Object.entries(f.args).map(([k, v]) => [k, resolveValue(v, vars)]));
      data[key] = project(resolver(args, ctx), f.selections, [key], vars, ctx);
    } catch (err) {
      if (!(err instanceof GqlFieldError)) throw err;
      errors.push({
        type: err.type,
        path: [key],
        locations: [{ line: f.line, column: f.column }],
        message: err.message,
      });
      data[key] = null;
    }
  }
  return errors.length ? { data, errors } : { data };
}

/**
 * Keep only the selected fields (aliases applied). Objects are plain records whose fields that take
 * arguments are functions of them; lists are mapped.
 */
function project(
  value: unknown,
  selections: GqlField[] | undefined,
  path: string[],
  vars: Record<string, unknown>,
  ctx: GqlContext,
): unknown {
  if (value === null || value === undefined || !selections) return value ?? null;
  if (Array.isArray(value)) return value.map((v) => project(v, selections, path, vars, ctx));
  const obj = value as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const s of selections) {
    if (!(s.name in obj)) ctx.unimplemented(`${[...path, s.name].join('.')}`);
    const field = obj[s.name];
    const v =
      typeof field === 'function'
        ? field(Object.fromEntries(Object.entries(s.args).map(([k, a]) => [k, resolveValue(a, vars)])))
        : field;
    out[s.alias ?? s.name] = project(v, s.selections, [...path, s.name], vars, ctx);
  }
  return out;
}

// ───────────── objects ─────────────

function findPullByNodeId(ctx: GqlContext, id: unknown): { repo: RepoState; issue: IssueState & { pull: PullState } } {
  for (const repo of ctx.world.repos.values()) {
    if (!ctx.visible(repo)) continue;
    for (const issue of repo.issues.values()) {
      if (issue.pull && nodeId('PR_', issue.id) === id)
        return { repo, issue: issue as IssueState & { pull: PullState } };
    }
  }
  throw new GqlFieldError('NOT_FOUND', `Could not resolve to a node with the global id of '${String(id)}'`);
}

function actor(login: string) {
  return { login, __typename: login.endsWith('[bot]') ? 'Bot' : 'User' };
}

function autoMergeRequest(a: AutoMergeState | undefined) {
  return a
    ? {
        mergeMethod: a.method,
        enabledAt: a.enabledAt,
        enabledBy: actor(a.enabledBy),
        commitHeadline: a.commitHeadline,
        commitBody: a.commitBody,
      }
    : null;
}

function pullRequestNode(ctx: GqlContext, repo: RepoState, issue: IssueState & { pull: PullState }) {
  const pr = issue.pull;
  const head = pr.frozenHeadSha ?? ctx.world.repos.get(pr.headRepo.toLowerCase())?.branchSha(pr.headRef) ?? null;
  return {
    __typename: 'PullRequest',
    id: nodeId('PR_', issue.id),
    number: issue.number,
    url: `https://github.com/${repo.fullName}/pull/${issue.number}`,
    state: pr.merged ? 'MERGED' : issue.state === 'open' ? 'OPEN' : 'CLOSED',
    merged: pr.merged,
    isDraft: pr.draft,
    headRefName: pr.headRef,
    headRefOid: head,
    baseRefName: pr.baseRef,
    autoMergeRequest: autoMergeRequest(pr.autoMerge),
    viewerCanEnableAutoMerge: issue.state === 'open' && repo.info.allowAutoMerge && !pr.autoMerge,
    viewerCanDisableAutoMerge: !!pr.autoMerge,
  };
}

type Resolver = (args: Record<string, any>, ctx: GqlContext) => unknown;

const METHODS = new Set(['MERGE', 'SQUASH', 'REBASE']);

const mutations: Record<string, Resolver> = {
  /**
   * Arms auto-merge. Refusals carry GitHub's messages where they are known (create-pull-request#1009,
   * cli/cli#3858, peter-evans/enable-pull-request-automerge#1060): a repository without "Allow
   * auto-merge", a closed or merged PR, a head that moved since the client read it.
   */
  enablePullRequestAutoMerge: ({ input }, ctx) => {
    const { repo, issue } = findPullByNodeId(ctx, input?.pullRequestId);
    const pr = issue.pull;
    if (pr.merged) throw new GqlFieldError('UNPROCESSABLE', 'Pull request Pull request is already merged');
    if (issue.state !== 'open') throw new GqlFieldError('UNPROCESSABLE', 'Pull request Pull request is closed');
    if (!repo.info.allowAutoMerge)
      throw new GqlFieldError('UNPROCESSABLE', 'Auto merge is not allowed for this repository');
    if (pr.draft) throw new GqlFieldError('UNPROCESSABLE', 'Pull request Pull request is in draft state');
    const method = input.mergeMethod ?? 'MERGE';
    if (!METHODS.has(method)) throw new GqlFieldError('INVALID', `Invalid merge method ${String(method)}`);
    const head = repo.branchSha(pr.headRef);
    if (input.expectedHeadOid && input.expectedHeadOid !== head) {
      throw new GqlFieldError(
        'UNPROCESSABLE',
        `Pull request The expected head OID ${String(input.expectedHeadOid)} does not match the head of the pull request (${head})`,
      );
    }
    pr.autoMerge = {
      method,
      enabledBy: ctx.world.login,
      enabledAt: isoNow(ctx.world.now()),
      commitHeadline: input.commitHeadline ?? null,
      commitBody: input.commitBody ?? null,
    };
    return {
      actor: actor(ctx.world.login),
      clientMutationId: input.clientMutationId ?? null,
      pullRequest: pullRequestNode(ctx, repo, issue),
    };
  },

  disablePullRequestAutoMerge: ({ input }, ctx) => {
    const { repo, issue } = findPullByNodeId(ctx, input?.pullRequestId);
    issue.pull.autoMerge = undefined;
    return {
      actor: actor(ctx.world.login),
      clientMutationId: input.clientMutationId ?? null,
      pullRequest: pullRequestNode(ctx, repo, issue),
    };
  },
};

const queries: Record<string, Resolver> = {
  repository: ({ owner, name }, ctx) => {
    const repo = ctx.world.repos.get(`${owner}/${name}`.toLowerCase());
    if (!repo || !ctx.visible(repo))
      throw new GqlFieldError('NOT_FOUND', `Could not resolve to a Repository with the name '${owner}/${name}'.`);
    return {
      __typename: 'Repository',
      id: nodeId('R', repo.info.id),
      nameWithOwner: repo.fullName,
      autoMergeAllowed: repo.info.allowAutoMerge,
      pullRequest: ({ number }: { number: number }) => {
        const issue = repo.issues.get(Number(number));
        return issue?.pull ? pullRequestNode(ctx, repo, issue as IssueState & { pull: PullState }) : null;
      },
    };
  },
};
