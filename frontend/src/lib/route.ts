// The shape of a page route. Each screen folder lists its own routes in `routes.ts`
// (so engineers on different screens edit different files); src/routes.ts joins them.
import type { Component } from 'svelte';
import type { Role } from './session.svelte';

export interface Route {
  /** `/patients/:id` style; `:name` segments become props. */
  pattern: string;
  /** Who may open it; `public` needs no sign-in. */
  roles: readonly Role[] | 'public';
  title: string;
  page: () => Promise<{ default: Component<any> }>;
  /** Shown in the top bar when set (lower order first). */
  nav?: { label: string; order: number };
}

export const STAFF: readonly Role[] = ['admin', 'front_desk', 'practitioner'];
export const ADMIN: readonly Role[] = ['admin'];
export const PATIENT: readonly Role[] = ['patient'];
export const PRACTITIONER: readonly Role[] = ['practitioner'];

export function match(routes: readonly Route[], path: string): { route: Route; params: Record<string, string> } | null {
  const parts = path.replace(/\/+$/, '').split('/');
  for (const route of routes) {
    const pattern = route.pattern.split('/');
    if (pattern.length !== parts.length) continue;
    const params: Record<string, string> = {};
    let ok = true;
    for (let i = 0; i < pattern.length; i++) {
      const p = pattern[i] ?? '';
      const v = parts[i] ?? '';
      if (p.startsWith(':')) params[p.slice(1)] = decodeURIComponent(v);
      else if (p !== v) {
        ok = false;
        break;
      }
    }
    if (ok) return { route, params };
  }
  return null;
}
