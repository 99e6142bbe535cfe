// The load generator, in a process of its own: autocannon driven by a JSON job on argv[2].
// Password changes rotate over many users and never repeat a password; reads hit one URL.
import autocannon from 'autocannon';

interface Job {
  url: string;
  path: string;
  method: 'GET' | 'PUT';
  token?: string;
  users?: string[];
  connections: number;
  duration: number;
  /** Fixed offered load, requests per second (overload test); unset = as fast as possible. */
  rate?: number;
}

const job = JSON.parse(process.argv[2]!) as Job;
let n = 0;
const headers: Record<string, string> = { 'content-type': 'application/json' };
if (job.token) headers.authorization = `Bearer ${job.token}`;
const statuses: Record<string, number> = {};
/** Response times (ms) of accepted (2xx) responses: overload p99 is about these. */
const accepted: number[] = [];

const instance = autocannon(
  {
    url: job.url,
    connections: job.connections,
    duration: job.duration,
    overallRate: job.rate,
    headers,
    requests: [
      {
        method: job.method,
        path: job.path,
        setupRequest: (req) => {
          if (!job.users) return req;
          const i = n++;
          const user = job.users[i % job.users.length]!;
          return {
            ...req,
            path: job.path.replace(':userId', user),
            body: JSON.stringify({ password: `Bench-${i.toString(36)}-Pw9` }),
          };
        },
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
