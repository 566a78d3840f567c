/// <reference lib="dom" />
// Sending a file to the API with a progress bar: the settlement and ledger pages upload CSV,
// NDJSON or JSON with XMLHttpRequest, whose upload events (fetch has none) count the bytes sent.
// Once every byte is sent the bar turns indeterminate: the API reports no progress of its own.
import { authHeaders, el, money, tr } from './common';

const TYPES: Record<string, string> = { csv: 'text/csv', ndjson: 'application/x-ndjson', jsonl: 'application/x-ndjson', json: 'application/json' };

/** What a file input of an upload accepts. */
export const UPLOAD_ACCEPT = '.csv,.ndjson,.jsonl,.json,text/csv,application/x-ndjson,application/json';

/** The media type a file is sent as, told by its name's extension; undefined for any other file. */
export function uploadType(file: File): string | undefined {
  return TYPES[(/\.([a-z]+)$/i.exec(file.name)?.[1] ?? '').toLowerCase()];
}

export interface UploadProgress {
  readonly bar: HTMLProgressElement;
  readonly status: HTMLElement;
  /** The bar and its status line, as one block. */
  readonly view: HTMLElement;
}

/** A progress bar (`#upload-progress`) and its status line (`#upload-status`, a live region). */
export function uploadProgress(): UploadProgress {
  const bar = el('progress', { id: 'upload-progress', max: 1, value: 0, 'aria-label': tr('上传进度', 'Upload progress') });
  const status = el('p', { id: 'upload-status', role: 'status' }, tr('尚未上传文件。', 'No file sent yet.'));
  return { bar, status, view: el('div', { class: 'progress' }, bar, status) };
}

/**
 * POSTs the file with XHR (Accept: JSON, the caller's key): the bar counts the bytes sent, then
 * `whileWorking` says what the service is doing. Answers the status and text (status 0: the
 * connection was lost).
 */
export async function sendFile(url: string, file: File, type: string, progress: UploadProgress, whileWorking: (total: number) => string): Promise<{ readonly status: number; readonly text: string }> {
  const { bar, status } = progress;
  const total = file.size;
  bar.max = total;
  bar.value = 0;
  const xhr = new XMLHttpRequest();
  xhr.open('POST', url);
  xhr.setRequestHeader('Content-Type', type);
  xhr.setRequestHeader('Accept', 'application/json');
  for (const [name, value] of Object.entries(authHeaders())) xhr.setRequestHeader(name, value);
  xhr.upload.addEventListener('progress', (event) => {
    bar.value = event.loaded;
    status.textContent = tr(`已发送 ${money(String(event.loaded))} / ${money(String(total))} 字节`, `Sent ${event.loaded} of ${total} bytes`);
  });
  xhr.upload.addEventListener('load', () => {
    bar.value = total;
    bar.removeAttribute('value');
    status.textContent = whileWorking(total);
  });
  const answer = await new Promise<{ status: number; text: string }>((resolve) => {
    xhr.addEventListener('load', () => resolve({ status: xhr.status, text: xhr.responseText }));
    xhr.addEventListener('error', () => resolve({ status: 0, text: '' }));
    xhr.send(file);
  });
  bar.max = total;
  bar.value = total;
  if (answer.status === 0) status.textContent = tr('上传失败：连接中断。', 'The upload failed: the connection was lost.');
  return answer;
}
