// A file upload with progress (fetch cannot report upload progress; XMLHttpRequest can).
// Same origin, so the session cookie goes with it. Answers the status and the parsed body.
import { connection } from './connection.svelte';
import { session } from './session.svelte';

export interface FormUploadAnswer {
  status: number;
  body: unknown;
  response: Response;
}

export function uploadFormWithProgress(url: string, form: FormData, onProgress: (fraction: number) => void): Promise<FormUploadAnswer> {
  return new Promise((resolve) => {
    const xhr = new XMLHttpRequest();
    xhr.open('POST', url);
    xhr.withCredentials = true;
    xhr.upload.onprogress = (e) => {
      if (e.lengthComputable) onProgress(e.loaded / e.total);
    };
    const finish = () => {
      let body: unknown = null;
      try {
        body = xhr.responseText ? JSON.parse(xhr.responseText) : null;
      } catch {
        body = null;
      }
      connection.reachable(xhr.status !== 0 && xhr.status !== 503);
      if (xhr.status === 401) session.expired();
      const headers = new Headers();
      const retry = xhr.getResponseHeader('Retry-After');
      if (retry) headers.set('Retry-After', retry);
      // A Response stands in for the answer so that `explain` reads status and headers.
      const response = new Response(null, { status: xhr.status === 0 ? 599 : xhr.status, headers });
      resolve({ status: xhr.status, body, response });
    };
    xhr.onload = () => {
      onProgress(1);
      finish();
    };
    xhr.onerror = finish;
    xhr.send(form);
  });
}
