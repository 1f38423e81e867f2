import { STAFF, type Route } from '../lib/route';

export const routes: Route[] = [
  {
    pattern: '/calendar',
    roles: STAFF,
    title: 'Calendar',
    page: () => import('./Calendar.svelte'),
    nav: { label: 'Calendar', order: 10 },
  },
];
