import type { Route } from '../lib/route';

export const routes: Route[] = [
  { pattern: '/sign-in', roles: 'public', title: 'Sign in', page: () => import('./SignIn.svelte') },
  { pattern: '/forgot-password', roles: 'public', title: 'Forgot password', page: () => import('./ForgotPassword.svelte') },
  { pattern: '/set-password', roles: 'public', title: 'Set your password', page: () => import('./SetPassword.svelte') },
];
