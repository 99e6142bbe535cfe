import { Readable } from 'node:stream';
import multipart from '@fastify/multipart';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { Errors, ZoomError } from '../../domain/errors.js';

/** Largest request body accepted, in bytes, for every content type. */
export const BODY_LIMIT = 1024 * 1024;

/**
 * A multipart body as `{name: value}` (repeated names give arrays), under the same
 * byte limit as the other content types. File parts are refused (413).
 */
async function readMultipart(request: FastifyRequest): Promise<Record<string, unknown>> {
  const body: Record<string, unknown> = {};
  let size = 0;
  for await (const part of request.parts()) {
    // With `files: 0` busboy skips file parts and the iterator throws FST_FILES_LIMIT instead.
    if (part.type !== 'field') throw Errors.bodyTooLarge();
    // busboy cuts a value at `fieldSize` bytes: the body was larger than the limit.
    if (part.valueTruncated || part.fieldnameTruncated) throw Errors.bodyTooLarge();
    const value = part.value;
    const text = typeof value === 'string' ? value : (JSON.stringify(value) ?? '');
    size += Buffer.byteLength(part.fieldname) + Buffer.byteLength(text);
    if (size > BODY_LIMIT) throw Errors.bodyTooLarge();
    const prior = body[part.fieldname];
    body[part.fieldname] =
      prior === undefined ? value : Array.isArray(prior) ? [...prior, value] : [prior, value];
  }
  return body;
}

/** What the multipart reader throws, in Zoom's format: anything else from busboy is a malformed body. */
function multipartError(err: unknown): ZoomError {
  if (err instanceof ZoomError) return err;
  switch ((err as { code?: unknown }).code) {
    // A file part is refused as too large (docs/compatibility.md): no write here takes a file.
    case 'FST_FILES_LIMIT':
    case 'FST_PARTS_LIMIT':
    case 'FST_FIELDS_LIMIT':
      return Errors.bodyTooLarge();
  }
  return Errors.validation([{ field: 'body', message: 'The multipart body is malformed.' }]);
}

/**
 * An empty body is no body, whatever `Content-Type` says (Zoom's contract, section 1:
 * `@zoom/rivet` sends `Content-Type: application/json` without a body on GET and DELETE).
 * Known from the headers alone: `Content-Length: 0`, or neither a length nor chunked
 * transfer. Dropping the type before parsing serves the request as Fastify serves one
 * without a body; an empty chunked JSON body is caught by the JSON parser itself.
 */
function hasNoBody(request: FastifyRequest): boolean {
  if (request.headers['transfer-encoding'] !== undefined) return false;
  const length = request.headers['content-length'];
  return length === undefined || length === '0';
}

/**
 * Every write accepts JSON, multipart/form-data (what Zoom's Postman collection
 * and curl send) and application/x-www-form-urlencoded. A JSON body must be an object.
 * Any other content type (text/plain included) is 415.
 */
export async function registerBodyParsers(app: FastifyInstance): Promise<void> {
  app.removeContentTypeParser('text/plain');
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser(
    'application/json',
    { parseAs: 'string', bodyLimit: BODY_LIMIT },
    (_req, body, done) => {
      if (body === '') return done(null, undefined);
      let value: unknown;
      try {
        value = JSON.parse(body as string);
      } catch {
        return done(Errors.invalidJson(), undefined);
      }
      if (value === null || typeof value !== 'object' || Array.isArray(value))
        return done(Errors.invalidJson(), undefined);
      done(null, value);
    },
  );
  // A declared length over the limit is refused before any of the body is read, whatever
  // its type (the multipart reader does not go through Fastify's own body limit).
  // Callback hooks (a throw is an error answered as any other): every request runs them,
  // and a promise per hook is measurable on a cheap read (docs/benchmarks.md).
  app.addHook('preParsing', (request, _reply, payload, done) => {
    if (Number(request.headers['content-length']) > BODY_LIMIT) throw Errors.bodyTooLarge();
    if (hasNoBody(request)) {
      delete request.headers['content-type'];
      done(null, payload);
      return;
    }
    // Exact bytes: UTF-8 only, decoded strictly (a lenient decoder would store another password).
    const charset = declaredCharset(request.headers['content-type']);
    if (charset !== undefined && charset !== 'utf-8' && charset !== 'utf8') throw Errors.unsupportedCharset();
    // The multipart reader reads the request itself; U+FFFD in a password is refused there.
    done(
      null,
      /^\s*multipart\//i.test(request.headers['content-type'] ?? '') ? payload : strictUtf8(payload),
    );
  });
  app.addContentTypeParser(
    'application/x-www-form-urlencoded',
    { parseAs: 'string', bodyLimit: BODY_LIMIT },
    (_req, body, done) => {
      try {
        done(null, parseForm(body as string));
      } catch {
        done(Errors.invalidEncoding(), undefined);
      }
    },
  );
  await app.register(multipart, {
    limits: { fieldSize: BODY_LIMIT, fields: 32, files: 0, parts: 33, fileSize: BODY_LIMIT, headerPairs: 64 },
    throwFileSizeLimit: true,
  });
  app.addHook('preValidation', (request, _reply, done) => {
    if (!request.isMultipart()) {
      done();
      return;
    }
    readMultipart(request).then(
      (body) => {
        request.body = body;
        done();
      },
      (err) => {
        // The reader stopped early: discard the rest of the body, as Node does for a body
        // never read, so that the connection is not left hanging on an unread request.
        request.raw.unpipe();
        request.raw.resume();
        done(multipartError(err));
      },
    );
  });
}

