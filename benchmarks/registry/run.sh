#!/usr/bin/env bash
# The registry's load benchmark (issue 11, "Performance"); README.md beside this script says what each
# figure means. For each provider (SQLite; PostgreSQL when JAILGRADE_TEST_PG is set, as .ci/run sets it):
#   1. seed once, through the service layer: 100,000 cases (50 labs, one case in ten with two labs,
#      one regulator scoped to all) and 1,000,000 events; the seed is kept as a snapshot (SQLite: a file;
#      PostgreSQL: a template database) and every run starts from a fresh copy of it;
#   2. start 'jailgrade serve' (published, ReadyToRun) on that copy, on loopback;
#   3. from a second process (RegistryLoad): 500 requests/s open loop of case pages and lists as the
#      parties, the most reads per second against the same server's /healthz, and writes per second.
# Usage: benchmarks/registry/run.sh [--quick] [--seed-only]
#   --quick: 2,000 cases, 20,000 events, short phases; --seed-only: make the missing snapshots, measure nothing
# Snapshots live in ${JAILGRADE_BENCH_SNAPSHOTS:-~/.cache/jailgrade-bench}; delete it to seed again.
set -euo pipefail
cd "$(dirname "$0")/../.."
cases=100000 events=1000000 seconds=30 max_seconds=15 warm_up=20 tag=full seed_only=
for arg in "$@"; do
  case "$arg" in
    --quick) cases=2000 events=20000 seconds=5 max_seconds=3 warm_up=5 tag=quick ;;
    --seed-only) seed_only=1 ;;
    *) echo "unknown argument '$arg'; usage: run.sh [--quick] [--seed-only]" >&2; exit 2 ;;
  esac
done
snapshots=${JAILGRADE_BENCH_SNAPSHOTS:-$HOME/.cache/jailgrade-bench}/$tag
work=$(mktemp -d)
server_pid=
cleanup() {
  if [ -n "$server_pid" ]; then kill "$server_pid" 2>/dev/null || true; wait "$server_pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

rid=$(dotnet --info | awk '/RID:/ {print $2; exit}')
echo "publishing jailgrade and RegistryLoad (Release, ReadyToRun)..." >&2
dotnet publish src/Jailgrade.Cli -c Release -r "$rid" --self-contained false -p:PublishReadyToRun=true -v q -nologo -o "$work/cli" >/dev/null
dotnet publish benchmarks/registry/RegistryLoad -c Release -r "$rid" --self-contained false -p:PublishReadyToRun=true -v q -nologo -o "$work/load" >/dev/null
cli="$work/cli/jailgrade"
loader="$work/load/RegistryLoad"

serve() { # $@: serve's database arguments; sets server_pid and url
  "$cli" serve "$@" --port 0 >"$work/serve.out" 2>"$work/serve.err" &
  server_pid=$!
  for _ in $(seq 1 600); do [ -s "$work/serve.out" ] && break; sleep 0.1; done
  url=$(head -1 "$work/serve.out")
  [ -n "$url" ] || { echo "the server did not start:" >&2; cat "$work/serve.err" >&2; exit 1; }
}

stop() {
  kill "$server_pid"; wait "$server_pid" 2>/dev/null || true; server_pid=
}

measure() { # $1 provider name, $2 keys file
  echo "== $1: $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg) before the run"
  "$loader" load --url "$url" --keys "$2" --rate 500 --seconds "$seconds" --max-seconds "$max_seconds" --warm-up "$warm_up"
}

# --- SQLite ---------------------------------------------------------------------------------------
snap="$snapshots/sqlite"
if [ ! -f "$snap/done" ]; then
  rm -rf "$snap"; mkdir -p "$snap"
  echo "seeding SQLite ($cases cases, $events events); this is done once..." >&2
  mkdir -p "$snap/data"; "$loader" seed --db "$snap/data/jailgrade.db" --out "$snap" --cases "$cases" --events "$events"
  touch "$snap/done"
fi
if [ -z "$seed_only" ]; then
  mkdir -p "$work/sqlite"
  sqlite3 "$snap/data/jailgrade.db" ".backup '$work/sqlite/jailgrade.db'"
  serve --db "$work/sqlite/jailgrade.db" --master-key-file "$snap/keys/master.key"
  measure "SQLite" "$snap/keys.tsv"
  stop
fi

# --- PostgreSQL -----------------------------------------------------------------------------------
if [ -z "${JAILGRADE_TEST_PG:-}" ]; then
  echo "== PostgreSQL: skipped (set JAILGRADE_TEST_PG, JAILGRADE_TEST_PG_PASSWORD, JAILGRADE_TEST_PG_APP_USER and JAILGRADE_TEST_PG_APP_PASSWORD as .ci/run does)"
  exit 0
fi
owner="$JAILGRADE_TEST_PG"
on_db() { printf '%s' "$owner" | sed "s/Database=[^;]*/Database=$1/"; }
psql_owner() { # runs SQL ($1) as the owner role on the maintenance database, or on database $2
  local host port user
  host=$(printf '%s' "$owner" | sed -n 's/.*Host=\([^;]*\).*/\1/p'); port=$(printf '%s' "$owner" | sed -n 's/.*Port=\([^;]*\).*/\1/p')
  user=$(printf '%s' "$owner" | sed -n 's/.*Username=\([^;]*\).*/\1/p')
  PGPASSWORD="$JAILGRADE_TEST_PG_PASSWORD" psql -h "$host" -p "${port:-5432}" -U "$user" -d "${2:-postgres}" -q -v ON_ERROR_STOP=1 -c "$1"
}
snap="$snapshots/postgres"
seed_db="jg_bench_seed_$tag"
if [ ! -f "$snap/done" ]; then
  rm -rf "$snap"; mkdir -p "$snap"
  psql_owner "DROP DATABASE IF EXISTS $seed_db"
  psql_owner "CREATE DATABASE $seed_db"
  echo "seeding PostgreSQL ($cases cases, $events events); this is done once..." >&2
  JAILGRADE_DB_PASSWORD="$JAILGRADE_TEST_PG_PASSWORD" "$loader" seed --db "$(on_db "$seed_db")" --out "$snap" --cases "$cases" --events "$events"
  touch "$snap/done"
fi
[ -z "$seed_only" ] || exit 0
run_db="jg_bench_run_$tag"
psql_owner "DROP DATABASE IF EXISTS $run_db"
psql_owner "CREATE DATABASE $run_db TEMPLATE $seed_db"
app=$(on_db "$run_db" | sed "s/Username=[^;]*/Username=$JAILGRADE_TEST_PG_APP_USER/")
JAILGRADE_DB_PASSWORD="$JAILGRADE_TEST_PG_APP_PASSWORD" JAILGRADE_MIGRATE_DB_PASSWORD="$JAILGRADE_TEST_PG_PASSWORD" \
  serve --db "$app" --migrate-db "$(on_db "$run_db")" --master-key-file "$snap/keys/master.key"
# The copy was just migrated (a migration may rewrite a table): statistics and the visibility map as
# autovacuum would leave them soon after, rather than autovacuum working during the measurement.
PGOPTIONS='-c client_min_messages=error' psql_owner "VACUUM (ANALYZE)" "$run_db"
measure "PostgreSQL" "$snap/keys.tsv"
stop
psql_owner "DROP DATABASE IF EXISTS $run_db"
