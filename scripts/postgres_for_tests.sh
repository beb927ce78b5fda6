#!/usr/bin/env bash
# Print a PostgreSQL URL for the test suite, starting Debian's local cluster when we can.
# Prints nothing (exit 0) when no PostgreSQL server is available: the suite then runs on SQLite only.
set -u
if [ -n "${TEST_DATABASE_URL:-}" ]; then echo "$TEST_DATABASE_URL"; exit 0; fi
command -v pg_lsclusters >/dev/null 2>&1 || exit 0
[ "$(id -u)" = 0 ] || { pg_isready -q -h localhost && echo "postgresql://localhost/postgres"; exit 0; }
cluster=$(pg_lsclusters --no-header 2>/dev/null | head -n 1)
[ -n "$cluster" ] || exit 0
read -r ver name port status _ <<<"$cluster"
if [ "$status" != "online" ]; then pg_ctlcluster "$ver" "$name" start >/dev/null 2>&1 || exit 0; fi
for _ in $(seq 1 30); do pg_isready -q -h localhost -p "$port" && break; sleep 0.5; done
# A local, test-only role; the password never leaves this machine.
runuser -u postgres -- psql -q -p "$port" -v ON_ERROR_STOP=1 >/dev/null 2>&1 <<SQL
DO \$\$BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'rightresponse') THEN
    CREATE ROLE rightresponse LOGIN CREATEDB PASSWORD 'rightresponse';
  END IF;
END\$\$;
SELECT 'CREATE DATABASE rightresponse OWNER rightresponse'
  WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = 'rightresponse')\gexec
SQL
echo "postgresql://rightresponse:rightresponse@localhost:$port/rightresponse"
