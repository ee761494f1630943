# Sourced by .ci/run (after the packages are installed): starts PostgreSQL and exports
# DATABASE_URL for a fresh test database.
# Debian's cluster "main" (or $CLUE_PG_CLUSTER) of the newest installed version, started if it is not running, and a
# fresh test database whose URL the tests read (DATABASE_URL). Under CI=true the PostgreSQL tests
# fail rather than skip without it.
pg_version=$(ls /usr/lib/postgresql | sort -n | tail -1)
pg_cluster=${CLUE_PG_CLUSTER:-main}
if ! pg_lsclusters -h | awk -v v="$pg_version" -v c="$pg_cluster" '$1 == v && $2 == c { found = 1 } END { exit !found }'; then
  pg_createcluster "$pg_version" "$pg_cluster" >/dev/null
fi
if ! pg_lsclusters -h | awk -v v="$pg_version" -v c="$pg_cluster" '$1 == v && $2 == c && $4 == "online" { up = 1 } END { exit !up }'; then
  pg_ctlcluster "$pg_version" "$pg_cluster" start
fi
pg_port=$(pg_lsclusters -h | awk -v v="$pg_version" -v c="$pg_cluster" '$1 == v && $2 == c { print $3 }')
pg_psql() { runuser -u postgres -- psql -p "$pg_port" -v ON_ERROR_STOP=1 -qtA "$@"; }
for _ in $(seq 1 30); do pg_psql -c 'SELECT 1' >/dev/null 2>&1 && break; sleep 1; done
pg_password=$(head -c 18 /dev/urandom | base64 | tr -d '/+=')
if [ "$(pg_psql -c "SELECT 1 FROM pg_roles WHERE rolname = 'clue_ci'")" = 1 ]; then
  pg_psql -c "ALTER ROLE clue_ci LOGIN PASSWORD '$pg_password'"
else
  pg_psql -c "CREATE ROLE clue_ci LOGIN PASSWORD '$pg_password'"
fi
pg_psql -c 'DROP DATABASE IF EXISTS clue_test' -c 'CREATE DATABASE clue_test OWNER clue_ci'
export DATABASE_URL="postgres://clue_ci:${pg_password}@127.0.0.1:${pg_port}/clue_test"
echo "PostgreSQL $pg_version on port $pg_port, test database clue_test"
