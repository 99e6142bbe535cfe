/**
 * How the CLI reports a failure: one line `zpass: <message>` on stderr, or with `--json` one
 * JSON object `{"code":..,"message":..}` on stderr; and the exit code (2 for usage errors, 130
 * for a cancelled prompt or an interrupted run, 1 otherwise).
 *
 * Every command loads this module, `--help` too: it imports nothing of the store, the server or
 * their drivers (domain/errors.ts is the catalogue alone).
 */
import { ZoomApiError, ZoomPasswordPolicyError } from '@zpass/zoom-client';
import { ZoomError } from '../domain/errors.js';
import { CliError, describeError } from './api/connection.js';
import { PromptCancelled } from './io.js';

export interface Failure {
  /** Zoom's code when the API gave one; else a stable word. */
  code: number | string;
  message: string;
  exitCode: number;
}

/** The commander errors that mean "the command line is wrong" (exit 2). */
export function isUsageCode(code: string): boolean {
  return (
    code.startsWith('commander.') &&
    ![
      'commander.helpDisplayed',
      'commander.version',
      'commander.help',
      'commander.executeSubCommandAsync',
    ].includes(code)
  );
}

export function failureOf(err: unknown): Failure {
  const oneLine = (s: string) => s.replace(/\s*\n\s*/g, ' ');
  if (err instanceof PromptCancelled) return { code: 'cancelled', message: err.message, exitCode: 130 };
  if (err instanceof CliError)
    return {
      code: err.exitCode === 2 ? 'usage' : 'error',
      message: oneLine(err.message),
      exitCode: err.exitCode,
    };
  if (err instanceof ZoomPasswordPolicyError)
    return { code: err.code ?? 'password_policy', message: oneLine(describeError(err)), exitCode: 1 };
  if (err instanceof ZoomApiError)
    return {
      code: err.code ?? (err.status === undefined ? 'connection' : `http_${err.status}`),
      message: oneLine(describeError(err)),
      exitCode: 1,
    };
  if (err instanceof ZoomError) return { code: err.code, message: oneLine(err.message), exitCode: 1 };
  // The rest, an operator's mistakes included (AdminError, ConfigError, DataDirError,
  // DatabaseUrlError, SchemaTooNewError), by their message.
  return { code: 'error', message: oneLine(describeError(err)), exitCode: 1 };
}

export function reportFailure(f: Failure, json: boolean): void {
  if (json) process.stderr.write(`${JSON.stringify({ code: f.code, message: f.message })}\n`);
  else if (f.code !== 'cancelled') process.stderr.write(`zpass: ${f.message}\n`);
  process.exitCode = f.exitCode;
}
