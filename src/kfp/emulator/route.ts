import type { RequestContext } from './logic.js';

/** One API route the emulator serves; `path` is the swagger template (e.g. /apis/v1beta1/jobs/{id}/enable). */
export interface Route {
  method: 'GET' | 'POST' | 'DELETE';
  path: string;
  /** The swagger definition name of the request body, if the call takes one. */
  body?: string;
  handle(ctx: RouteContext): unknown;
}

export interface RouteContext extends RequestContext {
  params: Record<string, string>;
  query: URLSearchParams;
  /** The decoded body (snake_case, typed) when the route takes one. */
  body: any;
  /** The body as sent, and its content type (for multipart uploads). */
  raw?: string;
  contentType?: string;
}

export const q = (ctx: RouteContext, name: string) => ctx.query.get(name) ?? undefined;
