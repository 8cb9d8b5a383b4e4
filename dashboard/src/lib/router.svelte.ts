// The view and its settings live in the URL's hash (#/business?from=2026-01-01&to=2026-07-01&interval=month),
// so a link shows the same thing to the next person and the back button works. Changing a setting replaces
// the URL instead of adding history entries.
export const views = ['overview', 'health', 'business', 'scaling', 'alerts'] as const;
export type View = (typeof views)[number];

export const viewLabels: Record<View, string> = {
  overview: 'Overview',
  health: 'Live health',
  business: 'Business',
  scaling: 'Scaling',
  alerts: 'Alerts',
};

function parse(hash: string): { view: View; params: URLSearchParams } {
  const [path = '', query = ''] = hash.replace(/^#\/?/, '').split('?');
  const view = (views as readonly string[]).includes(path) ? (path as View) : 'overview';
  return { view, params: new URLSearchParams(query) };
}

class Route {
  view = $state<View>('overview');
  params = $state(new URLSearchParams());

  constructor() {
    this.#read();
    window.addEventListener('hashchange', () => this.#read());
  }

  #read(): void {
    const { view, params } = parse(window.location.hash);
    this.view = view;
    this.params = params;
  }

  /** The value of a setting, or the fallback when it is absent. */
  get(name: string, fallback: string): string {
    return this.params.get(name) ?? fallback;
  }

  /** Sets settings of the current view (null removes one) and rewrites the URL. */
  set(changes: Record<string, string | null>): void {
    const next = new URLSearchParams(this.params);
    for (const [name, value] of Object.entries(changes)) {
      if (value === null) next.delete(name);
      else next.set(name, value);
    }
    this.params = next;
    history.replaceState(null, '', this.href(this.view, next));
  }

  href(view: View, params: URLSearchParams = this.params): string {
    const query = params.toString();
    return `#/${view}${query ? `?${query}` : ''}`;
  }
}

export const route = new Route();
