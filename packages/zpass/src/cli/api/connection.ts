/**
 * Where API commands get their credentials and target: a named profile stored by
 * `zpass login`, or the SDK's environment variables. These commands talk to an API
 * (Zoom or zpass) through @zpass/zoom-client only; they never open a store.
 */
import { chmodSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import {
  ZoomApiError,
  ZoomClient,
  ZoomConfigError,
  ZoomError,
  ZoomPasswordPolicyError,
  ZoomRateLimitError,
} from '@zpass/zoom-client';

/** A failure the CLI reports as one line (`zpass: <message>`) with a non-zero exit code. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode = 1,
  ) {
    super(message);
  }
}

export interface Profile {
  account_id: string;
  client_id: string;
  client_secret: string;
  api_url?: string;
  oauth_url?: string;
}

interface ProfilesFile {
  profiles: Record<string, Profile>;
}

/** `$ZPASS_CONFIG_DIR`, else `$XDG_CONFIG_HOME/zpass`, else `%APPDATA%\zpass` on Windows, else `~/.config/zpass`. */
export function configDir(): string {
  if (process.env.ZPASS_CONFIG_DIR) return process.env.ZPASS_CONFIG_DIR;
  if (process.env.XDG_CONFIG_HOME) return join(process.env.XDG_CONFIG_HOME, 'zpass');
  if (process.platform === 'win32' && process.env.APPDATA) return join(process.env.APPDATA, 'zpass');
  return join(homedir(), '.config', 'zpass');
}

export function profilesPath(): string {
  return join(configDir(), 'profiles.json');
}

function readProfiles(): ProfilesFile {
  let text: string;
  try {
    text = readFileSync(profilesPath(), 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { profiles: {} };
    throw err;
  }
  try {
    const parsed = JSON.parse(text) as ProfilesFile;
    if (parsed && typeof parsed.profiles === 'object' && parsed.profiles !== null) return parsed;
  } catch {
    // reported below
  }
  throw new CliError(
    `${profilesPath()} is not a valid profiles file; fix or remove it, then run zpass login.`,
  );
}

/** Saves one profile; the file (and its folder) are readable by the user alone. */
export function saveProfile(name: string, profile: Profile): string {
  const file = readProfiles();
  file.profiles[name] = profile;
  return writeProfiles(file);
}

/** Forgets one profile; false when there was none of that name. */
export function removeProfile(name: string): boolean {
  const file = readProfiles();
  if (!(name in file.profiles)) return false;
  delete file.profiles[name];
  writeProfiles(file);
  return true;
}

export function listProfiles(): Record<string, Profile> {
  return readProfiles().profiles;
}

function writeProfiles(file: ProfilesFile): string {
  const dir = configDir();
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const path = profilesPath();
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, `${JSON.stringify(file, null, 2)}\n`, { mode: 0o600 });
  chmodSync(tmp, 0o600);
  renameSync(tmp, path);
  return path;
}

export function loadProfile(name: string): Profile | undefined {
  return readProfiles().profiles[name];
}

export interface ConnectionFlags {
  profile?: string;
}

const env = (name: string) => process.env[name] || undefined;

/**
 * The credentials of a command: `--profile NAME` if given; else the environment
 * (ZOOM_ACCOUNT_ID, ZOOM_CLIENT_ID, ZOOM_CLIENT_SECRET, ZOOM_API_URL, ZOOM_OAUTH_URL) when it
 * names an account; else the profile `$ZPASS_PROFILE` or `default`.
 */
export function resolveProfile(flags: ConnectionFlags): { profile: Profile; source: string } {
  if (flags.profile) {
    const p = loadProfile(flags.profile);
    if (!p) throw new CliError(`No profile "${flags.profile}": run zpass login --profile ${flags.profile}.`);
    return { profile: p, source: `profile ${flags.profile}` };
  }
  const accountId = env('ZOOM_ACCOUNT_ID');
  const clientId = env('ZOOM_CLIENT_ID');
  const clientSecret = env('ZOOM_CLIENT_SECRET');
  if (accountId || clientId || clientSecret) {
    const missing = [
      accountId ? '' : 'ZOOM_ACCOUNT_ID',
      clientId ? '' : 'ZOOM_CLIENT_ID',
      clientSecret ? '' : 'ZOOM_CLIENT_SECRET',
    ].filter(Boolean);
    if (missing.length > 0)
      throw new CliError(`Incomplete credentials in the environment: set ${missing.join(', ')}.`);
    const profile: Profile = { account_id: accountId!, client_id: clientId!, client_secret: clientSecret! };
    if (env('ZOOM_API_URL')) profile.api_url = env('ZOOM_API_URL');
    if (env('ZOOM_OAUTH_URL')) profile.oauth_url = env('ZOOM_OAUTH_URL');
    return { profile, source: 'environment' };
  }
  const name = env('ZPASS_PROFILE') ?? 'default';
  const p = loadProfile(name);
  if (!p) {
    throw new CliError(
      'No credentials: run zpass login (or pass --profile NAME), or set ZOOM_ACCOUNT_ID, ZOOM_CLIENT_ID and ZOOM_CLIENT_SECRET.',
    );
  }
  return { profile: p, source: `profile ${name}` };
}

/**
 * Node's fetch parses responses with llhttp compiled to WebAssembly. Once the parser has run a
 * little, V8 compiles it again with its optimising tier, in the background: about 25 MB more
 * at the peak of a command that makes a handful of requests (docs/benchmarks.md, "CLI
 * memory"). The CLI keeps the baseline compiler's code, which parses fast enough for requests
 * paced at Zoom's rate limits. Set before the client's first request compiles the parser.
 */
function baselineWasmOnly(): void {
  setFlagsFromString('--liftoff-only');
}

export function clientFor(
  profile: Profile,
  options: { maxRetries?: number; fetch?: typeof fetch } = {},
): ZoomClient {
  baselineWasmOnly();
  return new ZoomClient({
    ...options,
    accountId: profile.account_id,
    clientId: profile.client_id,
    clientSecret: profile.client_secret,
    baseUrl: profile.api_url,
    oauthUrl: profile.oauth_url,
    userAgent: 'zpass-cli',
  });
}

export function connect(flags: ConnectionFlags): ZoomClient {
  return clientFor(resolveProfile(flags).profile);
}

/** One line for an error: Zoom's message, its field errors and its code. */
export function describeError(err: unknown): string {
  if (err instanceof ZoomPasswordPolicyError) return `${err.message} (code ${err.code})`;
  if (err instanceof ZoomApiError) {
    const detail = err.errors?.map((e) => e.message).join(' ') ?? '';
    const code = err.code === undefined ? '' : ` (code ${err.code})`;
    const retry =
      err instanceof ZoomRateLimitError && err.isDailyLimit && err.retryAt
        ? ` Try again after ${err.retryAt.toISOString()}.`
        : '';
    return `${err.message}${detail ? ` ${detail}` : ''}${code}${retry}`;
  }
  if (err instanceof ZoomConfigError || err instanceof ZoomError || err instanceof CliError)
    return err.message;
  return err instanceof Error ? err.message : String(err);
}

/**
 * A command's action. Failures propagate to `main`, which reports them (one line, or one JSON
 * object with --json) and sets the exit code.
 */
export function action<A extends unknown[]>(
  fn: (...args: A) => Promise<void>,
): (...args: A) => Promise<void> {
  return fn;
}
