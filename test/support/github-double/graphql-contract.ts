import fs from 'node:fs';
import { type GqlField, type GqlOperation, resolveValue, tokenize } from '../../../src/github/emulator/graphql.js';

/**
 * GitHub's public GraphQL schema (../shared/github-api/schema.graphql) as the contract of the double's
 * /graphql endpoint: the fields an operation selects and the arguments it passes must exist, variables
 * must fit their input types (required fields, enum values), and what the double answers must fit the
 * selected fields' types. A small reader of the SDL (types, inputs, interfaces, enums), not a full
 * GraphQL implementation: the `graphql` package is not a dependency of this repository.
 */

interface FieldDef {
  /** Type text as written, e.g. `PullRequestMergeMethod!`, `[String!]`. */
  type: string;
  args: Record<string, { type: string; hasDefault: boolean }>;
}

interface TypeDef {
  kind: 'type' | 'interface' | 'input' | 'enum' | 'union' | 'scalar';
  fields: Record<string, FieldDef & { hasDefault: boolean }>;
  values: Set<string>;
}

const SCALARS: Record<string, (v: unknown) => boolean> = {
  String: (v) => typeof v === 'string',
  ID: (v) => typeof v === 'string' || typeof v === 'number',
  Int: (v) => Number.isInteger(v),
  Float: (v) => typeof v === 'number',
  Boolean: (v) => typeof v === 'boolean',
};

/** The named type inside `[X!]!`. */
const named = (t: string) => t.replace(/[[\]!]/g, '');
const isList = (t: string) => t.startsWith('[');
const nonNull = (t: string) => t.endsWith('!');

export class GraphqlContract {
  private constructor(private readonly types: Map<string, TypeDef>) {}

  static load(file: string): GraphqlContract | undefined {
    if (!fs.existsSync(file)) return undefined;
    return new GraphqlContract(parseSdl(fs.readFileSync(file, 'utf8')));
  }

  /** Problems with an operation and its variables. */
  checkRequest(op: GqlOperation, vars: Record<string, unknown>): string[] {
    const problems: string[] = [];
    const root = op.type === 'mutation' ? 'Mutation' : 'Query';
    for (const [name, type] of Object.entries(op.variables)) {
      if (!this.types.has(named(type)) && !SCALARS[named(type)])
        problems.push(`variable $${name} has unknown type ${type}`);
      else if ((vars[name] === undefined || vars[name] === null) && nonNull(type))
        problems.push(`variable $${name} of type ${type} is required`);
    }
    for (const v of Object.keys(vars))
      if (!(v in op.variables)) problems.push(`variable $${v} is sent but not declared by the operation`);
    this.checkSelections(op.selections, root, root, op, vars, problems);
    return problems;
  }

  /** Problems with `data` against the operation's selections. */
  checkResponse(op: GqlOperation, data: Record<string, unknown> | null, hasErrors: boolean): string[] {
    const problems: string[] = [];
    if (data)
      this.checkData(data, op.selections, op.type === 'mutation' ? 'Mutation' : 'Query', 'data', hasErrors, problems);
    return problems;
  }

