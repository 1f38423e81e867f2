import { STAFF, type Route } from '../lib/route';

export const routes: Route[] = [
  {
    pattern: '/patients',
    roles: STAFF,
    title: 'Patients',
    page: () => import('./Patients.svelte'),
    nav: { label: 'Patients', order: 20 },
  },
];
