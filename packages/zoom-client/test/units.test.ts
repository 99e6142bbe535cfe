// Pure parts: Retry-After and rate-limit headers, backoff and the retry policy, redaction, the bundled
// password rules.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { inspect, promisify } from 'node:util';
import { checkPassword as policyCheck } from '../../policy/src/index.js';
import {
  backoff,
  checkPassword,
  errorClassFor,
  FREE_PLAN_QPS,
  parseRateLimit,
  parseRetryAfter,
  type ZoomApiError,
  ZoomBadRequestError,
  ZoomClient,
  ZoomConfigError,
  ZoomConnectionError,
  ZoomRateLimitError,
  ZoomTimeoutError,
  ZoomUserAbortError,
} from '../src/index.js';
import { Redactor } from '../src/redact.js';
import { type RetryReason, retryDecision } from '../src/retry.js';

const run = promisify(execFile);
const NOW = Date.parse('2026-11-27T08:00:00Z');

describe('parseRetryAfter', () => {
  it('reads delta-seconds', () => {
    assert.equal(parseRetryAfter('1', NOW), 1000);
    assert.equal(parseRetryAfter(' 30 ', NOW), 30_000);
    assert.equal(parseRetryAfter('0.5', NOW), 500);
    assert.equal(parseRetryAfter('0', NOW), 0);
  });
  it("reads Zoom's ISO-8601 time and an HTTP date", () => {
    assert.equal(parseRetryAfter('2026-11-28T00:00:00Z', NOW), 16 * 3600 * 1000);
    assert.equal(parseRetryAfter('Fri, 27 Nov 2026 08:00:05 GMT', NOW), 5000);
    assert.equal(parseRetryAfter('2026-11-27T07:00:00Z', NOW), 0, 'a past date means now');
  });
  it('ignores what it cannot read', () => {
    for (const v of [null, undefined, '', 'soon', '-1', '1e3', 'NaN'])
      assert.equal(parseRetryAfter(v, NOW), undefined, String(v));
  });
});

describe('parseRateLimit', () => {
  it("reads Zoom's headers", () => {
    const h = new Headers({
      'X-RateLimit-Category': 'Medium',
      'X-RateLimit-Type': 'QPS',
      'X-RateLimit-Limit': '20',
      'X-RateLimit-Remaining': '19',
    });
    assert.deepEqual(parseRateLimit(h, NOW), { category: 'Medium', type: 'QPS', limit: 20, remaining: 19 });
    const daily = new Headers({ 'x-ratelimit-type': 'Daily-limit', 'retry-after': '2026-11-28T00:00:00Z' });
    assert.deepEqual(parseRateLimit(daily, NOW), {
      type: 'Daily-limit',
      retryAfterMs: 57_600_000,
      retryAt: new Date('2026-11-28T00:00:00Z'),
    });
    assert.equal(parseRateLimit(new Headers({ 'x-ratelimit-limit': 'lots' }), NOW), undefined);
  });
});

describe('backoff', () => {
  it('doubles from 0.5 s to a cap of 8 s, with up to a quarter of jitter', () => {
    for (let i = 0; i < 200; i++) {
      const [a, b, c, d] = [backoff(0), backoff(1), backoff(2), backoff(10)];
      assert.ok(a >= 375 && a <= 500, String(a));
      assert.ok(b >= 750 && b <= 1000, String(b));
      assert.ok(c >= 1500 && c <= 2000, String(c));
      assert.ok(d >= 6000 && d <= 8000, String(d));
    }
  });
});

