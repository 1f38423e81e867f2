import { PATIENT, type Route } from '../lib/route';

export const routes: Route[] = [
  {
    pattern: '/me',
    roles: PATIENT,
    title: 'My appointments',
    page: () => import('./Portal.svelte'),
    nav: { label: 'Appointments', order: 10 },
  },
  { pattern: '/my-consents', roles: PATIENT, title: 'My consents', page: () => import('./MyConsents.svelte'), nav: { label: 'Consents', order: 20 } },
  { pattern: '/my-record', roles: PATIENT, title: 'My record', page: () => import('./MyRecord.svelte'), nav: { label: 'Record', order: 30 } },
  { pattern: '/my-access', roles: PATIENT, title: 'Who looked at my record', page: () => import('./AccessLog.svelte'), nav: { label: 'Who looked', order: 40 } },
];
