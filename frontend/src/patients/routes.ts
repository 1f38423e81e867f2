import { STAFF, type Route } from '../lib/route';

export const routes: Route[] = [
  {
    pattern: '/patients',
    roles: STAFF,
    title: 'Patients',
    page: () => import('./Patients.svelte'),
    nav: { label: 'Patients', order: 20 },
  },
  { pattern: '/patients/new', roles: STAFF, title: 'Register a patient', page: () => import('./PatientForm.svelte') },
  { pattern: '/patients/import', roles: STAFF, title: 'Import patients', page: () => import('./Import.svelte') },
  { pattern: '/patients/:id', roles: STAFF, title: 'Patient', page: () => import('./PatientChart.svelte') },
  { pattern: '/patients/:id/edit', roles: STAFF, title: 'Edit patient', page: () => import('./PatientForm.svelte') },
];