describe('the retry policy', () => {
  const limits = { maxRetries: 2, maxRetryDelay: 60_000 };
  const response = (status: number, headers: Record<string, string> = {}) =>
    new (errorClassFor(status))({ status, message: `HTTP ${status}`, headers: new Headers(headers) });
  const limited = (type: string, retryAfter?: string) =>
    new ZoomRateLimitError({
      status: 429,
      message: 'limited',
      rateLimit: { type, ...(retryAfter ? { retryAfterMs: Number(retryAfter) * 1000 } : {}) },
    });
  const lost = new ZoomConnectionError({ message: 'Connection error: fetch failed' });

  it('retries what passes, only when it may (idempotent), only while retries and the wait allow', () => {
    const cases: Array<[string, ZoomApiError, boolean, number, RetryReason | undefined, boolean?]> = [
      ['reset, GET', lost, true, 0, 'connection', true],
      ['reset, POST', lost, false, 0, undefined],
      [
        'timeout, GET',
        new ZoomTimeoutError({ message: 'Request timed out after 1 ms.' }),
        true,
        0,
        'connection',
        true,
      ],
      ['abort', new ZoomUserAbortError({}), true, 0, undefined],
      ['429 per second, POST', limited('QPS', '1'), false, 0, 'rate-limit', false],
      ['429 daily', limited('Daily-limit', '3600'), true, 0, undefined],
      ['429, wait over maxRetryDelay', limited('QPS', '61'), true, 0, undefined],
      ['503, GET', response(503), true, 0, 'server-error', true],
      ['503, POST', response(503), false, 0, undefined],
      ['408, GET', response(408), true, 0, 'server-error', true],
      ['501', response(501), true, 0, undefined],
      ['400', response(400), true, 0, undefined],
      ['401', response(401), true, 0, undefined],
      ['503, retries used up', response(503), true, 2, undefined],
      ['503, Retry-After over maxRetryDelay', response(503, { 'retry-after': '61' }), true, 0, undefined],
    ];
    for (const [name, err, idempotent, retries, reason, ambiguous] of cases) {
      const d = retryDecision(err, retries, idempotent, limits);
      assert.equal(d?.reason, reason, name);
      if (d) assert.equal(d.ambiguous, ambiguous, name);
    }
  });

  it('waits as the server says, else backs off; a wait over maxRetryDelay surfaces whatever its cause', () => {
    assert.equal(retryDecision(limited('QPS', '2'), 0, true, limits)?.delayMs, 2000);
    assert.equal(retryDecision(response(503, { 'retry-after': '3' }), 0, true, limits)?.delayMs, 3000);
    const d = retryDecision(lost, 1, true, limits)!.delayMs;
    assert.ok(d >= 750 && d <= 1000, String(d));
    assert.equal(retryDecision(lost, 1, true, { maxRetries: 2, maxRetryDelay: 500 }), undefined);
    assert.equal(retryDecision(response(502), 0, true, { maxRetries: 2, maxRetryDelay: 0 }), undefined);
  });
});

describe('redaction', () => {
  it('masks known secrets, Bearer/Basic values and secret fields', () => {
    const r = new Redactor();
    r.add('s3cr3t-value');
    assert.equal(r.text('key s3cr3t-value here'), 'key [redacted] here');
    assert.equal(r.text('Authorization: Bearer abc.def-123'), 'Authorization: Bearer [redacted]');
    assert.equal(r.text('Bearer 2UKsjI4VM6ha-yVvr9ys_un9W0pY end'), 'Bearer [redacted] end');
    assert.equal(r.text('Basic Y2lkOnNlY3JldA=='), 'Basic [redacted]');
    assert.deepEqual(r.value({ password: 'x', nested: { client_secret: 'y', ok: 'fine' } }), {
      password: '[redacted]',
      nested: { client_secret: '[redacted]', ok: 'fine' },
    });
    assert.equal(
      r.url('https://h/v2/x?access_token=abc&page=2'),
      'https://h/v2/x?access_token=%5Bredacted%5D&page=2',
    );
    assert.deepEqual(r.headers({ Authorization: 'Bearer t', accept: 'x' }), {
      Authorization: '[redacted]',
      accept: 'x',
    });
  });

  it('an error built from a body that echoes a password shows none of it', () => {
    const r = new Redactor();
    r.add('Echoed-Pass-1');
    const err = new ZoomBadRequestError({
      status: 400,
      code: 300,
      message: 'Validation Failed: Echoed-Pass-1',
      body: {
        code: 300,
        message: 'x',
        password: 'Echoed-Pass-1',
        errors: [{ field: 'password', message: 'Echoed-Pass-1 is bad' }],
      },
      redactor: r,
      cause: new Error('socket said Echoed-Pass-1'),
    });
    for (const view of [String(err), inspect(err, { depth: 10 }), JSON.stringify(err), err.stack ?? '']) {
      assert.ok(!view.includes('Echoed-Pass-1'), view);
    }
    assert.equal(err.message, 'Validation Failed: [redacted]');
    assert.deepEqual(err.errors, [{ field: 'password', message: '[redacted] is bad' }]);
  });
});

