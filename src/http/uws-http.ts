import { STATUS_CODES } from 'node:http';
import type { HttpRequest as UwsRequest, HttpResponse as UwsResponse, TemplatedApp } from 'uWebSockets.js';
import type { Logger } from '../log.js';
import type { Dispatcher } from './dispatch.js';
import { errorResponse, type HttpRequest, type HttpResponse, type ResponseStream } from './types.js';

// Every plain HTTP request of the uWebSockets.js app goes through here to the Dispatcher. uWS rules followed: the
// request is copied before any await (uWS invalidates it when the handler returns), every async response has
// onAborted, and writes are corked.
//
// Header limits are uWS's own, compiled into the addon (uWebSockets.js 20.30): a request line plus up to 48 header
// fields are parsed. With 49 or more the parser takes the header block as incomplete and waits; nothing here runs,
// so no 431 can be sent, and uWS's HTTP idle timeout closes the connection after about 10 s without a reply (behind
// the ingress the client then gets Traefik's 502). docs/operations.md ("HTTP hardening"); test/http/limits.test.ts
// pins it.

const MAX_BODY_BYTES = 64 * 1024;

export function serveHttp(app: TemplatedApp, dispatcher: Dispatcher, log: Logger): void {
  app.any('/*', (res, req) => onRequest(res, req, dispatcher, log));
}

function onRequest(res: UwsResponse, req: UwsRequest, dispatcher: Dispatcher, log: Logger): void {
  const method = req.getMethod().toUpperCase();
  const path = req.getUrl();
  const rawQuery = req.getQuery() ?? '';
  const headers: Record<string, string> = {};
  req.forEach((k, v) => {
    headers[k] = v;
  });
  // The socket peer; behind the ingress, clientIp() (rate-limit.ts) picks the client out of X-Forwarded-For.
  const remoteIp = Buffer.from(res.getRemoteAddressAsText()).toString();
  const head = method === 'HEAD';
  let aborted = false;
  let onAbort: (() => void) | undefined;
  res.onAborted(() => {
    aborted = true;
    onAbort?.();
  });
  const chunks: Buffer[] = [];
  let size = 0;
  res.onData((chunk, isLast) => {
    if (aborted) return;
    size += chunk.byteLength;
    if (size > MAX_BODY_BYTES) {
      aborted = true;
      return write(res, errorResponse('VALIDATION_FAILED', 'request body too large', 413), head, true);
    }
    chunks.push(Buffer.from(new Uint8Array(chunk))); // copy: chunk is neutered after this callback
    if (!isLast) return;
    const request: HttpRequest = {
      method,
      path,
      query: new URLSearchParams(rawQuery),
      headers,
      body: Buffer.concat(chunks),
      remoteIp,
    };
    dispatcher.handle(request, rawQuery).then(
      (out) => {
        if (aborted) return;
        if (out.stream === undefined || head) write(res, out, head);
        else onAbort = stream(res, out, out.stream);
      },
      (err: unknown) => {
        log.error({ err }, 'dispatcher failed');
        if (!aborted) write(res, errorResponse('INTERNAL', 'internal error'), head);
      },
    );
  });
}

function write(res: UwsResponse, out: HttpResponse, head: boolean, close = false): void {
  res.cork(() => {
    res.writeStatus(`${out.status} ${STATUS_CODES[out.status] ?? ''}`);
    for (const [k, v] of Object.entries(out.headers ?? {})) res.writeHeader(k, v);
    const body = out.body ?? '';
    // HEAD: the headers GET would send, Content-Length included, and no body.
    if (head) res.endWithoutBody(Buffer.byteLength(body), close);
    else res.end(body, close);
  });
}

/**
 * Status and headers now, then the route writes the body as it goes (ResponseStream). Returns what the request's
 * abort must run: the client went away, nothing may touch `res` any more.
 */
function stream(res: UwsResponse, out: HttpResponse, body: (s: ResponseStream) => void): () => void {
  let open = true;
  let closed: (() => void) | undefined;
  let writable: (() => void) | undefined;
  const close = (): void => {
    if (!open) return;
    open = false;
    closed?.();
  };
  res.onWritable(() => {
    if (open) writable?.();
    return true;
  });
  const s: ResponseStream = {
    write: (chunk) => {
      if (!open) return false;
      let ok = true;
      res.cork(() => {
        ok = res.write(chunk);
      });
      return ok;
    },
    onWritable: (fn) => {
      writable = fn;
    },
    onClose: (fn) => {
      closed = fn;
    },
    end: () => {
      if (!open) return;
      res.cork(() => res.end());
      close();
    },
  };
  res.cork(() => {
    res.writeStatus(`${out.status} ${STATUS_CODES[out.status] ?? ''}`);
    for (const [k, v] of Object.entries(out.headers ?? {})) res.writeHeader(k, v);
    body(s);
  });
  return close;
}
