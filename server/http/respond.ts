// JSON responses and the error type of the REST layer. Clients get `{ error, issues? }` with a
// 4xx/5xx status, never a stack trace; unexpected errors are logged server-side only.
import type { ServerResponse } from 'node:http';

export interface IssueLike {
  path: (string | number)[];
  message: string;
}

export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly issues?: IssueLike[],
    /** close the connection after answering (the request body was not fully read) */
    readonly closeConnection = false,
  ) {
    super(message);
    this.name = 'HttpError';
  }
}

/** Headers for every API answer: JSON that is never sniffed, framed, cached or embedded. */
const API_HEADERS: Record<string, string> = {
  'Content-Type': 'application/json; charset=utf-8',
  'Cache-Control': 'no-store',
  'Content-Security-Policy': "default-src 'none'; frame-ancestors 'none'",
  'Cross-Origin-Resource-Policy': 'same-origin',
  'X-Frame-Options': 'DENY',
  'Referrer-Policy': 'no-referrer',
};

export function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  extraHeaders: Record<string, string> = {},
): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  const text = JSON.stringify(body);
  res.writeHead(status, {
    ...API_HEADERS,
    'Content-Length': String(Buffer.byteLength(text)),
    ...extraHeaders,
  });
  res.end(text);
}

export function sendError(res: ServerResponse, err: unknown, log: (msg: string, err: unknown) => void): void {
  if (err instanceof HttpError) {
    const body: { error: string; issues?: IssueLike[] } = { error: err.message };
    if (err.issues) body.issues = err.issues;
    sendJson(res, err.status, body, err.closeConnection ? { Connection: 'close' } : {});
    return;
  }
  log('unhandled error in request handler', err);
  sendJson(res, 500, { error: 'internal server error' });
}
