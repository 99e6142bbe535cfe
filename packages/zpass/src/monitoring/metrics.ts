import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import type { Hasher } from '../crypto/hasher.js';
import type { DomainObserver } from '../domain/context.js';
import type { Store } from '../store/database.js';

/**
 * zpass's Prometheus metrics, one registry per server. Labels are bounded sets (route
 * templates, methods, status codes, Zoom error codes, rate-limit categories): never an
 * e-mail, an id or a token. docs/operations.md lists them with the alerts worth having.
 */
export class Metrics {
  readonly registry = new Registry();
  readonly requests: Counter<'route' | 'method' | 'status'>;
  readonly duration: Histogram<'route' | 'method'>;
  readonly rateLimited: Counter<'category' | 'type'>;
  readonly signIns: Counter<'via' | 'outcome'>;
  readonly tokensIssued: Counter<'grant_type'>;
  readonly passwordChanges: Counter<'outcome' | 'code'>;
  readonly hashWait: Histogram;

  constructor(sources: { store: Store; hasher: Hasher }) {
    const registers = [this.registry];
    const { store, hasher } = sources;
    collectDefaultMetrics({ register: this.registry });
    this.requests = new Counter({
      name: 'zpass_http_requests_total',
      help: 'HTTP requests answered, by route template, method and status',
      labelNames: ['route', 'method', 'status'],
      registers,
    });
    this.duration = new Histogram({
      name: 'zpass_http_request_duration_seconds',
      help: 'Time to answer an HTTP request, by route template and method',
      labelNames: ['route', 'method'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers,
    });
    this.rateLimited = new Counter({
      name: 'zpass_rate_limited_total',
      help: "Requests refused with 429 by Zoom's rate limits, by category and limit type (QPS, Daily-limit)",
      labelNames: ['category', 'type'],
      registers,
    });
    this.signIns = new Counter({
      name: 'zpass_sign_ins_total',
      help: 'Sign-in attempts (via oauth: POST /oauth/token; web: the sign-in page), by outcome',
      labelNames: ['via', 'outcome'],
      registers,
    });
    this.tokensIssued = new Counter({
      name: 'zpass_tokens_issued_total',
      help: 'Access tokens issued by POST /oauth/token, by grant type',
      labelNames: ['grant_type'],
      registers,
    });
    this.passwordChanges = new Counter({
      name: 'zpass_password_changes_total',
      help: 'Password changes (API and web pages): accepted, or refused with a Zoom error code',
      labelNames: ['outcome', 'code'],
      registers,
    });
    this.hashWait = new Histogram({
      name: 'zpass_hash_wait_seconds',
      help: 'Time an argon2id computation waited for a hashing slot',
      buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1],
      registers,
    });
    hasher.onWait = (ms) => this.hashWait.observe(ms / 1000);
    new Gauge({
      name: 'zpass_hash_queue_depth',
      help: 'argon2id computations waiting for a hashing slot',
      registers,
      collect() {
        this.set(hasher.queued);
      },
    });
    new Counter({
      name: 'zpass_hash_shed_total',
      help: 'Requests answered 503 because the hashing queue was full (load shed)',
      registers,
      collect() {
        this.reset();
        this.inc(hasher.shed);
      },
    });
    const outboxMessages = new Gauge({
      name: 'zpass_outbox_messages',
      help: 'E-mail notices in the outbox, by status (pending: the backlog; sent: delivered; failed: given up)',
      labelNames: ['status'],
      registers,
    });
    new Gauge({
      name: 'zpass_outbox_oldest_pending_age_seconds',
      help: 'Age of the oldest notice not yet delivered (0 when none is pending)',
      registers,
      // One query feeds both outbox gauges; a store that does not answer leaves them unset.
      async collect() {
        outboxMessages.reset();
        this.reset();
        const rows = await store.db
          .selectFrom('outbox')
          .select(({ fn }) => ['status', fn.countAll<number>().as('n'), fn.min('created_at').as('oldest')])
          .groupBy('status')
          .execute()
          .catch(() => undefined);
        if (!rows) return;
        let oldest: number | undefined;
        for (const status of ['pending', 'sent', 'failed']) outboxMessages.set({ status }, 0);
        for (const r of rows) {
          outboxMessages.set({ status: r.status }, Number(r.n));
          if (r.status === 'pending' && r.oldest !== null) oldest = Number(r.oldest);
        }
        this.set(oldest === undefined ? 0 : Math.max(0, (Date.now() - oldest) / 1000));
      },
    });
    const pool = store.pool;
    if (pool) {
      new Gauge({
        name: 'zpass_store_pool_connections',
        help: 'PostgreSQL pool connections, by state (idle, busy) and clients waiting for one (waiting)',
        labelNames: ['state'],
        registers,
        collect() {
          this.set({ state: 'idle' }, pool.idleCount);
          this.set({ state: 'busy' }, pool.totalCount - pool.idleCount);
          this.set({ state: 'waiting' }, pool.waitingCount);
        },
      });
      new Gauge({
        name: 'zpass_store_pool_max',
        help: 'Largest number of connections the PostgreSQL pool opens',
        registers,
        collect() {
          this.set(pool.options.max);
        },
      });
    }
  }

  /** What the domain reports (password changes). */
  get observer(): DomainObserver {
    return {
      passwordChange: (outcome) =>
        outcome === 'accepted'
          ? this.passwordChanges.inc({ outcome, code: '' })
          : this.passwordChanges.inc({ outcome: 'refused', code: String(outcome) }),
    };
  }

  text(): Promise<string> {
    return this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }
}
