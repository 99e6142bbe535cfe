import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConfigError, mailConfig } from '../src/config.js';
import { judge, NoticeError, scrub } from '../src/mail/failures.js';
import { backoffMs, deliverableAddress, fromDomain } from '../src/mail/relay.js';
import { localTime, PayloadError, RENDERERS, type RenderContext } from '../src/mail/templates/index.js';
import { compileMessage, type OutgoingMessage, serializeMime } from '../src/mail/transport.js';

// Pure functions of the mail relay: templates, backoff, failure judgement, settings.

const CTX: RenderContext = {
  brand: 'zpass',
  publicUrl: 'https://id.example.test',
  resetPath: '/signin/reset',
  account: { id: 'acct1', name: 'Example <Org> & Co' },
};
const AT = Date.UTC(2026, 10, 27, 7, 52, 30);
const render = RENDERERS.password_changed!;

describe('password_changed template', () => {
  it('gives local time beside UTC when the user has a time zone', () => {
    const m = render(
      { email: 'a@example.test', changed_at: AT, changed_by: 'self' },
      { ...CTX, timezone: 'Asia/Kolkata' },
    );
    assert.ok(
      m.text.includes('was changed on 2026-11-27 07:52 UTC (2026-11-27 13:22 (Asia/Kolkata)).'),
      m.text,
    );
  });

  it('gives UTC alone for no, UTC or an unknown time zone', () => {
    for (const timezone of [undefined, 'UTC', 'Mars/Olympus_Mons']) {
      const m = render({ email: 'a@example.test', changed_at: AT }, { ...CTX, timezone });
      assert.ok(m.text.includes('was changed on 2026-11-27 07:52 UTC.\n'), `${timezone}: ${m.text}`);
    }
    assert.equal(localTime(AT, 'Mars/Olympus_Mons'), undefined);
  });

  it('escapes names and addresses in the HTML part', () => {
    const m = render({ email: 'a@example.test', first_name: '<script>x</script>', changed_at: AT }, CTX);
    assert.ok(m.html.includes('Hello &lt;script&gt;x&lt;/script&gt;,'));
    assert.ok(m.html.includes('in Example &lt;Org&gt; &amp; Co (account acct1)'));
    assert.ok(!m.html.includes('<script>'));
    assert.ok(m.text.startsWith('Hello <script>x</script>,\n'));
  });

  it('names who changed it by role only, and says nothing of it for older notices', () => {
    const say = (changed_by?: string) =>
      render({ email: 'a@example.test', changed_at: AT, ...(changed_by ? { changed_by } : {}) }, CTX).text;
    assert.ok(say('owner').includes("\nYour account's owner changed it.\n"));
    assert.ok(say('admin').includes('\nAn administrator of your account changed it.\n'));
    assert.ok(say('operator').includes("\nThe service's operator changed it from the command line.\n"));
    assert.ok(!/changed it/.test(say(undefined).replace('was changed on', '')));
  });

  it('refuses a payload it cannot use', () => {
    assert.throws(() => render({ changed_at: AT }, CTX), PayloadError);
    assert.throws(() => render({ email: 'a@example.test', changed_at: 'yesterday' }, CTX), PayloadError);
    assert.throws(
      () => render({ email: 'a@example.test', changed_at: AT, changed_by: 'ceo' }, CTX),
      PayloadError,
    );
  });
});

describe('relay helpers', () => {
  it('backs off exponentially with jitter between half and all of the step, up to the cap', () => {
    assert.equal(
      backoffMs(1, 1000, 60_000, () => 0),
      500,
    );
    assert.equal(
      backoffMs(1, 1000, 60_000, () => 1),
      1000,
    );
    assert.equal(
      backoffMs(3, 1000, 60_000, () => 0.5),
      3000,
    );
    assert.equal(
      backoffMs(20, 1000, 60_000, () => 1),
      60_000,
    );
    assert.equal(
      backoffMs(20, 1000, 60_000, () => 0),
      30_000,
    );
  });

  it('knows a deliverable address from a malformed one', () => {
    for (const a of ['a@example.test', 'first.last+tag@sub.example.co'])
      assert.equal(deliverableAddress(a), true, a);
    for (const a of [
      'no at sign',
      'a b@example.test',
      'a@',
      '@example.test',
      'a@exa mple.test',
      'A <a@example.test>',
      'a@-x.test',
    ])
      assert.equal(deliverableAddress(a), false, a);
  });

  it('takes the Message-ID domain from the sender', () => {
    assert.equal(fromDomain('Acme <no-reply@acme.test>'), 'acme.test');
    assert.equal(fromDomain('no-reply@mail.acme.test'), 'mail.acme.test');
  });

  it('judges 5xx replies permanent, 4xx, network and auth failures temporary', () => {
    assert.deepEqual(judge({ code: 'EENVELOPE', responseCode: 550, response: '550 5.1.1 No such user' }), {
      permanent: true,
      reason: 'EENVELOPE 550 5.1.1 No such user',
    });
    assert.equal(judge({ code: 'EENVELOPE', responseCode: 451, response: '451 try later' }).permanent, false);
    assert.equal(
      judge({ code: 'ECONNECTION', message: 'connect ECONNREFUSED 127.0.0.1:1' }).permanent,
      false,
    );
    assert.equal(judge({ code: 'EAUTH', responseCode: 535, response: '535 Invalid login' }).permanent, false);
    assert.equal(judge(new NoticeError('bad address', true)).permanent, true);
  });

  it('scrubs secrets and credentials out of error texts', () => {
    assert.equal(scrub('login as bob with s3cret failed', ['s3cret']), 'login as bob with *** failed');
    assert.equal(
      scrub('cannot reach smtp://bob:pw@mail.test:25', []),
      'cannot reach smtp://bob:***@mail.test:25',
    );
    assert.equal(scrub('C: AUTH PLAIN AGJvYgBwdw==', []), 'C: AUTH PLAIN ***');
    assert.equal(scrub('x'.repeat(600), []).length, 503);
  });
});

