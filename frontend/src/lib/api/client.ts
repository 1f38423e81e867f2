// The one way the UI calls the API: a typed client generated from the server's own
// OpenAPI document. The session is an HttpOnly same-origin cookie; no token is ever
// held by this code (nothing in script-readable web storage).
import createClient, { type Middleware } from 'openapi-fetch';
import type { components, paths } from './schema';
import { connection } from '../connection.svelte';
import { session } from '../session.svelte';

export type Schemas = components['schemas'];
export type Problem = Schemas['Problem'];

const watch: Middleware = {
  onResponse({ request, response }) {
    connection.reachable(response.status !== 503);
    const url = new URL(request.url);
    // A 401 anywhere but the sign-in call itself means the session ended.
    if (response.status === 401 && !url.pathname.endsWith('/auth/login') && !url.pathname.endsWith('/auth/me')) {
      session.expired();
    }
    return response;
  },
  onError() {
    connection.reachable(false);
  },
};

export const api = createClient<paths>({ baseUrl: '', credentials: 'same-origin' });
api.use(watch);

/** A fresh key for one booking attempt (the server answers a repeat with the first answer). */
export function idempotencyKey(): string {
  return crypto.randomUUID();
}
