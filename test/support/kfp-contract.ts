import fs from 'node:fs';
import path from 'node:path';
import { Ajv, type ValidateFunction } from 'ajv';
import type { LoggedRequest } from '../../src/kfp/emulator/log.js';
import { sharedDir } from './paths.js';

/**
 * The official KFP swagger (../shared/kfp-api, tag 2.17.0) as a checker for what crosses the
 * wire: every request's route, query parameters and body, and every answer's body. Objects are
 * closed (no property the description lacks), so an invented field is caught both ways.
 */
export type ApiVersionDir = 'v1beta1' | 'v2beta1';

export function loadSwagger(version: ApiVersionDir): any {
  return JSON.parse(
    fs.readFileSync(path.join(sharedDir, 'kfp-api', version, 'kfp_api_single_file.swagger.json'), 'utf8'),
  );
}

/** Close every described object: additionalProperties false where the description lists properties. */
function closeObjects(node: any): any {
  if (Array.isArray(node)) return node.map(closeObjects);
  if (!node || typeof node !== 'object') return node;
  const out: any = {};
  for (const [k, v] of Object.entries(node))
    out[k] =
      k === 'properties'
        ? Object.fromEntries(Object.entries(v as object).map(([p, s]) => [p, closeObjects(s)]))
        : closeObjects(v);
  if (out.properties && out.additionalProperties === undefined) out.additionalProperties = false;
  return out;
}

export class KfpContract {
  private readonly ajv = new Ajv({ strict: false, allErrors: true });
  private readonly swagger: Record<ApiVersionDir, any>;
  private readonly cache = new Map<string, ValidateFunction>();

  constructor() {
    this.ajv.addFormat('int64', /^-?\d+$/);
    this.ajv.addFormat('int32', true);
    this.ajv.addFormat('double', true);
    this.ajv.addFormat('byte', true);
    this.ajv.addFormat('date-time', /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$/);
    this.swagger = { v1beta1: loadSwagger('v1beta1'), v2beta1: loadSwagger('v2beta1') };
  }

  private version(p: string): ApiVersionDir {
    return p.startsWith('/apis/v1beta1') ? 'v1beta1' : 'v2beta1';
  }

  operation(method: string, template: string): any {
    return this.swagger[this.version(template)].paths[template]?.[method.toLowerCase()];
  }

  private validator(version: ApiVersionDir, schema: any): ValidateFunction {
    const key = `${version}:${JSON.stringify(schema)}`;
    let v = this.cache.get(key);
    if (!v) {
      v = this.ajv.compile({ definitions: closeObjects(this.swagger[version].definitions), ...closeObjects(schema) });
      this.cache.set(key, v);
    }
    return v;
  }

  private check(version: ApiVersionDir, schema: any, data: unknown, what: string): string[] {
    const v = this.validator(version, schema);
    return v(data)
      ? []
      : (v.errors ?? []).map(
          (e) =>
            `${what}: ${e.instancePath || '/'} ${e.message}${e.params && 'additionalProperty' in e.params ? ` '${e.params.additionalProperty}'` : ''}`,
        );
  }

  /** Problems with one logged exchange; [] when request and answer match the description. */
  validate(e: LoggedRequest): string[] {
    const [method, template] = [e.method, e.route.slice(e.method.length + 1)];
    const op = this.operation(method, template);
    if (!op) return [`${e.route}: not in the official KFP API description`];
    const version = this.version(template);
    const errors: string[] = [];
    const params: any[] = op.parameters ?? [];
    for (const [name, value] of Object.entries(e.query)) {
      const p = params.find((x) => x.in === 'query' && x.name === name);
      if (!p) {
        errors.push(`${e.route}: query parameter '${name}' is not described`);
        continue;
      }
      if (p.enum && !p.enum.includes(value))
        errors.push(`${e.route}: query ${name}=${value} not in ${p.enum.join('|')}`);
      if (p.type === 'integer' && !/^-?\d+$/.test(value))
        errors.push(`${e.route}: query ${name}=${value} is not an integer`);
    }
    const bodyParam = params.find((x) => x.in === 'body');
    if (e.requestBody !== undefined) {
      if (!bodyParam) {
        if (!(typeof e.requestBody === 'object' && e.requestBody && Object.keys(e.requestBody).length === 0))
          errors.push(`${e.route}: sends a body the call does not take`);
      } else errors.push(...this.check(version, bodyParam.schema, e.requestBody, `${e.route} request`));
    }
    if (e.responseBody !== undefined && e.status !== 0) {
      const resp = op.responses[String(e.status)] ?? op.responses.default;
      let body = e.responseBody;
      if (template.endsWith('/healthz') && e.status === 200 && body && typeof body === 'object') {
        // KFP serves healthz from main.go (newHealthzResponse), outside the gateway: commit_sha and
        // tag_name come with it although the description lacks them.
        const { commit_sha, tag_name, ...rest } = body as Record<string, unknown>;
        if (typeof commit_sha !== 'string' || typeof tag_name !== 'string')
          errors.push(`${e.route}: healthz lacks commit_sha or tag_name`);
        body = rest;
      }
      errors.push(...this.check(version, resp.schema, body, `${e.route} answer ${e.status}`));
    }
    return errors;
  }
}
