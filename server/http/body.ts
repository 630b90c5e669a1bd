// Reading a JSON request body with a hard size limit enforced while streaming (never buffers more
// than `limitBytes`), a content-type check, and strict UTF-8 decoding.
//
// A refused body is still read and thrown away up to DRAIN_LIMIT_BYTES more, so that the client,
// which is usually still sending, gets the 4xx answer instead of a connection reset. Beyond that
// the connection is cut.
import type { IncomingMessage } from 'node:http';
import { HttpError } from './respond';

const DRAIN_LIMIT_BYTES = 8 * 1024 * 1024;

export function isJsonContentType(header: string | undefined): boolean {
  if (!header) return false;
  const [type, ...params] = header.split(';').map((s) => s.trim().toLowerCase());
  if (type !== 'application/json' && !/^application\/[a-z0-9.+-]+\+json$/.test(type ?? '')) return false;
  const charset = params.find((p) => p.startsWith('charset='));
  return !charset || /^charset="?utf-8"?$/.test(charset);
}

function tooLarge(limitBytes: number): HttpError {
  return new HttpError(413, `request body too large: the limit is ${limitBytes} bytes`, undefined, true);
}

/** Cuts the connection shortly after the error answer had a chance to go out. */
function cutSoon(req: IncomingMessage): void {
  setTimeout(() => req.socket.destroy(), 500).unref();
}

/**
 * Reads the whole body. Resolves with the bytes if they fit in limitBytes; otherwise rejects
 * with `refuse` (default 413) once the body has been drained, or at once when it is too big to
 * drain. `refuse` set => the body is only drained (e.g. after a wrong content type).
 */
export function readBody(req: IncomingMessage, limitBytes: number, refuse?: HttpError): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers['content-length'] ?? NaN);
    if (declared > limitBytes + DRAIN_LIMIT_BYTES) {
      reject(refuse ?? tooLarge(limitBytes));
      cutSoon(req);
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    let over = refuse !== undefined;
    let settled = false;
    const finish = (err: HttpError | null) => {
      if (settled) return;
      settled = true;
      if (err) reject(err);
      else resolve(Buffer.concat(chunks, size));
    };
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (!over && size > limitBytes) {
        over = true;
        chunks.length = 0;
      }
      if (!over) {
        chunks.push(chunk);
      } else if (size > limitBytes + DRAIN_LIMIT_BYTES && !settled) {
        finish(refuse ?? tooLarge(limitBytes));
        req.removeAllListeners('data');
        req.resume();
        cutSoon(req);
      }
    });
    req.on('end', () => finish(over ? (refuse ?? tooLarge(limitBytes)) : null));
    req.on('error', (err) =>
      finish(new HttpError(400, `could not read request body: ${err.message}`, undefined, true)),
    );
    req.on('aborted', () => finish(new HttpError(400, 'request aborted', undefined, true)));
  });
}

/** Content-type check (415), bounded read (413), UTF-8 decode and JSON.parse (400). */
export async function readJson(req: IncomingMessage, limitBytes: number): Promise<unknown> {
  if (!isJsonContentType(req.headers['content-type'])) {
    await readBody(
      req,
      limitBytes,
      new HttpError(415, 'unsupported content type: send the body as application/json (UTF-8)'),
    );
  }
  const bytes = await readBody(req, limitBytes);
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw new HttpError(400, 'request body is not valid UTF-8');
  }
  if (text.trim() === '') throw new HttpError(400, 'request body is empty: expected a JSON document');
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new HttpError(400, `malformed JSON: ${(err as Error).message}`);
  }
}
