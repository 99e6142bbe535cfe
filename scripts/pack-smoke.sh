#!/usr/bin/env bash
# The four packages as a user gets them: packed (prepack builds them), checked by publint and
# @arethetypeswrong/cli, installed from their tarballs into an empty project outside the
# workspace, `npx zpass serve` started there (on a store prepared with `zpass migrate` and
# `zpass admin`, so no demo account), and a password changed with the SDK from that project,
# loaded once with `import` and once with `require`.
#
# Usage: bash scripts/pack-smoke.sh   (NODE=/path/to/node to run the installed server and
# clients with another Node; npm installs with the Node it runs on.)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
node=${NODE:-node}
work=$(mktemp -d "${TMPDIR:-/tmp}/zpass-pack-smoke.XXXXXX")
server_pid=
cleanup() {
  # npx runs the server as its child: stop the whole process group it leads.
  if [ -n "$server_pid" ]; then kill -- "-$server_pid" 2>/dev/null || true; wait "$server_pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT
step() { printf '\n== %s\n' "$*" >&2; }

step "pack"
mkdir -p "$work/tarballs" "$work/project"
(cd "$root" && npm pack --silent -w @zpass/contract -w @zpass/policy -w @zpass/zoom-client -w zpass --pack-destination "$work/tarballs" >/dev/null)
ls "$work/tarballs"

step "publint and are-the-types-wrong"
for t in "$work"/tarballs/*.tgz; do
  (cd "$root" && npx --no-install publint run --strict "$t")
done
# The SDK is a dual package (ES modules and CommonJS); the server, the policy and the contract are ES modules
# only (Node >= 20.19 and 22.12 can require() them; the CLI is the main way to use zpass).
# node10 (TypeScript's legacy resolution) cannot see subpath exports such as ./webhooks.
(cd "$root" && npx --no-install attw --format ascii --profile node16 "$work"/tarballs/zpass-zoom-client-*.tgz)
(cd "$root" && npx --no-install attw --format ascii --profile esm-only "$work"/tarballs/zpass-policy-*.tgz)
(cd "$root" && npx --no-install attw --format ascii --profile esm-only "$work"/tarballs/zpass-contract-*.tgz)
(cd "$root" && npx --no-install attw --format ascii --profile esm-only "$work"/tarballs/zpass-[0-9]*.tgz)

step "install from the tarballs into $work/project"
cd "$work/project"
printf '{ "name": "zpass-pack-smoke", "private": true }\n' >package.json
npm install --no-audit --no-fund --loglevel=error "$work"/tarballs/*.tgz
bin="$work/project/node_modules/zpass/bin/zpass.js"
"$node" "$bin" --help >/dev/null

step "a store with one account (no demo account)"
"$node" "$bin" migrate --data ./data
account=$("$node" "$bin" admin create-account --owner-email owner@example.com --json --data ./data)
printf 'Smoke-Passw0rd!x\n' | "$node" "$bin" admin create-user --account "$("$node" -e 'console.log(JSON.parse(process.argv[1]).account_id)' "$account")" \
  --email jane@example.com --password-stdin --data ./data >/dev/null

step "npx zpass serve"
port=$("$node" -e 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})')
PATH="$(dirname "$(command -v "$node")"):$PATH" setsid npx --no-install zpass serve --port "$port" --data ./data >serve.log 2>serve.err &
server_pid=$!
for _ in $(seq 100); do
  if "$node" -e 'fetch(process.argv[1]).then(r=>process.exit(r.ok?0:1),()=>process.exit(1))' "http://127.0.0.1:$port/openapi.json"; then break; fi
  kill -0 "$server_pid" 2>/dev/null || { cat serve.log serve.err >&2; exit 1; }
  sleep 0.2
done
if grep -qi demo serve.log serve.err; then echo "the server created a demo account" >&2; exit 1; fi

step "the SDK: import (ES module) and require (CommonJS)"
export ZOOM_API_URL="http://127.0.0.1:$port/v2" ZOOM_OAUTH_URL="http://127.0.0.1:$port" ZPASS_SMOKE_ACCOUNT="$account"
cat >esm.mjs <<'JS'
import { ZoomBadRequestError, ZoomClient } from '@zpass/zoom-client';
const a = JSON.parse(process.env.ZPASS_SMOKE_ACCOUNT);
const zoom = new ZoomClient({
  accountId: a.account_id,
  clientId: a.app.client_id,
  clientSecret: a.app.client_secret,
});
await zoom.users.updatePassword('jane@example.com', 'Changed-Passw0rd!y');
// The server's own rules answer too: a weak password sent unchecked is refused.
try {
  await zoom.users.updatePassword('jane@example.com', 'password1', { check: false });
  throw new Error('a weak password was accepted');
} catch (err) {
  if (!(err instanceof ZoomBadRequestError)) throw err;
}
console.log('import: password changed, weak password refused');
JS
cat >cjs.cjs <<'JS'
const { ZoomClient, VERSION } = require('@zpass/zoom-client');
const a = JSON.parse(process.env.ZPASS_SMOKE_ACCOUNT);
const zoom = new ZoomClient({
  accountId: a.account_id,
  clientId: a.app.client_id,
  clientSecret: a.app.client_secret,
});
(async () => {
  await zoom.users.updatePassword('jane@example.com', 'Again-Changed-Passw0rd!z');
  const user = await zoom.users.get('jane@example.com');
  if (user.email !== 'jane@example.com') throw new Error(`unexpected user ${user.email}`);
  console.log(`require: password changed (SDK ${VERSION})`);
})().catch((err) => {
  console.error(err);
  process.exit(1);
});
JS
"$node" esm.mjs
"$node" cjs.cjs
echo "pack smoke: ok ($("$node" --version))" >&2
