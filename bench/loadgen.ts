// The load generator, in a process of its own, driven by a JSON job on argv[2]: autocannon
// (closed loop: each connection sends its next request when the previous one is answered),
// or with `rate` an open loop sending requests evenly spaced in time whatever the answers.
// Password changes rotate over many users and never repeat a password; reads hit one URL.
import http from 'node:http';
import autocannon from 'autocannon';

interface Job {
  url: string;
  path: string;
  method: 'GET' | 'PUT';
  token?: string;
  users?: string[];
  connections: number;
  duration: number;
  /**
   * Fixed offered load, requests per second, evenly spaced (overload test); unset = as fast
   * as `connections` allow. (autocannon's own overallRate releases each connection's quota
   * at the start of every second, so the load arrives in one burst per second.)
   */
  rate?: number;
}

const job = JSON.parse(process.argv[2]!) as Job;
let n = 0;
const headers: Record<string, string> = { 'content-type': 'application/json' };
if (job.token) headers.authorization = `Bearer ${job.token}`;
const statuses: Record<string, number> = {};
/** Response times (ms) of accepted (2xx) responses: overload p99 is about these. */
const accepted: number[] = [];

/** The i-th request of the job: path and body. */
function nth(i: number): { path: string; body?: string } {
  if (!job.users) return { path: job.path };
  const user = job.users[i % job.users.length]!;
  return {
    path: job.path.replace(':userId', user),
    body: JSON.stringify({ password: `Bench-${i.toString(36)}-Pw9` }),
  };
}

if (job.rate) await openLoop(job.rate);
else closedLoop();

async function openLoop(rate: number): Promise<void> {
  const url = new URL(job.url);
  const agent = new http.Agent({ keepAlive: true, maxSockets: Math.max(job.connections, 1) });
  const all: number[] = [];
  let errors = 0;
  let timeouts = 0;
  const inFlight = new Set<Promise<void>>();
  const send = (i: number) => {
    const { path, body } = nth(i);
    const t0 = performance.now();
    const p = new Promise<void>((resolve) => {
      const req = http.request(
        {
          host: url.hostname,
          port: url.port,
          method: job.method,
          path,
          agent,
          headers: body ? { ...headers, 'content-length': Buffer.byteLength(body) } : headers,
          timeout: 10_000,
        },
        (res) => {
          res.resume();
          res.on('end', () => {
            const ms = performance.now() - t0;
            const code = res.statusCode ?? 0;
            statuses[code] = (statuses[code] ?? 0) + 1;
            all.push(ms);
            if (code >= 200 && code < 300) accepted.push(ms);
            resolve();
          });
        },
      );
      req.on('timeout', () => {
        timeouts++;
        req.destroy();
      });
      req.on('error', () => {
        errors++;
        resolve();
      });
      req.end(body);
    });
    inFlight.add(p);
    void p.then(() => inFlight.delete(p));
  };
  const start = performance.now();
  const total = Math.round(rate * job.duration);
  for (let i = 0; i < total; i++) {
    const due = start + (i * 1000) / rate;
    const wait = due - performance.now();
    if (wait > 1) await new Promise((r) => setTimeout(r, wait));
    send(i);
  }
  await Promise.all(inFlight);
  const duration = (performance.now() - start) / 1000;
  agent.destroy();
  const sorted = all.sort((a, b) => a - b);
  const acceptedSorted = accepted.sort((a, b) => a - b);
  console.log(
    JSON.stringify({
      requests: total,
      rps: total / job.duration,
      duration: job.duration,
      wallSeconds: duration,
      latency: { p50: percentile(sorted, 50), p99: percentile(sorted, 99), max: sorted.at(-1) ?? Number.NaN },
      acceptedLatency: {
        count: acceptedSorted.length,
        p50: percentile(acceptedSorted, 50),
        p99: percentile(acceptedSorted, 99),
      },
      statuses,
      errors,
      timeouts,
    }),
  );
}

function closedLoop(): void {
  const instance = autocannon(
    {
      url: job.url,
      connections: job.connections,
      duration: job.duration,
      headers,
      requests: [
        {
          method: job.method,
          path: job.path,
          setupRequest: (req) => (job.users ? { ...req, ...nth(n++) } : req),
        },
      ],
    },
    (err, r) => {
      if (err) throw err;
      report(r);
    },
  );
  instance.on('response', (_client, statusCode, _bytes, responseTime) => {
    statuses[statusCode] = (statuses[statusCode] ?? 0) + 1;
    if (statusCode >= 200 && statusCode < 300) accepted.push(responseTime);
  });
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}
function report(r: autocannon.Result): void {
  console.log(
    JSON.stringify({
      requests: r.requests.total,
      rps: r.requests.average,
      duration: r.duration,
      latency: { p50: r.latency.p50, p99: r.latency.p99, max: r.latency.max },
      acceptedLatency: (() => {
        const sorted = accepted.sort((a, b) => a - b);
        return { count: sorted.length, p50: percentile(sorted, 50), p99: percentile(sorted, 99) };
      })(),
      statuses,
      errors: r.errors,
      timeouts: r.timeouts,
    }),
  );
}