/** The charset a Content-Type declares, lower-cased and unquoted; undefined when none. */
export function declaredCharset(contentType: string | undefined): string | undefined {
  const m = /;\s*charset\s*=\s*("?)([^";\s]*)\1/i.exec(contentType ?? '');
  return m ? m[2]!.toLowerCase() : undefined;
}

/** Passes the body through, failing with a 400 at the first byte sequence that is not UTF-8. */
function strictUtf8(payload: NodeJS.ReadableStream): Readable {
  const decoder = new TextDecoder('utf-8', { fatal: true });
  const invalid = () => {
    // The rest of the body is read and dropped, so that the connection is not left hanging.
    payload.removeListener('data', onData);
    payload.resume();
    checked.destroy(Errors.invalidEncoding());
  };
  const onData = (chunk: Buffer) => {
    try {
      decoder.decode(chunk, { stream: true });
    } catch {
      return invalid();
    }
    if (!checked.push(chunk)) payload.pause();
  };
  let started = false;
  // Nothing is read before the body's reader asks (Fastify, once it listens for the error):
  // a body checked at once, while a later hook still awaited (the Redis rate limit), failed
  // before anyone listened, and the request was never answered.
  const checked = new Readable({
    read() {
      if (started) {
        payload.resume();
        return;
      }
      started = true;
      payload.on('data', onData);
      payload.once('end', () => {
        try {
          decoder.decode();
        } catch {
          return invalid();
        }
        checked.push(null);
      });
    },
  });
  // A request that breaks off (the client went away) ends this stream; the no-op listener
  // keeps that from being an unhandled error while nobody reads yet (Fastify adds its own).
  payload.on('error', (err) => checked.destroy(err));
  checked.on('error', () => {});
  return checked;
}

/**
 * An application/x-www-form-urlencoded body: `+` is a space, percent-escapes must decode to
 * UTF-8 (else URIError), repeated names give arrays.
 */
export function parseForm(text: string): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = Object.create(null);
  const decode = (s: string) => decodeURIComponent(s.replace(/\+/g, ' '));
  for (const pair of text.split('&')) {
    if (pair === '') continue;
    const eq = pair.indexOf('=');
    const name = decode(eq < 0 ? pair : pair.slice(0, eq));
    const value = eq < 0 ? '' : decode(pair.slice(eq + 1));
    const prior = out[name];
    out[name] = prior === undefined ? value : Array.isArray(prior) ? [...prior, value] : [prior, value];
  }
  return { ...out };
}

/** Whether the request's body is a form (urlencoded or multipart): every value in it is a string. */
export function isFormBody(contentType: string | undefined): boolean {
  return /^\s*(multipart\/form-data|application\/x-www-form-urlencoded)\b/i.test(contentType ?? '');
}

/**
 * A form's flat fields as the object a JSON client would send: `user_info[email]=a`
 * becomes `{user_info: {email: 'a'}}`, a field holding a JSON object (`user_info={...}`)
 * is parsed, and the named integer fields (`user_info.type`) become numbers when
 * they are written in digits. Anything else is left as sent, for validation to judge.
 */
export function formToObject(
  fields: Record<string, unknown>,
  integers: readonly string[] = [],
): Record<string, unknown> {
  const out: Record<string, unknown> = Object.create(null);
  for (const [key, value] of Object.entries(fields)) {
    if (/__proto__|constructor|prototype/.test(key)) continue;
    const m = /^([A-Za-z0-9_]+)\[([A-Za-z0-9_]+)\]$/.exec(key);
    if (m) {
      const parent = out[m[1]!];
      const obj =
        parent && typeof parent === 'object' && !Array.isArray(parent)
          ? (parent as Record<string, unknown>)
          : {};
      obj[m[2]!] = value;
      out[m[1]!] = obj;
    } else if (typeof value === 'string' && /^\s*\{/.test(value) && !(key in out)) {
      try {
        const parsed: unknown = JSON.parse(value);
        out[key] = parsed && typeof parsed === 'object' && !Array.isArray(parsed) ? parsed : value;
      } catch {
        out[key] = value;
      }
    } else {
      out[key] = value;
    }
  }
  for (const path of integers) {
    const [head, tail] = path.split('.') as [string, string | undefined];
    const holder = tail ? out[head] : out;
    const name = tail ?? head;
    if (holder && typeof holder === 'object' && !Array.isArray(holder)) {
      const h = holder as Record<string, unknown>;
      if (typeof h[name] === 'string' && /^[0-9]{1,9}$/.test(h[name] as string)) h[name] = Number(h[name]);
    }
  }
  return { ...out };
}
