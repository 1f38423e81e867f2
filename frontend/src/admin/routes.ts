import { ADMIN, type Route } from '../lib/route';

export const routes: Route[] = [
  {
    pattern: '/admin',
    roles: ADMIN,
    title: 'Clinic set-up',
    page: () => import('./Admin.svelte'),
    nav: { label: 'Clinic set-up', order: 40 },
  },
  { pattern: '/admin/:section', roles: ADMIN, title: 'Clinic set-up', page: () => import('./Admin.svelte') },
];
