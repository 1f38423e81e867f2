// A small history router on Svelte's own state: the server answers index.html for any
// page path, so deep links and reloads work; links inside the app are intercepted.
class Router {
  path = $state(location.pathname);
  search = $state(location.search);

  constructor() {
    addEventListener('popstate', () => this.sync());
    document.addEventListener('click', (event) => {
      if (event.defaultPrevented || event.button !== 0) return;
      if (event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
      const anchor = (event.target as Element | null)?.closest?.('a');
      if (!anchor || anchor.target || anchor.hasAttribute('download')) return;
      const url = new URL(anchor.href, location.href);
      if (url.origin !== location.origin || url.pathname.startsWith('/api/')) return;
      event.preventDefault();
      this.go(url.pathname + url.search + url.hash);
    });
  }

  private sync() {
    this.path = location.pathname;
    this.search = location.search;
  }

  go(to: string, replace = false) {
    if (replace) history.replaceState(null, '', to);
    else history.pushState(null, '', to);
    this.sync();
    scrollTo(0, 0);
  }

  /** The current page with its query, to come back to after signing in again. */
  here(): string {
    return location.pathname + location.search;
  }

  param(name: string): string | null {
    return new URLSearchParams(this.search).get(name);
  }
}

export const router = new Router();
