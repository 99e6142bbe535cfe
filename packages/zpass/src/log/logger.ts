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
      serializers: {
        req: (req: FastifyRequest) => ({
          method: req.method,
          url: redactRequestUrl(req.url),
          remoteAddress: req.ip,
        }),
        res: (res: { statusCode: number }) => ({ statusCode: res.statusCode }),
      },
    },
    stream ?? (format === 'pretty' ? prettyStream() : undefined),
  );
}
