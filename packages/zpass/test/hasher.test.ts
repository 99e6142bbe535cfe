import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { serveConfig } from '../src/config.js';
import { type HashCall, Hasher, HasherBusyError, type HasherOptions } from '../src/crypto/hasher.js';
import { accountToken, addUser, putPassword, startTestServer } from './helpers.js';

/**
 * The pool's rules with computations the test finishes by hand, on a clock the test
 * moves: no argon2, no timing.
 */
class ManualHasher extends Hasher {
  clock = 0;
  readonly started: string[] = [];
  private readonly finishers = new Map<string, () => void>();

  constructor(options: HasherOptions) {
    super({ ...options, now: () => this.clock });
  }

  /** Queues computation `name`; the promise settles when the pool refuses it or `finish(name)` ends it. */
  compute(name: string, call?: HashCall): Promise<string> {
    return this.run(
      () =>
        new Promise<string>((resolve) => {
          this.started.push(name);
          this.finishers.set(name, () => resolve(name));
        }),
      call,
    );
  }

  /** Ends a running computation after `ms` of the test's clock, and lets the next one start. */
  async finish(name: string, ms: number): Promise<void> {
    const end = this.finishers.get(name);
    assert.ok(end, `${name} is not running`);
    this.finishers.delete(name);
    this.clock += ms;
    end();
    // Let the pool's bookkeeping and the next computation's start run.
    for (let i = 0; i < 5; i++) await new Promise((r) => setImmediate(r));
  }
}

const refused = (p: Promise<unknown>) => assert.rejects(p, HasherBusyError);

describe('hashing pool: shedding by estimated wait', () => {
  it('queues a new computation while (queued + 1) × mean ÷ concurrency stays within maxWaitMs, and refuses it beyond', async () => {
    const h = new ManualHasher({ concurrency: 2, maxWaitMs: 100, initialMeanMs: 50 });
    const running = [h.compute('a'), h.compute('b')];
    assert.equal(h.estimatedWaitMs(), 25); // (0 + 1) × 50 ÷ 2
    // 3 queued: (3 + 1) × 50 ÷ 2 = 100, still within, so a fourth is queued...
    const queued = [h.compute('c'), h.compute('d'), h.compute('e'), h.compute('f')];
    assert.equal(h.queued, 4);
    // ...and with 4 queued a new one would wait (4 + 1) × 50 ÷ 2 = 125 ms: refused at once.
    assert.equal(h.estimatedWaitMs(), 125);
    await refused(h.compute('g'));
    assert.equal(h.queued, 4);
    // A computation that ends frees a slot: the queue moves and a new one is admitted again.
    await h.finish('a', 50);
    assert.deepEqual(h.started, ['a', 'b', 'c']);
    const late = h.compute('h');
    assert.equal(h.queued, 4);
    for (const name of ['b', 'c', 'd', 'e', 'f', 'h']) await h.finish(name, 50);
    assert.deepEqual(await Promise.all([...running, ...queued, late]), ['a', 'b', 'c', 'd', 'e', 'f', 'h']);
  });

  it('follows the measured mean computation time: slower computations shorten the queue it accepts', async () => {
    const h = new ManualHasher({ concurrency: 1, maxWaitMs: 60, initialMeanMs: 10 });
    const first = h.compute('a');
    const queued = [h.compute('b'), h.compute('c'), h.compute('d')];
    assert.equal(h.estimatedWaitMs(), 40); // (3 + 1) × 10 ÷ 1
    // Computations turn out to take 100 ms: the running mean moves towards it.
    await h.finish('a', 100);
    await h.finish('b', 100);
    const mean = h.meanMs;
    assert.ok(mean > 10 && mean < 100, String(mean));
    // One queued: at the first estimate a new one would wait (1 + 1) × 10 = 20 ms and be queued;
    // at the measured mean it would wait 2 × mean > 60 ms, and is refused.
    assert.equal(h.queued, 1);
    assert.equal(h.estimatedWaitMs(), 2 * mean);
    assert.ok(2 * mean > 60);
    await refused(h.compute('e'));
    await h.finish('c', 100);
    await h.finish('d', 100);
    await Promise.all([first, ...queued]);
    assert.equal(h.queued, 0);
  });

  it('never refuses a follow-up, and runs follow-ups before new requests', async () => {
    const h = new ManualHasher({ concurrency: 1, maxWaitMs: 30, initialMeanMs: 10 });
    const a = h.compute('a');
    const b = h.compute('b'); // (0 + 1) × 10 = 10
    const c = h.compute('c'); // 20
    const d = h.compute('d'); // 30
    await refused(h.compute('new')); // 40 > 30
    // The second computation of an admitted request: queued although the estimate is over the bound...
    const a2 = h.compute('a2', { followUp: true });
    assert.equal(h.queued, 4);
    // ...and started ahead of the new requests that were waiting.
    await h.finish('a', 10);
    assert.deepEqual(h.started, ['a', 'a2']);
    for (const name of ['a2', 'b', 'c', 'd']) await h.finish(name, 10);
    assert.deepEqual(h.started, ['a', 'a2', 'b', 'c', 'd']);
    assert.deepEqual(await Promise.all([a, a2, b, c, d]), ['a', 'a2', 'b', 'c', 'd']);
  });

  it('keeps maxQueue as a hard bound whatever the estimate, and starts at once while a slot is free', async () => {
    const h = new ManualHasher({ concurrency: 2, maxQueue: 1, maxWaitMs: 10_000, initialMeanMs: 1 });
    assert.equal(h.estimatedWaitMs(), 0);
    const a = h.compute('a');
    assert.equal(h.estimatedWaitMs(), 0);
    const b = h.compute('b');
    const c = h.compute('c');
    await refused(h.compute('d'));
    await h.finish('a', 1);
    await h.finish('b', 1);
    await h.finish('c', 1);
    assert.deepEqual(await Promise.all([a, b, c]), ['a', 'b', 'c']);
  });

  it('hashes and verifies with argon2id for real through the same pool', async () => {
    const h = new Hasher({ concurrency: 1 });
    const phc = await h.hash('Pool-Password-1');
    assert.equal(await h.verify(phc, 'Pool-Password-1', { followUp: true }), true);
    assert.equal(await h.verify(phc, 'Pool-Password-2'), false);
    assert.ok(h.meanMs > 0);
  });
});

