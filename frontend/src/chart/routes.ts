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
  { pattern: '/chart/:id/consultations/:cid', roles: PRACTITIONER, title: 'Consultation', page: () => import('./Consultation.svelte') },
  { pattern: '/chart/:id/consents/:cid', roles: PRACTITIONER, title: 'Consent', page: () => import('./ConsentPage.svelte') },
  { pattern: '/chart/:id/procedures/:pid', roles: PRACTITIONER, title: 'Procedure note', page: () => import('./ProcedurePage.svelte') },
  { pattern: '/recall', roles: PRACTITIONER, title: 'Lot recall', page: () => import('./Recall.svelte') },
  { pattern: '/outcomes', roles: PRACTITIONER, title: 'Outcomes', page: () => import('./Outcomes.svelte'), nav: { label: 'Outcomes', order: 50 } },
  {
    pattern: '/reports-due',
    roles: PRACTITIONER,
    title: 'Reports due',
    page: () => import('./ReportsDue.svelte'),
    nav: { label: 'Reports', order: 40 },
  },
];
