// The one file upload helper: posts a Blob (with its content type) or a FormData (multipart)
// and reports upload progress. fetch() reports no upload progress, so this uses
// XMLHttpRequest; the answer has the typed client's shape ({ data } or { error }, with a
// `response` that `explain` reads for the status and headers such as Retry-After) and is
// watched like the typed client's answers: a 503 or a network failure marks the server
// unreachable (SERVER_UNREACHABLE), a 401 signs the user out.
import type { paths } from './api/schema';
import type { Problem } from './api/client';
import { connection } from './connection.svelte';
import { session } from './session.svelte';

/** The JSON body of a path's 201 answer to a POST, e.g. `Created<'/api/v1/patients/import'>`. */
export type Created<P extends keyof paths> = paths[P] extends {
  post: { responses: { 201: { content: { 'application/json': infer T } } } };
}
  ? T
  : never;

export interface UploadAnswer<T> {
  /** The parsed JSON of a 2xx answer. */
  data?: T;
  /** The parsed problem+json (or other body) of a refusal, or the network error. */
  error?: Problem | unknown;
  /** Absent when the request never got an answer (network failure): `explain` then says unreachable. */
  response?: Response;
}

/**
 * Posts `body` to `url` (same origin: the session cookie goes with it); `onProgress` gets
 * 0..1 as the bytes go out. A Blob is sent with `contentType`; a FormData as multipart.
 * Never rejects: a network failure answers `{ error }` without a response.
 */
export function upload<T = unknown>(
  url: string,
  body: Blob | FormData,
  onProgress: (fraction: number) => void,
  contentType?: string,
): Promise<UploadAnswer<T>> {
  return new Promise((resolve) => {
    const xhr = new XMLHttpRequest();
    xhr.open('POST', url);
    xhr.withCredentials = true;
    if (contentType && !(body instanceof FormData)) xhr.setRequestHeader('Content-Type', contentType);
    xhr.setRequestHeader('Accept', 'application/json, application/problem+json');
    xhr.upload.onprogress = (event) => {
      if (event.lengthComputable && event.total > 0) onProgress(event.loaded / event.total);
    };
    xhr.upload.onload = () => onProgress(1);
    xhr.onerror = () => {
      connection.reachable(false);
      resolve({ error: new TypeError('network error') });
    };
    xhr.onload = () => {
      if (xhr.status < 200) {
        // No real answer (a Response cannot even be made with such a status).
        connection.reachable(false);
        resolve({ error: new TypeError(`no answer (status ${xhr.status})`) });
        return;
      }
      onProgress(1);
      const headers = new Headers();
      for (const line of xhr.getAllResponseHeaders().trim().split(/[\r\n]+/)) {
        const at = line.indexOf(':');
        if (at > 0) headers.append(line.slice(0, at).trim(), line.slice(at + 1).trim());
      }
      // A Response stands in for the answer so that `explain` reads status and headers.
      const response = new Response(null, { status: xhr.status, headers });
      connection.reachable(xhr.status !== 503);
      if (xhr.status === 401) session.expired();
      let parsed: unknown;
      try {
        parsed = xhr.responseText ? JSON.parse(xhr.responseText) : undefined;
      } catch {
        parsed = undefined;
      }
      if (xhr.status >= 200 && xhr.status < 300) resolve({ data: parsed as T, response });
      else resolve({ error: parsed, response });
    };
    xhr.send(body);
  });
}
