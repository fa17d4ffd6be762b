import { parentPort, workerData } from 'node:worker_threads';
import { PGlite } from '@electric-sql/pglite';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';

// Runs PGlite and its Postgres wire-protocol server in a worker thread: PGlite executes queries
// synchronously inside WebAssembly, and on the main thread every query would stall the media pacing of
// live calls. The app talks to it with `pg` over loopback like to any server.

export interface EmbeddedWorkerData {
  dataDir: string;
  host: string;
  port: number;
  maxConnections: number;
}

export type EmbeddedWorkerMessage =
  { type: 'ready'; host: string; port: number } | { type: 'error'; message: string } | { type: 'stopped' };

async function main(): Promise<void> {
  const port = parentPort;
  if (!port) throw new Error('embedded-worker must run as a worker thread');
  const cfg = workerData as EmbeddedWorkerData;
  const send = (m: EmbeddedWorkerMessage) => port.postMessage(m);
  let db: PGlite | undefined;
  let server: PGLiteSocketServer | undefined;
  try {
    db = await PGlite.create({ dataDir: cfg.dataDir });
    server = new PGLiteSocketServer({ db, host: cfg.host, port: cfg.port, maxConnections: cfg.maxConnections });
    await server.start();
    const conn = server.getServerConn();
    const bound = Number(conn.slice(conn.lastIndexOf(':') + 1));
    send({ type: 'ready', host: cfg.host, port: bound });
  } catch (e) {
    send({ type: 'error', message: e instanceof Error ? e.message : String(e) });
    await db?.close().catch(() => undefined);
    port.close();
    return;
  }
  port.on('message', (m: unknown) => {
    if (m !== 'stop') return;
    void (async () => {
      try {
        await server?.stop();
        await db?.close();
      } finally {
        send({ type: 'stopped' });
        port.close();
      }
    })();
  });
}

void main();
