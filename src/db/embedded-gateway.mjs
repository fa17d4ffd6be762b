// Password authentication in front of the embedded PGlite. @electric-sql/pglite-socket has no authentication
// at all (every local user would be superuser), so PGlite's socket server listens only on a Unix socket in a
// directory private to this user, and the loopback TCP port clients use is this gateway: pg-gateway runs the
// wire protocol's start-up with an MD5 password challenge, and an authenticated connection is then piped to
// PGlite's socket byte for byte. Plain JavaScript: it runs in the PGlite worker, which starts without a loader.
import { connect, createServer } from 'node:net';
import { timingSafeEqual } from 'node:crypto';
import { hashMd5Password, PostgresConnection } from 'pg-gateway';

/** A client that has not authenticated by then is dropped, so idle sockets cannot hold every connection slot. */
const AUTH_TIMEOUT_MS = 10_000;
const PASSWORD_MESSAGE = 0x70; // 'p'

async function passwordMatches(c, password) {
  // PGlite has one role; any other user name is refused like a wrong password.
  if (c.authMode !== 'md5Password' || c.user !== 'postgres') return false;
  const want = Buffer.from(await hashMd5Password(c.user, password, c.salt));
  const got = Buffer.from(c.hash);
  return got.length === want.length && timingSafeEqual(got, want);
}

/**
 * @param {{ password: string; innerPath: string; serverVersion: string; maxConnections: number }} o
 * @returns {{ server: import('node:net').Server; closeAll(): void }}
 */
export function createGateway(o) {
  const sockets = new Set();
  const server = createServer((socket) => {
    sockets.add(socket);
    // Replies are many small writes; Nagle's algorithm would hold each behind the client's delayed ACK (~40 ms).
    socket.setNoDelay(true);
    let inner;
    const end = () => {
      sockets.delete(socket);
      socket.destroy();
      inner?.destroy();
    };
    socket.on('error', end);
    socket.on('close', end);
    socket.setTimeout(AUTH_TIMEOUT_MS, end);
    const conn = new PostgresConnection(socket, {
      authMode: 'md5Password',
      serverVersion: o.serverVersion,
      validateCredentials: (c) => passwordMatches(c, o.password),
      // Before authentication only the password message is accepted: pg-gateway would otherwise answer (and
      // print) a query sent without one.
      onMessage(data, state) {
        if (!state.hasStarted || state.isAuthenticated || data[0] === PASSWORD_MESSAGE) return false;
        end();
        return true;
      },
      onAuthenticated: () =>
        new Promise((resolve) => {
          socket.setTimeout(0);
          inner = connect(o.innerPath);
          inner.on('error', () => {
            end();
            resolve();
          });
          inner.on('close', end);
          inner.once('connect', () => {
            // The client has its ReadyForQuery and waits for nothing more from pg-gateway: from here on PGlite's
            // socket server speaks to it directly.
            conn.detach();
            socket.pipe(inner);
            inner.pipe(socket);
            resolve();
          });
        }),
    });
  });
  server.maxConnections = o.maxConnections;
  return {
    server,
    closeAll() {
      for (const s of sockets) s.destroy();
    },
  };
}
