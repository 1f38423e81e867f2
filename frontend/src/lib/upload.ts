// Sends a file body with upload progress. fetch() reports no upload progress, so this
// uses XMLHttpRequest; the answer is still typed by the generated schema and watched
// like the typed client's (503 → "unreachable", 401 → signed out).
import type { paths } from './api/schema';
import type { Problem } from './api/client';
import { connection } from './connection.svelte';
import { session } from './session.svelte';

/** The paths that take a POST whose success is a 201 with a JSON body. */
type Created<P extends keyof paths> = paths[P] extends {
  post: { responses: { 201: { content: { 'application/json': infer T } } } };
}
  ? T
  : never;

export interface UploadAnswer<T> {
  data?: T;
  error?: Problem | unknown;
  response: Response;
}

/** Posts `body` to `path`; `onProgress` gets 0..1 as the bytes go out. */
export function uploadWithProgress<P extends keyof paths>(
  path: P,
  body: Blob,
  contentType: string,
  onProgress: (fraction: number) => void,
): Promise<UploadAnswer<Created<P>>> {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open('POST', path);
    xhr.withCredentials = true;
    xhr.setRequestHeader('Content-Type', contentType);
    xhr.setRequestHeader('Accept', 'application/json, application/problem+json');
    xhr.upload.onprogress = (event) => {
      if (event.lengthComputable && event.total > 0) onProgress(event.loaded / event.total);
    };
    xhr.upload.onload = () => onProgress(1);
    xhr.onerror = () => {
      connection.reachable(false);
      reject(new TypeError('network error'));
    };
    xhr.onload = () => {
      const headers = new Headers();
      for (const line of xhr.getAllResponseHeaders().trim().split(/[\r\n]+/)) {
        const at = line.indexOf(':');
        if (at > 0) headers.append(line.slice(0, at).trim(), line.slice(at + 1).trim());
      }
      const response = new Response(null, { status: xhr.status, headers });
      connection.reachable(xhr.status !== 503);
      if (xhr.status === 401) session.expired();
      let parsed: unknown;
      try {
        parsed = xhr.responseText ? JSON.parse(xhr.responseText) : undefined;
      } catch {
        parsed = undefined;
      }
      if (xhr.status >= 200 && xhr.status < 300) resolve({ data: parsed as Created<P>, response });
      else resolve({ error: parsed, response });
    };
    xhr.send(body);
  });
}
