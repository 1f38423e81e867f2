// Loads something for a screen: loading, loaded or failed states; a 503 or a network
// failure retries by itself every few seconds (explained as SERVER_UNREACHABLE).
import { explain, type Explained } from './problem';

export interface Answer<T> {
  data?: T;
  error?: unknown;
  response: Response;
}

const RETRY_MS = 3000;

export class Loader<T> {
  data = $state<T | undefined>(undefined);
  problem = $state<Explained | null>(null);
  loading = $state(true);
  private timer: ReturnType<typeof setTimeout> | undefined;
  private alive = true;

  constructor(private fetcher: () => Promise<Answer<T>>) {}

  async load(): Promise<void> {
    clearTimeout(this.timer);
    this.loading = this.data === undefined;
    let answer: Answer<T> | undefined;
    try {
      answer = await this.fetcher();
    } catch (error) {
      this.fail(explain(error));
      return;
    }
    if (!this.alive) return;
    if (answer.response.ok && answer.data !== undefined) {
      this.data = answer.data;
      this.problem = null;
      this.loading = false;
    } else {
      this.fail(explain(answer.error, answer.response));
    }
  }

  private fail(problem: Explained) {
    if (!this.alive) return;
    this.problem = problem;
    this.loading = false;
    if (problem.status === 0 || problem.status === 503) {
      this.timer = setTimeout(() => void this.load(), RETRY_MS);
    }
  }

  stop() {
    this.alive = false;
    clearTimeout(this.timer);
  }
}
