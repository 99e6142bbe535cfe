import { connect, createServer, type Socket } from 'node:net';

/** A free TCP port on 127.0.0.1. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const addr = s.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      s.close(() => resolve(port));
    });
  });
}

/**
 * A TCP relay to a service (PostgreSQL, Redis) that a test can cut (refusing and
 * dropping connections) and restore, or stall (holding what clients send until
 * `unstall`, as a service too slow to answer would).
 */
export async function faultyRelay(target: { host: string; port: number }) {
  const sockets = new Set<Socket>();
  const held: { upstream: Socket; data: Buffer }[] = [];
  let stalled = false;
  const server = createServer((client) => {
    const upstream = connect(target.port, target.host);
    sockets.add(client).add(upstream);
    const drop = () => {
      client.destroy();
      upstream.destroy();
      sockets.delete(client);
      sockets.delete(upstream);
    };
    client.on('error', drop).on('close', drop);
    upstream.on('error', drop).on('close', drop);
    client.on('data', (data: Buffer) => {
      if (stalled) held.push({ upstream, data });
      else upstream.write(data);
    });
    upstream.pipe(client);
  });
  const port = await freePort();
  const listen = () => new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  await listen();
  return {
    port,
    async cut() {
      held.length = 0;
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const s of sockets) s.destroy();
        sockets.clear();
      });
    },
    restore: listen,
    stall() {
      stalled = true;
    },
    unstall() {
      stalled = false;
      for (const { upstream, data } of held.splice(0)) if (!upstream.destroyed) upstream.write(data);
    },
    async close() {
      if (server.listening) await this.cut();
    },
  };
}
