import type { Route } from '../http/types.js';

// Express-style patterns (/v1/calls/:id) compiled once to regexes. Literal segments are matched exactly;
// parameters match one non-empty segment and are URI-decoded.

export interface CompiledRoute {
  readonly route: Route;
  readonly regex: RegExp;
  readonly keys: readonly string[];
}

export function compileRoute(route: Route): CompiledRoute {
  const keys: string[] = [];
  const body = route.pattern
    .split('/')
    .map((seg) => {
      if (seg.startsWith(':')) {
        keys.push(seg.slice(1));
        return '([^/]+)';
      }
      return seg.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    })
    .join('/');
  return { route, regex: new RegExp(`^${body}/?$`), keys };
}

export type MatchResult =
  | { kind: 'found'; route: Route; params: Record<string, string> }
  | { kind: 'method-not-allowed'; allow: string[] }
  | { kind: 'not-found' };

export function matchRoute(routes: readonly CompiledRoute[], method: string, path: string): MatchResult {
  const allow: string[] = [];
  for (const c of routes) {
    const m = c.regex.exec(path);
    if (m === null) continue;
    if (c.route.method !== method) {
      allow.push(c.route.method);
      continue;
    }
    const params: Record<string, string> = {};
    for (let i = 0; i < c.keys.length; i++) {
      try {
        params[c.keys[i] as string] = decodeURIComponent(m[i + 1] ?? '');
      } catch {
        return { kind: 'not-found' };
      }
    }
    return { kind: 'found', route: c.route, params };
  }
  return allow.length > 0 ? { kind: 'method-not-allowed', allow } : { kind: 'not-found' };
}
