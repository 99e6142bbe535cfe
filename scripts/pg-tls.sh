#!/usr/bin/env bash
# A second local PostgreSQL cluster that accepts TLS connections only, with a private CA, for
# the tests of `DATABASE_URL=...?sslmode=verify-full&sslrootcert=...` (test/pg-tls.test.ts).
# Prints the CA file's path; the cluster listens on 127.0.0.1:${PG_TLS_PORT:-5434}.
# Needs root and the Debian postgresql-common tools (pg_createcluster), as on the CI machine.
set -euo pipefail
port=${PG_TLS_PORT:-5434}
dir=${PG_TLS_DIR:-/tmp/zpass-pg-tls}
version=$(ls /etc/postgresql | sort -n | tail -n1)
mkdir -p "$dir"
if [ ! -f "$dir/ca.pem" ]; then
  openssl req -x509 -newkey rsa:2048 -nodes -days 30 -subj '/CN=zpass test CA' \
    -keyout "$dir/ca.key" -out "$dir/ca.pem" 2>/dev/null
  openssl req -newkey rsa:2048 -nodes -subj '/CN=localhost' -keyout "$dir/server.key" -out "$dir/server.csr" 2>/dev/null
  printf 'subjectAltName=DNS:localhost,IP:127.0.0.1\n' >"$dir/san.ext"
  openssl x509 -req -in "$dir/server.csr" -CA "$dir/ca.pem" -CAkey "$dir/ca.key" -CAcreateserial \
    -days 30 -extfile "$dir/san.ext" -out "$dir/server.pem" 2>/dev/null
  # Another CA, which did not sign the server's certificate: verification must fail with it.
  openssl req -x509 -newkey rsa:2048 -nodes -days 30 -subj '/CN=another CA' \
    -keyout "$dir/other-ca.key" -out "$dir/other-ca.pem" 2>/dev/null
  chown postgres:postgres "$dir/server.key" "$dir/server.pem"
  chmod 600 "$dir/server.key"
  chmod 644 "$dir/ca.pem" "$dir/other-ca.pem"
fi
if ! pg_lsclusters -h | awk '{print $2}' | grep -qx tls; then
  pg_createcluster "$version" tls -p "$port" >/dev/null
  conf=/etc/postgresql/$version/tls
  {
    echo "ssl = on"
    echo "ssl_cert_file = '$dir/server.pem'"
    echo "ssl_key_file = '$dir/server.key'"
    echo "listen_addresses = '127.0.0.1'"
  } >>"$conf/postgresql.conf"
  # TLS only: a plain connection is refused.
  printf 'local all postgres peer\nhostssl all all 127.0.0.1/32 trust\nhostnossl all all 127.0.0.1/32 reject\n' >"$conf/pg_hba.conf"
fi
pg_ctlcluster --skip-systemctl-redirect "$version" tls start >/dev/null 2>&1 || true
for _ in $(seq 30); do pg_isready -h 127.0.0.1 -p "$port" -q && break; sleep 1; done
pg_isready -h 127.0.0.1 -p "$port" >&2
# The cluster serves these tests only: each run starts from an empty database, whatever an
# earlier run (of this or another version of zpass) left in it.
runuser -u postgres -- psql -q -p "$port" -d postgres -c 'drop schema if exists public cascade' \
  -c 'create schema public' >&2
echo "$dir/ca.pem"
