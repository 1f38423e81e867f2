import { PRACTITIONER, type Route } from '../lib/route';

export const routes: Route[] = [
  {
    pattern: '/today',
    roles: PRACTITIONER,
    title: 'Today',
    page: () => import('./Today.svelte'),
    nav: { label: 'Today', order: 5 },
  },
];
