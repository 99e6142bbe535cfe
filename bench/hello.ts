// A bare Fastify "hello world" on the given port: the yardstick for cheap reads.
import Fastify from 'fastify';

const app = Fastify({ logger: false });
app.get('/hello', async () => ({ hello: 'world' }));
await app.listen({ port: Number(process.argv[2] ?? 0), host: '127.0.0.1' });
console.log(JSON.stringify({ ready: true }));
// Stop cleanly on SIGTERM, so that a --cpu-prof profile is written.
process.once('SIGTERM', () => void app.close().then(() => process.exit(0)));
