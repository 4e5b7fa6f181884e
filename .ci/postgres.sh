#!/usr/bin/env bash
# Starts Debian's PostgreSQL (installing it when missing), makes a `fedistill` role and database,
# and prints the JDBC URL the tests read from FEDISTILL_TEST_POSTGRES_URL. Needs root.
set -euo pipefail
if ! command -v pg_ctlcluster >/dev/null 2>&1; then
  apt-get update -qq >&2 && apt-get install -y -qq postgresql >&2
fi
version=$(ls /usr/lib/postgresql | sort -n | tail -1)
if ! pg_lsclusters -h | grep -q "^$version main"; then
  pg_createcluster "$version" main >&2
fi
pg_ctlcluster "$version" main start >&2 2>/dev/null || true
for _ in $(seq 1 30); do
  pg_isready -q -h 127.0.0.1 -p 5432 && break
  sleep 1
done
password=fedistill-ci
su postgres -c "psql -q -v ON_ERROR_STOP=1" >&2 <<SQL
DO \$\$ BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'fedistill') THEN
    CREATE ROLE fedistill LOGIN PASSWORD '$password';
  END IF;
END \$\$;
SQL
if ! su postgres -c "psql -tAc \"SELECT 1 FROM pg_database WHERE datname = 'fedistill'\"" | grep -q 1; then
  su postgres -c "createdb -O fedistill fedistill" >&2
fi
echo "jdbc:postgresql://127.0.0.1:5432/fedistill?user=fedistill&password=$password"
