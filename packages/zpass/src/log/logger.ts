import type { FastifyRequest } from 'fastify';
import pino, { type DestinationStream, type Logger } from 'pino';
import pinoPretty from 'pino-pretty';
import { type LogFormat, logFormatFrom } from './format.js';

function prettyStream(): DestinationStream {
  return pinoPretty({
    colorize: process.stdout.isTTY === true,
    translateTime: 'SYS:HH:MM:ss.l',
    ignore: 'pid,hostname',
    sync: true,
    destination: 1,
  });
}

/** A URL as logged: the path, and the names but never the values of query parameters. */
export function redactRequestUrl(url: string): string {
  const q = url.indexOf('?');
  if (q < 0) return url;
  const names = [...new URLSearchParams(url.slice(q + 1)).keys()];
  return `${url.slice(0, q)}?${names.map((n) => `${n}=[redacted]`).join('&')}`;
}

/** What the request lines (and anything else) say of a request and of its answer. */
const serializers = {
  req: (req: FastifyRequest) => ({
    method: req.method,
    url: redactRequestUrl(req.url),
    remoteAddress: req.ip,
  }),
  res: (res: { statusCode: number }) => ({ statusCode: res.statusCode }),
};

export function createLogger(
  level = 'info',
  stream?: DestinationStream,
  format: LogFormat = logFormatFrom(process.env.ZPASS_LOG_FORMAT),
): Logger {
  return pino(
    {
      level,
      // Bodies are never logged; headers that carry secrets are removed if anything logs them.
      redact: {
        paths: [
          'req.headers.authorization',
          'req.headers.cookie',
          'headers.authorization',
          'headers.cookie',
          // Plugins log their options with the request's headers (@fastify/multipart: busboyOptions, at trace).
          '*.headers.authorization',
          '*.headers.cookie',
          '*.password',
          'password',
        ],
        censor: '[redacted]',
      },
      serializers,
    },
    stream ?? (format === 'pretty' ? prettyStream() : stdoutStream()),
  );
}

/**
 * Standard output as pino's own default destination (asynchronous, flushed at exit), but
 * holding each line as bytes. With text, sonic-boom appends each line to one pending string
 * and measures that whole string again at every write: under a few thousand lines a second
 * that re-measuring cost more than writing the lines (bench/server.bench.ts, docs/benchmarks.md).
 */
function stdoutStream(): DestinationStream {
  const boom = pino.destination({ dest: process.stdout.fd ?? 1, sync: false, contentMode: 'buffer' });
  const writeBytes = boom.write.bind(boom) as unknown as (data: Buffer) => boolean;
  boom.write = (line: string | Buffer) => writeBytes(typeof line === 'string' ? Buffer.from(line) : line);
  return boom;
}

/**
 * A logger for the line of every request ("request completed"),
 * writing where `logger` writes, at its level, in the same form, but without the redaction
 * pass: those lines hold only what `serializers` take (method, the URL without query
 * values, the peer's address, the status), the request's id and its duration, never a
 * header or a body, so there is nothing to redact; and redaction with wildcard paths
 * costs more than the rest of the line (bench/server.bench.ts, docs/benchmarks.md).
 */
export function requestLineLogger(logger: Logger): Logger {
  const stream = (logger as unknown as Record<symbol, DestinationStream>)[pino.symbols.streamSym];
  return pino({ level: logger.level, serializers }, stream);
}
