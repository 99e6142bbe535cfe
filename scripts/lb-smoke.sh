#!/usr/bin/env bash
# Two zpass servers on one PostgreSQL database behind nginx (deploy/nginx.conf):
# fetches a token and changes passwords through the balancer, and checks that both
# servers answered and that every change was recorded once.
# Needs: nginx (installed with apt-get when missing and running as root), PostgreSQL
# at ZPASS_TEST_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/postgres), a built tree (npm ci).
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v nginx >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ]; then
    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nginx-light) >/dev/null
  else
    echo "lb-smoke: nginx is not installed" >&2
    exit 1
  fi
fi
NGINX=$(command -v nginx || echo /usr/sbin/nginx)

ADMIN_URL=${ZPASS_TEST_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/postgres}
DB=zpass_lb_$$
WORK=$(mktemp -d)
PIDS=()
cleanup() {
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
  [ -f "$WORK/nginx/nginx.pid" ] && kill "$(cat "$WORK/nginx/nginx.pid")" 2>/dev/null || true
  wait 2>/dev/null || true
  psql "$ADMIN_URL" -qc "drop database if exists $DB with (force)" >/dev/null 2>&1 || true
  rm -rf "$WORK"
}
trap cleanup EXIT

free_port() { node -e 'const s=require("net").createServer();s.listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})'; }

psql "$ADMIN_URL" -qc "create database $DB" >/dev/null
DATABASE_URL=$(node -e 'const u=new URL(process.argv[1]);u.pathname="/"+process.argv[2];console.log(u.toString())' "$ADMIN_URL" "$DB")
# nginx connects from 127.0.0.1: believe X-Forwarded-For from it only.
export DATABASE_URL ZPASS_LOG_LEVEL=warn ZPASS_TRUST_PROXY=127.0.0.1 ZPASS_DEMO=1

PORT_A=$(free_port); PORT_B=$(free_port); LB_PORT=$(free_port)
node packages/zpass/bin/zpass.js migrate >/dev/null
node packages/zpass/bin/zpass.js serve --port "$PORT_A" --data "$WORK/a" >"$WORK/a.log" 2>&1 & PIDS+=($!)
node packages/zpass/bin/zpass.js serve --port "$PORT_B" --data "$WORK/b" >"$WORK/b.log" 2>&1 & PIDS+=($!)
for port in "$PORT_A" "$PORT_B"; do
  for _ in $(seq 100); do curl -sf "http://127.0.0.1:$port/openapi.json" >/dev/null && break; sleep 0.1; done
done

mkdir -p "$WORK/nginx"
sed -e "s#__PREFIX__#$WORK/nginx#g" -e "s#__PORT_A__#$PORT_A#" -e "s#__PORT_B__#$PORT_B#" -e "s#__LB_PORT__#$LB_PORT#" \
  deploy/nginx.conf >"$WORK/nginx/nginx.conf"
"$NGINX" -p "$WORK/nginx" -c "$WORK/nginx/nginx.conf"
for _ in $(seq 50); do curl -s "http://127.0.0.1:$LB_PORT/" >/dev/null && break; sleep 0.1; done

# Exactly one of the two servers created the demo account.
CREDS=$(cat $(ls "$WORK"/a/demo-credentials.json "$WORK"/b/demo-credentials.json 2>/dev/null))
ACCOUNT=$(node -pe 'JSON.parse(require("fs").readFileSync(0)).account_id' <<<"$CREDS")
CLIENT=$(node -pe 'JSON.parse(require("fs").readFileSync(0)).client_id' <<<"$CREDS")
SECRET=$(node -pe 'JSON.parse(require("fs").readFileSync(0)).client_secret' <<<"$CREDS")
MEMBER=$(node -pe 'JSON.parse(require("fs").readFileSync(0)).member.id' <<<"$CREDS")

LB="http://127.0.0.1:$LB_PORT"
TOKEN=$(curl -sf -X POST -u "$CLIENT:$SECRET" "$LB/oauth/token?grant_type=account_credentials&account_id=$ACCOUNT" |
  node -pe 'JSON.parse(require("fs").readFileSync(0)).access_token')

ok=0
for i in 1 2 3 4 5; do
  code=$(curl -s -o /dev/null -w '%{http_code}' -X PUT -H "Authorization: Bearer $TOKEN" \
    --form "password=Through-Nginx-$i" "$LB/v2/users/$MEMBER/password")
  [ "$code" = 204 ] && ok=$((ok + 1))
done
for i in $(seq 10); do curl -sf -H "Authorization: Bearer $TOKEN" "$LB/v2/users/me" >/dev/null; done
capped=$(curl -s -X PUT -H "Authorization: Bearer $TOKEN" --form "password=Through-Nginx-6" "$LB/v2/users/$MEMBER/password")

fail=0
[ "$ok" = 5 ] || { echo "lb-smoke: expected 5 accepted changes, got $ok" >&2; fail=1; }
grep -q '"code":300' <<<"$capped" || { echo "lb-smoke: the sixth change was not refused: $capped" >&2; fail=1; }
changes=$(psql "$DATABASE_URL" -Atc "select count(*) from password_changes where user_id = '$MEMBER'")
mails=$(psql "$DATABASE_URL" -Atc "select count(*) from outbox where recipient = (select email from users where id = '$MEMBER')")
[ "$changes" = 5 ] && [ "$mails" = 5 ] || { echo "lb-smoke: change log $changes rows, outbox $mails rows (want 5 and 5)" >&2; fail=1; }
for port in "$PORT_A" "$PORT_B"; do
  n=$(grep -c "upstream=127.0.0.1:$port" "$WORK/nginx/access.log" || true)
  echo "lb-smoke: server on port $port answered $n requests"
  [ "$n" -gt 0 ] || { echo "lb-smoke: the server on port $port answered nothing" >&2; fail=1; }
done
if [ "$fail" = 0 ]; then echo "lb-smoke: OK"; else echo "lb-smoke: FAILED" >&2; exit 1; fi
