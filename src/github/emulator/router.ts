/** Request paths → OpenAPI path templates (`/repos/{owner}/{repo}/pulls`) and their parameters. */
export type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

export interface RouteMatch {
  /** The OpenAPI path template, e.g. `/repos/{owner}/{repo}/pulls`. */
  route: string;
  params: Record<string, string>;
}

/** A path template as a regular expression; trailing `path`, `ref` and `branch` may hold slashes. */
interface CompiledTemplate {
  route: string;
  regex: RegExp;
  names: string[];
  literals: number;
}

const GREEDY = new Set(['path', 'ref', 'branch']);

function compileTemplate(route: string): CompiledTemplate {
  const names: string[] = [];
  const segments = route.split('/').slice(1);
  let literals = 0;
  const parts = segments.map((seg, i) => {
    const m = /^\{(\w+)\}$/.exec(seg);
    if (!m) {
      literals++;
      return `/${seg.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`;
    }
    names.push(m[1]!);
    const last = i === segments.length - 1;
    // The contents API lists the repository root with an empty path (`…/contents`, as clients send it).
    if (last && m[1] === 'path') return '(?:/(.*))?';
    return last && GREEDY.has(m[1]!) ? '/(.+)' : '/([^/]+)';
  });
  return { route, regex: new RegExp(`^${parts.join('')}$`), names, literals };
}

/** Match a request path against templates, most literal segments first. */
export class Router {
  private readonly templates: CompiledTemplate[];

  constructor(routes: Iterable<string>) {
    this.templates = [...new Set(routes)]
      .map(compileTemplate)
      .sort((a, b) => b.literals - a.literals || b.route.length - a.route.length);
  }

  match(pathname: string): RouteMatch | undefined {
    for (const t of this.templates) {
      const m = t.regex.exec(pathname);
      if (!m) continue;
      const params: Record<string, string> = {};
      t.names.forEach((name, i) => (params[name] = decodeURIComponent(m[i + 1] ?? '')));
      return { route: t.route, params };
    }
    return undefined;
  }
}
