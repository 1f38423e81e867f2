// Turns a problem+json answer (or a network failure) into words for people.
import type { Problem } from './api/client';

/**
 * The one wording for "the server does not answer" (a 503 or a network failure), used by the
 * shell's start-up, the banner on every screen and every explained answer.
 */
export const SERVER_UNREACHABLE = "The clinic's server is unreachable, retrying…";

export interface Explained {
  /** One short sentence saying what happened and what to do. */
  message: string;
  /** Field name → message, for errors shown beside their fields. */
  fields: Record<string, string>;
  status: number;
  kind: string;
}

function kindOf(problem: Partial<Problem> | undefined): string {
  // `urn:dermachart:problem:totp-required` (or a URL ending in the same slug).
  const type = problem?.type ?? '';
  return type.split(/[/:]/).pop() ?? '';
}

export function isProblem(value: unknown): value is Problem {
  return typeof value === 'object' && value !== null && 'status' in value && 'title' in value;
}

/** Explains an error answer; `response` gives the status and headers such as Retry-After. */
export function explain(error: unknown, response?: Response): Explained {
  const status = response?.status ?? (isProblem(error) ? error.status : 0);
  const problem = isProblem(error) ? error : undefined;
  const kind = kindOf(problem);
  const fields: Record<string, string> = {};
  for (const e of problem?.errors ?? []) {
    const key = e.line ? `${e.field}@${e.line}` : e.field;
    fields[key] = e.message;
  }
  let message: string;
  if (!response || status === 0 || status === 503) {
    message = SERVER_UNREACHABLE;
  } else if (kind === 'totp-required') {
    message = 'Enter the 6-digit code from your authenticator app.';
  } else if (status === 401) {
    message = 'The email or password is not right.';
  } else if (status === 429) {
    const wait = Number(response.headers.get('Retry-After') ?? '');
    message = Number.isFinite(wait) && wait > 0
      ? `Too many attempts. Try again in ${waitWords(wait)}.`
      : 'Too many attempts. Try again later.';
  } else if (status === 412) {
    message = 'Someone else changed this while you were looking at it. It has been reloaded; check it and try again.';
  } else if (status === 409) {
    message = problem?.detail || 'That clashes with something already booked.';
  } else if (status === 422) {
    message = Object.keys(fields).length > 0 ? 'Some fields need attention.' : problem?.detail || 'Some fields need attention.';
  } else if (status === 403) {
    message = 'Your role may not do this.';
  } else if (status === 404) {
    message = 'This no longer exists, or you may not see it.';
  } else if (status === 413) {
    message = 'The file is too large.';
  } else if (status >= 500) {
    message = 'Something went wrong on the server. Try again; if it keeps happening, tell the clinic manager.';
  } else {
    message = problem?.detail || 'The request could not be done.';
  }
  return { message, fields, status, kind };
}

export function waitWords(seconds: number): string {
  if (seconds < 60) return `${seconds} second${seconds === 1 ? '' : 's'}`;
  const minutes = Math.ceil(seconds / 60);
  return `${minutes} minute${minutes === 1 ? '' : 's'}`;
}
