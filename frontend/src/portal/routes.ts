import { PATIENT, type Route } from '../lib/route';

export const routes: Route[] = [
  {
    pattern: '/me',
    roles: PATIENT,
    title: 'My appointments',
    page: () => import('./Portal.svelte'),
    nav: { label: 'My appointments', order: 10 },
  },
];