  private checkSelections(
    selections: GqlField[],
    typeName: string,
    path: string,
    op: GqlOperation,
    vars: Record<string, unknown>,
    problems: string[],
  ): void {
    const type = this.types.get(typeName);
    for (const f of selections) {
      if (f.name === '__typename') continue;
      const def = type?.fields[f.name];
      const at = `${path}.${f.name}`;
      if (!def) {
        problems.push(`${typeName} has no field '${f.name}' (${at})`);
        continue;
      }
      for (const [arg, value] of Object.entries(f.args)) {
        const argDef = def.args[arg];
        if (!argDef) problems.push(`field ${at} takes no argument '${arg}'`);
        else if (
          value.kind === 'var' &&
          op.variables[value.name] &&
          named(op.variables[value.name]!) !== named(argDef.type)
        ) {
          problems.push(
            `argument ${at}(${arg}:) is ${argDef.type}, but $${value.name} is declared ${op.variables[value.name]}`,
          );
        } else problems.push(...this.checkInput(resolveValue(value, vars), argDef.type, `${at}(${arg}:)`));
      }
      for (const [arg, argDef] of Object.entries(def.args))
        if (nonNull(argDef.type) && !argDef.hasDefault && !(arg in f.args))
          problems.push(`field ${at} requires argument '${arg}'`);
      const target = this.types.get(named(def.type));
      const leaf = !target || target.kind === 'enum' || target.kind === 'scalar';
      if (leaf && f.selections) problems.push(`field ${at} of type ${def.type} cannot have a selection`);
      if (!leaf && !f.selections) problems.push(`field ${at} of type ${def.type} needs a selection of subfields`);
      if (!leaf && f.selections) this.checkSelections(f.selections, named(def.type), at, op, vars, problems);
    }
  }

  private checkInput(value: unknown, type: string, at: string): string[] {
    if (value === null || value === undefined) return nonNull(type) ? [`${at} (${type}) is required`] : [];
    if (isList(type))
      return Array.isArray(value)
        ? value.flatMap((v, i) => this.checkInput(v, type.slice(1, type.lastIndexOf(']')), `${at}[${i}]`))
        : this.checkInput(value, type.slice(1, type.lastIndexOf(']')), at);
    const name = named(type);
    const scalar = SCALARS[name];
    if (scalar) return scalar(value) ? [] : [`${at} must be a ${name} (got ${JSON.stringify(value)})`];
    const def = this.types.get(name);
    if (!def || def.kind === 'scalar') return typeof value === 'string' ? [] : [`${at} must be a ${name} string`];
    if (def.kind === 'enum')
      return def.values.has(value as string)
        ? []
        : [`${at} must be one of ${[...def.values].join(', ')} (got ${JSON.stringify(value)})`];
    if (def.kind !== 'input' || typeof value !== 'object') return [`${at} must be an input object ${name}`];
    const problems: string[] = [];
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
      const field = def.fields[k];
      if (!field) problems.push(`${name} has no input field '${k}' (${at}.${k})`);
      else problems.push(...this.checkInput(v, field.type, `${at}.${k}`));
    }
    for (const [k, field] of Object.entries(def.fields))
      if (nonNull(field.type) && !field.hasDefault && !(k in (value as object)))
        problems.push(`${at}.${k} (${field.type}) is required`);
    return problems;
  }

  private checkData(
    obj: Record<string, unknown>,
    selections: GqlField[],
    typeName: string,
    path: string,
    hasErrors: boolean,
    problems: string[],
  ): void {
    const type = this.types.get(typeName);
    for (const f of selections) {
      const key = f.alias ?? f.name;
      const value = obj[key];
      const at = `${path}.${key}`;
      if (!(key in obj)) problems.push(`${at} is missing from the response`);
      if (f.name === '__typename') continue;
      const def = type?.fields[f.name];
      if (!def) continue; // reported by checkRequest
      this.checkValue(value, def.type, f, at, hasErrors, problems);
    }
  }

  private checkValue(
    value: unknown,
    type: string,
    f: GqlField,
    at: string,
    hasErrors: boolean,
    problems: string[],
  ): void {
    if (value === null || value === undefined) {
      // A field that failed is null with an entry in `errors`, even when its type is non-null.
      if (nonNull(type) && !hasErrors) problems.push(`${at} is null but its type is ${type}`);
      return;
    }
    if (isList(type)) {
      if (!Array.isArray(value)) problems.push(`${at} must be a list (${type})`);
      else
        value.forEach((v, i) =>
          this.checkValue(v, type.replace(/!$/, '').slice(1, -1), f, `${at}[${i}]`, hasErrors, problems),
        );
      return;
    }
    const name = named(type);
    const def = this.types.get(name);
    if (SCALARS[name]) {
      if (!SCALARS[name]!(value)) problems.push(`${at} must be a ${name} (got ${JSON.stringify(value)})`);
    } else if (def?.kind === 'enum') {
      if (!def.values.has(value as string))
        problems.push(`${at} must be one of ${[...def.values].join(', ')} (got ${JSON.stringify(value)})`);
    } else if (def?.kind === 'scalar') {
      if (typeof value !== 'string') problems.push(`${at} must be a ${name} string`);
    } else if (f.selections) {
      // Interfaces and unions: the concrete type from __typename when the double sent it.
      const concrete = (value as { __typename?: string }).__typename;
      this.checkData(
        value as Record<string, unknown>,
        f.selections,
        def?.kind === 'type' || !concrete ? name : concrete,
        at,
        hasErrors,
        problems,
      );
    }
  }
}

