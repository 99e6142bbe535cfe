import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, it } from 'node:test';
import { HasherBusyError } from '../src/crypto/hasher.js';
import { Errors, ZoomError } from '../src/domain/errors.js';
import { classify, isFault } from '../src/edge/errors.js';

const SRC = new URL('../src/', import.meta.url).pathname;

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? sources(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : [],
  );
}

/** The folders of src/ that a file's relative imports reach. */
function importedFolders(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const out: string[] = [];
  for (const m of text.matchAll(/from\s+'(\.{1,2}\/[^']+)'/g)) {
    const target = relative(SRC, join(file, '..', m[1]!));
    out.push(target.split('/')[0]!);
  }
  return out;
}

describe('the two edges', () => {
  it('http/ and web/ import neither each other; edge/ imports neither', () => {
    const crossings: string[] = [];
    for (const file of sources(SRC)) {
      const folder = relative(SRC, file).split('/')[0];
      const banned =
        folder === 'http' ? ['web'] : folder === 'web' ? ['http'] : folder === 'edge' ? ['http', 'web'] : [];
      for (const target of importedFolders(file))
        if (banned.includes(target)) crossings.push(`${relative(SRC, file)} imports ${target}/`);
    }
    assert.deepEqual(crossings, []);
  });

  it("every catalogue error carries its entry's name as its kind", () => {
    assert.equal(Errors.currentPasswordWrong().kind, 'currentPasswordWrong');
    assert.equal(Errors.invitationExpired().kind, 'invitationExpired');
    assert.equal(Errors.userNotFound('x').kind, 'userNotFound');
    assert.notEqual(Errors.invalidToken().kind, Errors.expiredToken().kind);
  });

  it('the policy maps failures by kind: a full hashing queue is busy, not a fault; the unknown is', () => {
    const busy = classify(new HasherBusyError());
    assert.ok(busy instanceof ZoomError);
    assert.equal(busy.kind, 'busy');
    assert.equal(busy.status, 503);
    assert.equal(isFault(busy), false);
    const unknown = classify(new Error('boom'));
    assert.ok(unknown instanceof ZoomError);
    assert.equal(unknown.kind, 'internal');
    assert.equal(isFault(unknown), true);
    const tooLong = classify(Object.assign(new Error('x'), { statusCode: 414 }));
    assert.ok(tooLong instanceof ZoomError);
    assert.deepEqual([tooLong.kind, tooLong.status, tooLong.code], ['malformed', 414, 300]);
  });
});
