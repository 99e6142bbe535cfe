import swagger from '@fastify/swagger';
import Fastify, {
  type FastifyBaseLogger,
  type FastifyInstance,
  type FastifyReply,
  type FastifyRequest,
} from 'fastify';
import type { Logger } from 'pino';
import type { DomainContext } from '../domain/context.js';
import type { Limits } from '../limits/categories.js';
import { RateLimiter } from '../limits/limiter.js';
import { MemoryCounter } from '../limits/memory.js';
import { type FailureThrottle, MemoryThrottle } from '../limits/throttle.js';
import { createLogger, requestLineLogger } from '../log/logger.js';
import type { Metrics } from '../monitoring/metrics.js';
import { checkReadiness, type ReadinessReport } from '../monitoring/readiness.js';
import { VERSION } from '../version.js';
import {
  type ConnectionLimits,
  DEFAULT_CONNECTION_LIMITS,
  limitConnections,
  serverTimeouts,
} from './connections.js';
import { registerOperationIds } from './operation-ids.js';
import { BODY_LIMIT, registerBodyParsers } from './plugins/body.js';
import {
  apiNotFound,
  clientErrorHandler,
  frameworkErrorHandler,
  registerErrorHandling,
} from './plugins/errors.js';
import { registerMetrics } from './plugins/metrics.js';
import { registerRateLimits } from './plugins/ratelimit.js';
import { registerTracking, trackingIds } from './plugins/tracking.js';
import { RequestLines } from './request-lines.js';
import { accountRoutes } from './routes/accounts.js';
import { healthRoutes } from './routes/health.js';
import { DEFAULT_TOKEN_RATE, oauthRoutes } from './routes/oauth.js';
import { reportRoutes } from './routes/reports.js';
import { roleRoutes } from './routes/roles.js';
import { zoomErrorSchema } from './routes/schemas.js';
import { testControlRoutes } from './routes/test-controls.js';
import { userRoutes } from './routes/users.js';

export interface AppOptions {
  ctx: DomainContext;
  /** The logger (default: a new one at level info on stdout). */
  logger?: Logger;
  /**
   * Trust X-Forwarded-* from these proxy addresses or CIDR ranges (or from any
   * peer with `true`); default false: the header is ignored and the peer's address is used.
   */
  trustProxy?: boolean | string[];
  /** Zoom's rate limits (default: counted in this process's memory). */
  limiter?: RateLimiter;
  /** Throttle of failed `POST /oauth/token` attempts and web sign-ins (default: a new one with default delays). */
  throttle?: FailureThrottle;
  /** Serve the integrators' test controls under /zpass/test (default false). */
  testControls?: boolean;
  /** With testControls: brings the store back to its state at start (`POST /zpass/test/reset`). */
  reset?: () => Promise<void>;
  /**
   * The server's public base URL (ZPASS_PUBLIC_URL, else the address it listens on): the
   * `api_url` of token responses. Never taken from a request's Host or X-Forwarded-* headers.
   */
  publicUrl?: () => string;
  /** Tokens issued per app (default DEFAULT_TOKEN_RATE), counted by the limiter's counter. */
  tokenRate?: Limits;
  /** Timeouts and connection caps (default DEFAULT_CONNECTION_LIMITS). */
  connections?: Partial<ConnectionLimits>;
  /** The cluster name in `x-zm-trackingid` (default `zp1`; `ZPASS_CLUSTER`). */
  cluster?: string;
  /** What `GET /readyz` checks (default: the store and its schema). */
  readiness?: () => Promise<ReadinessReport>;
  /** Count requests into these metrics (default: none are kept). */
  metrics?: Metrics;
  /**
   * What answers a request no route matched (default: Zoom's JSON 404). `server.ts` gives
   * one that lets the pages answer a browser.
   */
  notFound?: (request: FastifyRequest, reply: FastifyReply) => unknown;
}

/**
 * Zoom's API edge on a new Fastify instance: Zoom's transport for every route of the
 * instance (tracking ids, body parsers and their limit, framework failures in Zoom's
 * format, metrics, rate-limit labels) and the API's routes, whose errors it renders as
 * Zoom's JSON. `server.ts` registers the pages beside it (web/edge.ts).
 */
export async function buildApi(options: AppOptions): Promise<FastifyInstance> {
  const connections = { ...DEFAULT_CONNECTION_LIMITS, ...options.connections };
  const logger = options.logger ?? createLogger();
  const app = Fastify({
    ...serverTimeouts(connections),
    loggerInstance: logger as FastifyBaseLogger,
    logController: new RequestLines(requestLineLogger(logger)),
    genReqId: trackingIds(options.cluster),
    requestIdHeader: false,
    bodyLimit: BODY_LIMIT,
    routerOptions: { maxParamLength: 16 * 1024 },
    trustProxy: options.trustProxy ?? false,
    return503OnClosing: true,
    // Zoom's error format even for requests that never reach a route.
    frameworkErrors: frameworkErrorHandler,
    clientErrorHandler,
    // A JSON number is not a password: values keep the type the client sent.
    ajv: { customOptions: { coerceTypes: false, allErrors: false } },
  });
  limitConnections(app.server, connections, options.trustProxy);
  app.addSchema(zoomErrorSchema);
  registerTracking(app);
  registerOperationIds(app);
  // Zoom's JSON for the API's routes, and for anything outside an edge with its own handler.
  registerErrorHandling(app);
  app.setNotFoundHandler(options.notFound ?? apiNotFound);
  await registerBodyParsers(app);
  await app.register(swagger, {
    openapi: {
      openapi: '3.0.3',
      info: {
        title: 'zpass: Zoom-compatible user password API',
        version: VERSION,
        description: "The parts of Zoom's REST API v2 that zpass answers exactly as Zoom does.",
      },
      components: {
        securitySchemes: {
          bearer: { type: 'http', scheme: 'bearer' },
          basic: { type: 'http', scheme: 'basic' },
        },
      },
    },
  });
  const limiter =
    options.limiter ?? new RateLimiter(options.ctx.store, new MemoryCounter(), options.ctx.clock);
  if (options.metrics) registerMetrics(app, options.metrics);
  registerRateLimits(app, limiter);
  await app.register(healthRoutes, {
    readiness: options.readiness ?? (() => checkReadiness({ store: options.ctx.store })),
  });
  // One throttle: failed token requests and failed sign-ins on the web pages count together per address.
  const throttle = options.throttle ?? new MemoryThrottle();
  const publicUrl = options.publicUrl ?? (() => 'http://127.0.0.1');
  await app.register(oauthRoutes, {
    ctx: options.ctx,
    throttle,
    publicUrl,
    tokenRate: { counter: limiter.counter, limits: options.tokenRate ?? DEFAULT_TOKEN_RATE },
  });
  await app.register(userRoutes, { ctx: options.ctx });
  await app.register(accountRoutes, { ctx: options.ctx });
  await app.register(roleRoutes, { ctx: options.ctx });
  await app.register(reportRoutes, { ctx: options.ctx });
  if (options.testControls)
    await app.register(testControlRoutes, { ctx: options.ctx, limiter, reset: options.reset });
  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());
  return app;
}
