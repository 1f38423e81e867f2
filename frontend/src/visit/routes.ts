import type { Route } from '../lib/route';

// The treatment visit's screens (issue 11) mount here.
export const routes: Route[] = [];
