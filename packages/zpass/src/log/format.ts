/**
 * The log format setting, apart from the logger so that reading the configuration loads
 * neither pino nor pino-pretty (the CLI's commands that never log stay light).
 */

/** `json`: one JSON object per line (for collectors); `pretty`: for people, on a terminal. */
export type LogFormat = 'json' | 'pretty';

export class LogFormatError extends Error {}

/**
 * `ZPASS_LOG_FORMAT`: `json` or `pretty`; unset: `pretty` when standard output is a
 * terminal, `json` otherwise (so that a collector reading a pipe or file always gets JSON).
 */
export function logFormatFrom(value: string | undefined, isTTY = process.stdout.isTTY === true): LogFormat {
  if (value === undefined || value === '') return isTTY ? 'pretty' : 'json';
  if (value === 'json' || value === 'pretty') return value;
  throw new LogFormatError(`ZPASS_LOG_FORMAT must be json or pretty, got "${value}".`);
}
