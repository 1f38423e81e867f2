import { PRACTITIONER, type Route } from '../lib/route';

export const routes: Route[] = [
  {
    pattern: '/today',
    roles: PRACTITIONER,
    title: 'Today',
    page: () => import('./Today.svelte'),
    nav: { label: 'Today', order: 5 },
  },
  { pattern: '/chart/:id', roles: PRACTITIONER, title: 'Chart', page: () => import('./Chart.svelte') },
  {
    pattern: '/reports-due',
    roles: PRACTITIONER,
    title: 'Reports due',
    page: () => import('./ReportsDue.svelte'),
    nav: { label: 'Reports due', order: 40 },
  },
];
