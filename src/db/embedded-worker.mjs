// Runs PGlite and its Postgres wire-protocol server in a worker thread: PGlite executes queries
// synchronously inside WebAssembly, and on the main thread every query would stall the media pacing of
// live calls. The app talks to it with `pg` over loopback like to any server, through the password gateway
// (embedded-gateway.mjs); PGlite's own socket server listens on a Unix socket only the gateway uses.
// Plain JavaScript (copied to dist by scripts/copy-assets.mjs) so the worker starts without any loader.
import { rm } from 'node:fs/promises';
import { parentPort, workerData } from 'node:worker_threads';
import { PGlite } from '@electric-sql/pglite';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';
import { createGateway } from './embedded-gateway.mjs';

function listen(server, port, host) {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve(server.address().port);
    });
  });
}

async function main() {
  const port = parentPort;
  if (!port) throw new Error('embedded-worker must run as a worker thread');
  const cfg = workerData;
  let db;
  let inner;
  let gateway;
  try {
    db = await PGlite.create({ dataDir: cfg.dataDir });
    // A socket file left by a killed process would make listen fail; the caller holds the data directory's lock.
    await rm(cfg.socketPath, { force: true });
    inner = new PGLiteSocketServer({ db, path: cfg.socketPath, maxConnections: cfg.maxConnections });
    await inner.start();
    const version = (await db.query('SHOW server_version')).rows[0]?.server_version ?? '';
    gateway = createGateway({
      password: cfg.password,
      innerPath: cfg.socketPath,
      serverVersion: String(version),
      maxConnections: cfg.maxConnections,
    });
    const bound = await listen(gateway.server, cfg.port, cfg.host);
    port.postMessage({ type: 'ready', host: cfg.host, port: bound });
  } catch (e) {
    port.postMessage({ type: 'error', message: e instanceof Error ? e.message : String(e) });
    await inner?.stop().catch(() => undefined);
    if (db) await db.close().catch(() => undefined);
    port.close();
    return;
  }
  port.on('message', (m) => {
    if (m !== 'stop') return;
    void (async () => {
      try {
        gateway.closeAll();
        await new Promise((resolve) => gateway.server.close(() => resolve()));
        await inner.stop();
        await db.close();
        await rm(cfg.socketPath, { force: true });
      } finally {
        port.postMessage({ type: 'stopped' });
        port.close();
      }
    })();
  });
}

void main();