describe('a message written in one pass', () => {
  const message = (over: Partial<OutgoingMessage> = {}): OutgoingMessage => {
    const r = render(
      { email: 'a@example.test', first_name: 'Ann', changed_at: AT, changed_by: 'admin' },
      { ...CTX, timezone: 'Asia/Kolkata' },
    );
    return {
      id: 7,
      kind: 'password_changed',
      from: 'zpass <no-reply@id.example.test>',
      to: 'a@example.test',
      subject: r.subject,
      text: r.text,
      html: r.html,
      messageId: '<password_changed.7.x@id.example.test>',
      date: new Date(AT),
      ...over,
    };
  };

  // The same tree, written by nodemailer's streams and in one pass: the same bytes, whatever
  // the encodings nodemailer picks (7bit, quoted-printable, base64; encoded-word headers).
  const cases: Array<[string, Partial<OutgoingMessage>]> = [
    ['a password_changed notice', {}],
    ['short ASCII parts (7bit)', { text: 'Hello.\n', html: '<p>Hello.</p>' }],
    ['mostly non-Latin text (base64)', { text: 'пароль изменён '.repeat(20), subject: 'Пароль изменён' }],
    [
      'accents in names and subject',
      {
        from: 'Zoë Pass <no-reply@id.example.test>',
        subject: 'Mot de passe modifié',
        text: 'Bonjour Zoë,\r\nvotre mot de passe a été modifié. '.repeat(5),
      },
    ],
    ['an international domain', { to: 'ann@exämple.test' }],
    ['no HTML part', { html: '' }],
    ['one short part without a final line break', { text: 'Hello.', html: '' }],
    ['text ending in spaces and a lone CR', { text: `${'x'.repeat(200)}  \r`, html: '' }],
  ];
  for (const [name, over] of cases) {
    it(`gives nodemailer's own bytes: ${name}`, async () => {
      const root = compileMessage(message(over));
      const once = serializeMime(root);
      assert.ok(once, 'the shape of a notice is written in one pass');
      assert.equal(once.toString('latin1'), (await root.build()).toString('latin1'));
    });
  }

  it('leaves any other shape to nodemailer (an attachment from a stream)', async () => {
    const { Readable } = await import('node:stream');
    const root = compileMessage(message());
    root.createChild('application/octet-stream').setContent(Readable.from([Buffer.from('data')]));
    assert.equal(serializeMime(root), undefined);
  });
});

describe('mail settings', () => {
  it('reads the environment', () => {
    const c = mailConfig({
      SMTP_URL: 'smtps://u:p@mail.example.test:465',
      ZPASS_MAIL_FROM: 'Acme <no-reply@acme.test>',
      ZPASS_BRAND: 'Acme',
      ZPASS_PUBLIC_URL: 'https://id.acme.test',
      ZPASS_MAIL_MAX_ATTEMPTS: '3',
      ZPASS_MAIL_RELAY: 'off',
    });
    assert.equal(c.smtpUrl, 'smtps://u:p@mail.example.test:465');
    assert.equal(c.from, 'Acme <no-reply@acme.test>');
    assert.equal(c.brand, 'Acme');
    assert.equal(c.publicUrl, 'https://id.acme.test');
    assert.equal(c.maxAttempts, 3);
    assert.equal(c.relay, false);
    assert.equal(mailConfig({}).relay, true);
    assert.equal(mailConfig({}, { mailRelay: false }).relay, false);
  });

  it('refuses bad values with a clear message that hides the SMTP password', () => {
    assert.throws(
      () => mailConfig({ SMTP_URL: 'http://u:hunter2@mail.test' }),
      (e: unknown) =>
        e instanceof ConfigError &&
        e.message ===
          'SMTP_URL must start with smtp:// or smtps:// (got http://u:***@mail.test/); leave it unset to write .eml files.',
    );
    assert.throws(
      () => mailConfig({ ZPASS_MAIL_MAX_ATTEMPTS: '0' }),
      /ZPASS_MAIL_MAX_ATTEMPTS must be an integer from 1 to 100/,
    );
    assert.throws(() => mailConfig({ ZPASS_MAIL_FROM: 'nobody' }), /ZPASS_MAIL_FROM must be an address/);
    assert.throws(() => mailConfig({ ZPASS_PUBLIC_URL: 'ftp://x' }), /ZPASS_PUBLIC_URL must be an http/);
    assert.throws(
      () => mailConfig({ ZPASS_MAIL_SEND_TIMEOUT_MS: '10000', ZPASS_MAIL_LEASE_MS: '12000' }),
      /ZPASS_MAIL_LEASE_MS must exceed ZPASS_MAIL_SEND_TIMEOUT_MS by at least 5000/,
    );
  });
});
