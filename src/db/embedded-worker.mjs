// Runs PGlite and its Postgres wire-protocol server in a worker thread: PGlite executes queries
// synchronously inside WebAssembly, and on the main thread every query would stall the media pacing of
// live calls. The app talks to it with `pg` over loopback like to any server.
// Plain JavaScript (copied to dist by scripts/copy-assets.mjs) so the worker starts without any loader.
import { parentPort, workerData } from 'node:worker_threads';
import { PGlite } from '@electric-sql/pglite';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';

async function main() {
  const port = parentPort;
  if (!port) throw new Error('embedded-worker must run as a worker thread');
  const cfg = workerData;
  let db;
  let server;
  try {
    db = await PGlite.create({ dataDir: cfg.dataDir });
    server = new PGLiteSocketServer({ db, host: cfg.host, port: cfg.port, maxConnections: cfg.maxConnections });
    await server.start();
    const conn = server.getServerConn();
    port.postMessage({ type: 'ready', host: cfg.host, port: Number(conn.slice(conn.lastIndexOf(':') + 1)) });
  } catch (e) {
    port.postMessage({ type: 'error', message: e instanceof Error ? e.message : String(e) });
    if (db) await db.close().catch(() => undefined);
    port.close();
    return;
  }
  port.on('message', (m) => {
    if (m !== 'stop') return;
    void (async () => {
      try {
        await server.stop();
        await db.close();
      } finally {
        port.postMessage({ type: 'stopped' });
        port.close();
      }
    })();
  });
}

void main();
