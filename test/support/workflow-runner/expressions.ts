import { data, Evaluator, Lexer, Parser, wellKnownFunctions } from '@actions/expressions';
import { TokenType } from '@actions/expressions/lexer';
import type { FunctionDefinition } from '@actions/expressions/funcs/info';
import { isBasicExpression, isBoolean, isMapping, isNumber, isSequence, isString } from '@actions/workflow-parser';
import type { TemplateToken } from '@actions/workflow-parser/templates/tokens/template-token';

/**
 * `${{ }}` evaluation with GitHub's own expression engine (@actions/expressions): the parser and evaluator
 * the Actions language services use, with the status functions a runner adds.
 * https://docs.github.com/en/actions/reference/workflows-and-actions/expressions
 */

/** The contexts an expression can read; a missing one evaluates to null, as on GitHub. */
export const CONTEXT_NAMES = [
  'github',
  'inputs',
  'secrets',
  'vars',
  'needs',
  'steps',
  'env',
  'job',
  'jobs',
  'runner',
  'strategy',
  'matrix',
] as const;
export type Contexts = Partial<Record<(typeof CONTEXT_NAMES)[number], unknown>>;

/**
 * What the status functions answer where the expression is evaluated: for a step, the job's status so
 * far; for a job, the results of its ancestor jobs (see runner.ts).
 */
export interface Status {
  success: boolean;
  failure: boolean;
  cancelled: boolean;
}

export class ExpressionFailure extends Error {}
/** Something the test runner does not implement: it throws instead of skipping it. */
export class UnsupportedError extends Error {}

/**
 * @actions/workflow-parser 0.3.61 keeps a block scalar's indentation and line breaks around a `${{ }}`
 * (`if: >-` gives format('      {0}\n', …), a string that is always true), where GitHub folds the scalar.
 * Such expressions are refused rather than evaluated differently from GitHub.
 */
export function refuseBlockScalar(token: TemplateToken | undefined, where: string): void {
  if (token && isBasicExpression(token) && token.blockScalarHeader) {
    throw new UnsupportedError(
      `${where}: a \${{ }} in a block scalar (${token.blockScalarHeader}, line ${token.range?.start.line}) is misread by @actions/workflow-parser; write it as a plain scalar`,
    );
  }
}

const toData = (value: unknown): data.ExpressionData => JSON.parse(JSON.stringify(value ?? null), data.reviver);
const fromData = (value: data.ExpressionData): unknown => JSON.parse(JSON.stringify(value, data.replacer) ?? 'null');

function statusFunctions(status: Status | undefined): Map<string, FunctionDefinition> {
  const fn = (name: string, answer: () => boolean): [string, FunctionDefinition] => [
    name,
    { name, minArgs: 0, maxArgs: 0, call: () => new data.BooleanData(answer()) },
  ];
  const need = () => {
    if (!status) throw new ExpressionFailure('status functions are only allowed in if: conditions');
    return status;
  };
  return new Map([
    fn('success', () => need().success),
    fn('failure', () => need().failure),
    fn('cancelled', () => need().cancelled),
    fn('always', () => (need(), true)),
  ]);
}

/** Evaluate one expression (the text between `${{` and `}}`) to a plain JS value. */
export function evaluate(expression: string, contexts: Contexts, status?: Status): unknown {
  const functions = statusFunctions(status);
  try {
    const tokens = new Lexer(expression).lex().tokens;
    // Runner-only functions (hashFiles…) are not implemented: refuse them rather than fail a step.
    for (const [i, t] of tokens.entries()) {
      const name = t.lexeme.toLowerCase();
      if (
        t.type === TokenType.IDENTIFIER &&
        tokens[i + 1]?.type === TokenType.LEFT_PAREN &&
        !(name in wellKnownFunctions) &&
        !functions.has(name)
      ) {
        throw new UnsupportedError(`${t.lexeme}() in \${{ ${expression} }} is not supported by the test runner`);
      }
    }
    const tree = new Parser(tokens, [...CONTEXT_NAMES], [...functions.values()]).parse();
    const ctx = new data.Dictionary(...CONTEXT_NAMES.map((key) => ({ key, value: toData(contexts[key]) })));
    return fromData(new Evaluator(tree, ctx, functions).evaluate());
  } catch (e) {
    if (e instanceof ExpressionFailure || e instanceof UnsupportedError) throw e;
    throw new ExpressionFailure(`cannot evaluate \${{ ${expression} }}: ${(e as Error).message}`);
  }
}

/** Truthiness as GitHub defines it (null, false, 0, NaN and '' are falsy). */
export const truthy = (value: unknown): boolean =>
  !(value === null || value === undefined || value === false || value === 0 || Number.isNaN(value) || value === '');

/**
 * Evaluate a parsed template token (string, expression, mapping, sequence…) to plain JS. Anything the
 * runner would insert structurally (`${{ insert }}`) is unsupported and throws.
 */
export function evaluateToken(token: TemplateToken | undefined, contexts: Contexts, status?: Status): unknown {
  if (token === undefined) return undefined;
  refuseBlockScalar(token, 'expression');
  if (isBasicExpression(token)) return evaluate(token.expression, contexts, status);
  if (isString(token)) return token.value;
  if (isBoolean(token) || isNumber(token)) return token.value;
  if (isSequence(token)) return [...seq(token)].map((t) => evaluateToken(t, contexts, status));
  if (isMapping(token)) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of entries(token)) out[k] = evaluateToken(v, contexts, status);
    return out;
  }
  if (token.templateTokenType === 7) return null;
  throw new ExpressionFailure(
    `unsupported template token type ${token.templateTokenType} (line ${token.range?.start.line})`,
  );
}

/** Coerce a value to the string a runner passes on (inputs, env): null → '', numbers and booleans as text. */
export function asString(value: unknown, where: string): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'object')
    throw new ExpressionFailure(`${where}: an object or array is not a string (use toJSON())`);
  return toData(value).coerceString();
}

/** The key/value pairs of a mapping token, keys as strings. */
export function entries(token: TemplateToken | undefined): [string, TemplateToken][] {
  if (!token || token.templateTokenType === 7) return [];
  const m = token.assertMapping('mapping');
  const out: [string, TemplateToken][] = [];
  for (let i = 0; i < m.count; i++) {
    const pair = m.get(i);
    out.push([pair.key.assertString('key').value, pair.value]);
  }
  return out;
}

export function seq(token: TemplateToken): TemplateToken[] {
  const s = token.assertSequence('sequence');
  return Array.from({ length: s.count }, (_, i) => s.get(i));
}