/** Types, interfaces, inputs and enums of an SDL document (descriptions and directives skipped). */
function parseSdl(src: string): Map<string, TypeDef> {
  const t = tokenize(src, false);
  const types = new Map<string, TypeDef>();
  let i = 0;
  const skipParens = () => {
    let depth = 0;
    do {
      if (t[i]!.text === '(') depth++;
      if (t[i]!.text === ')') depth--;
      i++;
    } while (depth > 0);
  };
  const skipDirectives = () => {
    while (t[i]?.text === '@') {
      i += 2;
      if (t[i]?.text === '(') skipParens();
    }
  };
  const typeText = () => {
    let s = '';
    while (t[i]!.text === '[') s += t[i++]!.text;
    s += t[i++]!.text;
    while (t[i]?.text === '!' || t[i]?.text === ']') s += t[i++]!.text;
    return s;
  };
  const skipDefault = () => {
    if (t[i]?.text !== '=') return false;
    i++;
    if (t[i]!.text === '[' || t[i]!.text === '{') {
      const close = t[i]!.text === '[' ? ']' : '}';
      let depth = 0;
      do {
        if (t[i]!.text === '[' || t[i]!.text === '{') depth++;
        if (t[i]!.text === close || t[i]!.text === ']' || t[i]!.text === '}') depth--;
        i++;
      } while (depth > 0);
    } else i++;
    return true;
  };
  while (i < t.length) {
    const kw = t[i]!.text;
    if (kw === 'extend') {
      i++;
      continue;
    }
    if (!['type', 'interface', 'input', 'enum', 'union', 'scalar', 'schema', 'directive'].includes(kw)) {
      i++;
      continue;
    }
    i++;
    if (kw === 'directive') {
      i += 2; // @ name
      if (t[i]?.text === '(') skipParens();
      continue;
    }
    const name = kw === 'schema' ? 'schema' : t[i++]!.text;
    const def: TypeDef = { kind: kw === 'schema' ? 'type' : (kw as TypeDef['kind']), fields: {}, values: new Set() };
    types.set(name, def);
    // union X = A | B and scalar X have no body: the main loop skips their remaining tokens.
    if (def.kind === 'union' || def.kind === 'scalar') continue;
    while (t[i]!.text !== '{') {
      if (t[i]!.text === '(') skipParens();
      else i++;
    }
    i++;
    while (t[i]!.text !== '}') {
      const field = t[i++]!.text;
      skipDirectives();
      if (def.kind === 'enum') {
        def.values.add(field);
        continue;
      }
      const args: FieldDef['args'] = {};
      if (t[i]?.text === '(') {
        i++;
        while (t[i]!.text !== ')') {
          const arg = t[i++]!.text;
          i++; // :
          const type = typeText();
          args[arg] = { type, hasDefault: skipDefault() };
          skipDirectives();
        }
        i++;
      }
      i++; // :
      const type = typeText();
      const hasDefault = skipDefault();
      skipDirectives();
      def.fields[field] = { type, args, hasDefault };
    }
    i++;
  }
  return types;
}
