// Who is signed in. The session itself is an HttpOnly cookie the browser keeps.
import type { components } from './api/schema';
import { router } from './router.svelte';

export type User = components['schemas']['User'];
export type Role = User['role'];

class Session {
  user = $state<User | null>(null);
  /** Known after the first `/auth/me`. */
  checked = $state(false);
  /** Set when a call answered 401: the session ended while the page was open. */
  endedWhileOpen = $state(false);

  signedIn(user: User) {
    this.user = user;
    this.checked = true;
    this.endedWhileOpen = false;
  }

  signedOut() {
    this.user = null;
    this.checked = true;
  }

  /** The server said 401: back to sign-in, and to this page afterwards. */
  expired() {
    if (!this.user) return;
    this.user = null;
    this.endedWhileOpen = true;
    const back = router.here();
    if (!router.path.startsWith('/sign-in')) {
      router.go(`/sign-in?next=${encodeURIComponent(back)}`, true);
    }
  }
}

export const session = new Session();

/** The first screen of each role. */
export function homeOf(role: Role): string {
  switch (role) {
    case 'patient':
      return '/me';
    case 'practitioner':
      return '/today';
    default:
      return '/calendar';
  }
}