/** The real hasher, whose computations can be held at their start until released. */
class GatedHasher extends Hasher {
  started = 0;
  private gate: Promise<void> | undefined;
  private open: (() => void) | undefined;

  hold(): void {
    this.gate = new Promise((resolve) => {
      this.open = resolve;
    });
  }

  release(): void {
    this.open?.();
    this.gate = undefined;
  }

  async untilStarted(n: number): Promise<void> {
    while (this.started < n) await new Promise((r) => setImmediate(r));
  }

  protected override run<T>(work: () => Promise<T>, call?: HashCall): Promise<T> {
    return super.run(async () => {
      this.started++;
      await this.gate;
      return work();
    }, call);
  }
}

describe('hashing pool over HTTP', () => {
  it('answers 503 code 503 with Retry-After: 1 when a change would wait too long, and finishes the admitted one', async () => {
    // One slot and no wait allowed: a change arriving while another hashes is refused at once.
    const hasher = new GatedHasher({ concurrency: 1, maxWaitMs: 0 });
    const t = await startTestServer({ hasher });
    try {
      const a = await addUser(t);
      const b = await addUser(t);
      const token = await accountToken(t);
      hasher.hold();
      const started = hasher.started;
      const first = putPassword(t, token, a.id, 'Fresh-Pass-Word-71');
      await hasher.untilStarted(started + 1);
      const second = await putPassword(t, token, b.id, 'Fresh-Pass-Word-72');
      assert.equal(second.status, 503);
      assert.deepEqual(second.body, {
        code: 503,
        message: 'The server is busy hashing passwords. Try again later.',
      });
      assert.equal(second.headers.get('retry-after'), '1');
      hasher.release();
      assert.equal((await first).status, 204);
      // Nothing of the refused change was applied: sent again, it succeeds.
      assert.equal((await putPassword(t, token, b.id, 'Fresh-Pass-Word-72')).status, 204);
    } finally {
      await t.stop();
    }
  });
});

describe('ZPASS_HASH_MAX_WAIT_MS', () => {
  it('sets the wait bound in milliseconds, or none, and refuses anything else in one line', () => {
    assert.equal(serveConfig({}, {}).hashMaxWaitMs, undefined);
    assert.equal(new Hasher({ maxWaitMs: serveConfig({}, {}).hashMaxWaitMs }).maxWaitMs, 50);
    assert.equal(serveConfig({}, { ZPASS_HASH_MAX_WAIT_MS: '120' }).hashMaxWaitMs, 120);
    assert.equal(serveConfig({}, { ZPASS_HASH_MAX_WAIT_MS: '0' }).hashMaxWaitMs, 0);
    assert.equal(serveConfig({}, { ZPASS_HASH_MAX_WAIT_MS: 'none' }).hashMaxWaitMs, Number.POSITIVE_INFINITY);
    for (const bad of ['-1', '1.5', 'soon', '60001', '1e3'])
      assert.throws(
        () => serveConfig({}, { ZPASS_HASH_MAX_WAIT_MS: bad }),
        /^Error: ZPASS_HASH_MAX_WAIT_MS must be a whole number of milliseconds from 0 to 60000, or "none", got /,
      );
  });
});
