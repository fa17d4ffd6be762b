import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createWebSocketInspector } from '@statelyai/inspect';
import type { InspectionEvent, Observer } from 'xstate';
import { AppError } from '../errors.js';
import type { Config } from '../config/index.js';
import type { Logger } from '../log.js';

// Live call inspection with @statelyai/inspect (INSPECT=true). Every call actor created with `inspect` streams
// its events to a small bridge on 127.0.0.1:INSPECT_PORT; the bridge serves a page that embeds the Stately
// inspector (https://stately.ai/inspect) and relays the events into it. Loopback only: the events carry what
// callers said. Reach it from another machine with `ssh -L` or `kubectl port-forward`.
// Unlike the library's own bridge, this one remembers each actor's registration and latest snapshot, so a
// browser opened in the middle of a call still sees that call.

export interface CallInspector {
  /** Pass as `createActor(machine, { inspect })`. */
  readonly inspect: Observer<InspectionEvent>;
  /** Page to open in a browser. */
  readonly url: string;
  stop(): Promise<void>;
}

interface Relayed {
  actor: string;
  snapshot: string | undefined;
  active: boolean;
}

const MAX_ACTORS = 500;

function bridgePage(wsUrl: string): string {
  return `<!doctype html><html><head><meta charset="utf-8"><title>gym-call-agent · live calls</title>
<style>html,body,iframe{margin:0;height:100%;width:100%;border:0}</style></head><body>
<iframe id="ui" src="https://stately.ai/inspect" title="Stately inspector"></iframe>
<script>
const ui = document.getElementById('ui'); const pending = []; let ready = false;
window.addEventListener('message', (m) => {
  if (m.data && m.data.type === '@statelyai.connected') { ready = true; pending.splice(0).forEach((e) => ui.contentWindow.postMessage(e, '*')); }
});
const ws = new WebSocket(${JSON.stringify(wsUrl)});
ws.onmessage = (m) => { const e = JSON.parse(m.data); if (ready) ui.contentWindow.postMessage(e, '*'); else pending.push(e); };
</script></body></html>`;
}

/** Start the bridge and the inspector. Resolves once the bridge listens. */
export async function startCallInspector(opts: { port: number; log: Logger }): Promise<CallInspector> {
  const { WebSocketServer, WebSocket } = await import('ws');
  const sessions = new Map<string, Relayed>();
  const http: Server = createServer((req, res) => {
    const port = (http.address() as AddressInfo).port;
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
    res.end(bridgePage(`ws://localhost:${port}`));
  });
  const wss = new WebSocketServer({ server: http });
  const remember = (raw: string) => {
    let e: { type?: string; sessionId?: string; snapshot?: { status?: string } };
    try {
      e = JSON.parse(raw) as typeof e;
    } catch {
      return;
    }
    if (e.sessionId === undefined) return;
    if (e.type === '@xstate.actor') sessions.set(e.sessionId, { actor: raw, snapshot: undefined, active: true });
    const s = sessions.get(e.sessionId);
    if (s !== undefined && e.type === '@xstate.snapshot') {
      s.snapshot = raw;
      s.active = e.snapshot?.status === 'active';
    }
    if (sessions.size > MAX_ACTORS)
      for (const [id, v] of sessions) if (!v.active && sessions.size > MAX_ACTORS) sessions.delete(id);
  };
  wss.on('connection', (ws) => {
    for (const s of sessions.values()) {
      ws.send(s.actor);
      if (s.snapshot !== undefined) ws.send(s.snapshot);
    }
    ws.on('message', (data) => {
      const raw = data.toString();
      remember(raw);
      for (const client of wss.clients) if (client !== ws && client.readyState === WebSocket.OPEN) client.send(raw);
    });
    ws.on('error', (err) => opts.log.warn({ err }, 'inspector socket error'));
  });
  await new Promise<void>((resolve, reject) => {
    http.once('error', (err) =>
      reject(new AppError('CONFIG_INVALID', `INSPECT: cannot listen on 127.0.0.1:${opts.port}`, { cause: err })),
    );
    http.listen(opts.port, '127.0.0.1', () => resolve());
  });
  const port = (http.address() as AddressInfo).port;
  const inspector = createWebSocketInspector({ url: `ws://127.0.0.1:${port}` });
  const url = `http://localhost:${port}/`;
  opts.log.info({ url }, 'call inspector listening; open the URL in a browser to watch live calls');
  return {
    inspect: inspector.inspect,
    url,
    async stop() {
      // The library's adapter reconnects 5 s after any socket error, even after stop(); a socket still
      // connecting when we close it would error and keep the process alive. Detach its handlers first.
      const ws = (inspector.adapter as unknown as { ws?: { onerror: unknown; onclose: unknown } }).ws;
      if (ws !== undefined) {
        ws.onerror = () => {};
        ws.onclose = () => {};
      }
      inspector.stop();
      for (const c of wss.clients) c.terminate();
      wss.close();
      await new Promise<void>((resolve) => http.close(() => resolve()));
    },
  };
}

/** The inspector when config enables it (INSPECT=true), else undefined: `inspect: inspector?.inspect`. */
export async function inspectorFromConfig(
  cfg: Pick<Config, 'INSPECT' | 'INSPECT_PORT' | 'NODE_ENV'>,
  log: Logger,
): Promise<CallInspector | undefined> {
  if (!cfg.INSPECT) return undefined;
  if (cfg.NODE_ENV === 'production') log.warn('INSPECT is on in production: live call content is exposed on loopback');
  return startCallInspector({ port: cfg.INSPECT_PORT, log });
}