describe('options', () => {
  it('refuses nonsense', () => {
    assert.throws(() => new ZoomClient({ accessToken: 't', timeout: -1 }), ZoomConfigError);
    assert.throws(() => new ZoomClient({ accessToken: 't', maxRetries: Number.NaN }), ZoomConfigError);
    assert.throws(() => new ZoomClient({ accessToken: '' }), ZoomConfigError);
  });
  it('defaults to Zoom', () => {
    const saved = { ...process.env };
    try {
      delete process.env.ZOOM_API_URL;
      delete process.env.ZOOM_OAUTH_URL;
      const zoom = new ZoomClient({ accessToken: 't' });
      assert.equal(zoom.baseUrl, 'https://api.zoom.us/v2');
      assert.equal(zoom.oauthUrl, 'https://zoom.us');
      assert.equal(zoom.timeout, 30_000);
      assert.equal(zoom.maxRetries, 2);
    } finally {
      process.env = saved;
    }
  });
});

describe('no runtime dependencies', () => {
  it('the package declares none, and its sources import only each other', async () => {
    const pkg = JSON.parse(await readFile(new URL('../package.json', import.meta.url), 'utf8')) as Record<
      string,
      unknown
    >;
    assert.equal(pkg.dependencies, undefined);
    assert.equal(pkg.peerDependencies, undefined);
    const dir = new URL('../src/', import.meta.url);
    const files = (await readdir(dir, { recursive: true })).filter((f) => f.endsWith('.ts'));
    assert.ok(files.length >= 10);
    let imports = 0;
    for (const f of files) {
      const text = await readFile(new URL(f, dir), 'utf8');
      for (const m of text.matchAll(/(?:^|\n)\s*(?:import|export)[^'";]*?from\s+'([^']+)'/g)) {
        assert.match(m[1]!, /^\.\.?\//, `${f} imports ${m[1]}`);
        imports++;
      }
    }
    assert.ok(imports >= 20, `found ${imports} imports`);
  });

  it('its tests and benchmarks import nothing of the server (tests that need one live in e2e/)', async () => {
    const pkg = fileURLToPath(new URL('..', import.meta.url));
    const server = join(pkg, '..', 'zpass');
    let imports = 0;
    for (const sub of ['test', 'bench']) {
      const dir = join(pkg, sub);
      for (const f of (await readdir(dir, { recursive: true })).filter((n) => /\.[cm]?[jt]s$/.test(n))) {
        const file = join(dir, f);
        const text = await readFile(file, 'utf8');
        for (const m of text.matchAll(/(?:\bfrom\s+|\bimport\s*\(\s*|^\s*import\s+)'([^']+)'/gm)) {
          const spec = m[1]!;
          imports++;
          assert.doesNotMatch(spec, /^zpass(\/|$)/, `${sub}/${f} imports ${spec}`);
          if (!spec.startsWith('.')) continue;
          const target = join(dirname(file), spec);
          assert.ok(!`${target}/`.startsWith(`${server}/`), `${sub}/${f} imports ${spec}`);
        }
      }
    }
    assert.ok(imports >= 30, `found ${imports} imports`);
  });
});

describe('bundled password rules', () => {
  const script = fileURLToPath(new URL('../scripts/vendor-policy.mjs', import.meta.url));

  it('are an exact copy of @zpass/policy (run `npm run vendor-policy -w @zpass/zoom-client` after changing it)', async () => {
    const { stdout, stderr } = await run(process.execPath, [script, '--check']);
    assert.equal(stdout + stderr, '');
    const source = await readFile(new URL('../../policy/src/index.ts', import.meta.url), 'utf8');
    const copy = await readFile(new URL('../src/policy/index.ts', import.meta.url), 'utf8');
    assert.ok(copy.startsWith('// Generated from packages/policy/src'));
    assert.ok(copy.endsWith(source.slice(source.indexOf('export'))));
  });

  it('the copy replaces node:fs with a throwing stand-in, and refuses any other outside import', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'vendor-policy-'));
    try {
      await mkdir(join(dir, 'src'));
      await writeFile(
        join(dir, 'src', 'index.ts'),
        "import { load } from './weak.js';\nexport const x = load;\n",
      );
      await writeFile(
        join(dir, 'src', 'weak.ts'),
        "import { readFileSync } from 'node:fs';\nexport function load(): Uint8Array {\n  return readFileSync('x');\n}\n",
      );
      const env = {
        ...process.env,
        VENDOR_POLICY_SRC: join(dir, 'src'),
        VENDOR_POLICY_OUT: join(dir, 'out'),
      };
      await run(process.execPath, [script], { env });
      const weak = await readFile(join(dir, 'out', 'weak.ts'), 'utf8');
      assert.ok(!weak.includes("from 'node:fs'"));
      assert.match(
        weak,
        /const readFileSync = \(\.\.\._args: unknown\[\]\): never => \{\n {2}throw new Error\(/,
      );
      assert.match(
        await readFile(join(dir, 'out', 'index.ts'), 'utf8'),
        /import \{ load \} from '\.\/weak\.js';/,
      );
      await run(process.execPath, [script, '--check'], { env });
      await writeFile(
        join(dir, 'src', 'pad.ts'),
        "import leftPad from 'left-pad';\nexport const p = leftPad;\n",
      );
      await assert.rejects(run(process.execPath, [script, '--check'], { env }), (e: unknown) => {
        const err = e as { code?: number; stderr?: string };
        return (
          err.code === 1 && err.stderr === "pad.ts imports 'left-pad': the SDK's copy cannot bundle it.\n"
        );
      });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('give the same verdicts as the policy package', () => {
    for (const p of ['Abcdefg1', 'abcdefgh', '12345678', 'Aa1', 'Sh0rt', 'Valid-Pass-123']) {
      assert.deepEqual(checkPassword(p), policyCheck(p), p);
    }
  });
});

describe('bundled contract', () => {
  const script = fileURLToPath(new URL('../scripts/vendor-policy.mjs', import.meta.url));

  it('is an exact copy of @zpass/contract (run `npm run vendor-contract -w @zpass/zoom-client` after changing it)', async () => {
    const { stdout, stderr } = await run(process.execPath, [script, '--package', 'contract', '--check']);
    assert.equal(stdout + stderr, '');
    for (const f of ['errors.ts', 'rate-limits.ts', 'email.ts']) {
      const source = await readFile(new URL(`../../contract/src/${f}`, import.meta.url), 'utf8');
      const copy = await readFile(new URL(`../src/contract/${f}`, import.meta.url), 'utf8');
      assert.ok(copy.startsWith('// Generated from packages/contract/src'), f);
      assert.ok(copy.endsWith(source), f);
    }
  });

  it("paces from the free plan's per-second limits of the shared plan table", () => {
    assert.deepEqual(FREE_PLAN_QPS, { Light: 4, Medium: 2, Heavy: 1, 'Resource-intensive': 1 });
  });

  it("tells Zoom's errors apart by their catalogue entry: status, code and text", () => {
    const same = new ZoomBadRequestError({
      status: 400,
      code: 300,
      message: 'Your new password can not match the old password.',
    });
    assert.equal(same.is('samePassword'), true);
    assert.equal(same.is('tooManyChanges'), false);
    const cap = new ZoomBadRequestError({
      status: 400,
      code: 300,
      message:
        'This password cannot be changed because it has already been changed the maximum number of times over the past 24 hours.',
    });
    assert.equal(cap.is('tooManyChanges'), true);
    assert.equal(cap.is('samePassword'), false);
    // Same text under another code is another error.
    assert.equal(
      new ZoomBadRequestError({ status: 400, code: 1124, message: same.message }).is('samePassword'),
      false,
    );
  });
});
