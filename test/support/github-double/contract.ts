import fs from 'node:fs';
import { Ajv, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { Router, type Method } from '../../../src/github/emulator/router.js';

export { Router, type Method };

/**
 * GitHub's official OpenAPI 3.0 description (dereferenced), used as the contract of the double:
 * which routes exist, what request bodies and query parameters they take, and what each response
 * status looks like. Validators are compiled lazily, per route and status, so start-up stays fast.
 */

type Json = Record<string, unknown>;

/**
 * OpenAPI 3.0 schema → JSON Schema ajv understands: `nullable` becomes a `null` type. GitHub's
 * description uses `oneOf` for alternatives that overlap (e.g. two error shapes that both fit any
 * error body), which no real response could satisfy; they are checked as `anyOf`.
 */
export function toJsonSchema(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(toJsonSchema);
  if (!schema || typeof schema !== 'object') return schema;
  const out: Json = {};
  for (const [k, v] of Object.entries(schema as Json)) {
    if (k === 'example' || k === 'examples' || k === 'nullable') continue;
    const key = k === 'oneOf' ? 'anyOf' : k;
    out[key] = k === 'properties' || k === 'patternProperties' ? mapValues(v as Json, toJsonSchema) : toJsonSchema(v);
  }
  if ((schema as Json).nullable !== true) return out;
  if (typeof out.type === 'string') {
    out.type = [out.type, 'null'];
    if (Array.isArray(out.enum) && !out.enum.includes(null)) out.enum = [...out.enum, null];
    return out;
  }
  return { anyOf: [out, { type: 'null' }] };
}

function mapValues(obj: Json, fn: (v: unknown) => unknown): Json {
  return Object.fromEntries(Object.entries(obj).map(([k, v]) => [k, fn(v)]));
}

interface Operation {
  parameters?: { name: string; in: string; required?: boolean; schema?: { type?: string; enum?: unknown[] } }[];
  requestBody?: { required?: boolean; content?: Record<string, { schema?: unknown }> };
  responses?: Record<string, { content?: Record<string, { schema?: unknown }> }>;
}

export class Contract {
  readonly router: Router;
  private readonly paths: Record<string, Record<string, Operation>>;
  private readonly cache = new Map<string, ValidateFunction | null>();
  private ajv: Ajv | undefined;

  private constructor(spec: { paths: Record<string, Record<string, Operation>> }) {
    this.paths = spec.paths;
    this.router = new Router(Object.keys(spec.paths));
  }

  /** The contract from the OpenAPI file, or undefined when the file is absent. */
  static load(file: string): Contract | undefined {
    if (!fs.existsSync(file)) return undefined;
    return new Contract(JSON.parse(fs.readFileSync(file, 'utf8')));
  }

  operation(method: string, route: string): Operation | undefined {
    return this.paths[route]?.[method.toLowerCase()];
  }

  /** Problems with the query string: parameters the operation does not declare, values outside their enum or type. */
  checkQuery(method: string, route: string, query: URLSearchParams): string[] {
    const declared = new Map(
      (this.operation(method, route)?.parameters ?? [])
        .filter((p) => p.in === 'query')
        .map((p) => [p.name, p.schema ?? {}]),
    );
    const problems: string[] = [];
    for (const [name, value] of query) {
      const schema = declared.get(name);
      if (!schema) problems.push(`query parameter '${name}' is not declared for ${method} ${route}`);
      else if (schema.enum && !schema.enum.includes(value))
        problems.push(`query parameter '${name}' must be one of ${schema.enum.join(', ')} (got '${value}')`);
      else if (schema.type === 'integer' && !/^-?\d+$/.test(value))
        problems.push(`query parameter '${name}' must be an integer (got '${value}')`);
      else if (schema.type === 'boolean' && !/^(true|false)$/.test(value))
        problems.push(`query parameter '${name}' must be true or false (got '${value}')`);
    }
    return problems;
  }

  /** Problems with a request body against the operation's requestBody schema. */
  checkRequest(method: string, route: string, body: unknown): string[] {
    const op = this.operation(method, route);
    const rb = op?.requestBody;
    if (!rb) return body === undefined ? [] : [`${method} ${route} takes no request body`];
    if (body === undefined) return rb.required ? [`${method} ${route} requires a request body`] : [];
    const validate = this.validator(`req ${method} ${route}`, rb.content?.['application/json']?.schema);
    return validate ? errorsOf(validate, body, 'request body') : [];
  }

  /** Problems with a response: an undocumented success status, or a body that does not fit its schema. */
  checkResponse(method: string, route: string, status: number, body: unknown): string[] {
    const responses = this.operation(method, route)?.responses ?? {};
    const doc = responses[String(status)];
    if (!doc) {
      // GitHub documents only some of the error statuses it returns (a 404 on a missing repo, a 500…).
      return status < 400 ? [`status ${status} is not documented for ${method} ${route}`] : [];
    }
    const schema = doc.content?.['application/json']?.schema;
    // Error bodies are sent even where the description omits them (GitHub always sends message/documentation_url).
    if (!schema)
      return body === undefined || status >= 400
        ? []
        : [`status ${status} of ${method} ${route} has no body in the description, but one was sent`];
    const validate = this.validator(`res ${status} ${method} ${route}`, schema);
    return validate ? errorsOf(validate, body, `response ${status}`) : [];
  }

  private validator(key: string, schema: unknown): ValidateFunction | null {
    if (!this.cache.has(key))
      this.cache.set(key, schema ? this.getAjv().compile(toJsonSchema(schema) as object) : null);
    return this.cache.get(key)!;
  }

  private getAjv(): Ajv {
    if (!this.ajv) {
      this.ajv = new Ajv({ strict: false, allErrors: true, logger: false });
      // ajv-formats is CommonJS: its default export is the function under ESM interop.
      const addFormats = ((addFormatsModule as unknown as { default?: typeof addFormatsModule }).default ??
        addFormatsModule) as unknown as (a: Ajv) => void;
      addFormats(this.ajv);
      this.ajv.addFormat('int64', { type: 'number', validate: (n: number) => Number.isInteger(n) });
      this.ajv.addFormat('repo.nwo', /^[^/]+\/[^/]+$/);
    }
    return this.ajv;
  }
}

function errorsOf(validate: ValidateFunction, value: unknown, what: string): string[] {
  if (validate(value)) return [];
  return (validate.errors ?? [])
    .slice(0, 10)
    .map(
      (e) =>
        `${what}${e.instancePath || ''}: ${e.message ?? 'invalid'}${e.params && 'additionalProperty' in e.params ? ` (${String(e.params.additionalProperty)})` : ''}`,
    );
}
