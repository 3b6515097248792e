#!/usr/bin/env bash
# Compares Lifeboat's PostgreSQL logical backups with pg_dump-based pipelines and restic.
#
# Data: a pgbench database of scale 100 (~1.5 GB on disk) plus a table `blobs` of ~350 MB of poorly
# compressible data (random bytea, hex text of random bytes, jsonb with random values), generated
# deterministically (fixed seed). It is built once into a template database `benchbase` in a
# dedicated cluster under $BENCH_WORK/pg, which is kept between runs (building takes minutes); every
# run copies it into a fresh database `bench` (CREATE DATABASE ... TEMPLATE benchbase).
#
# The cluster is started with settings suited to a benchmark: fsync=off, max_wal_size=4GB,
# shared_buffers=512MB, wal_level=replica, autovacuum=off (so no background vacuum/analyze of restored
# tables runs during later steps), TCP on 127.0.0.1:$BENCH_PG_PORT and its unix socket in the work
# dir; it runs as the `postgres` OS user (initdb refuses root) and clients connect over TCP as
# superuser postgres with trust auth. It is stopped on exit.
#
# Steps, each timed (wall time and peak RSS via /usr/bin/time -f '%e %M'):
#   floor    backup   pg_dump -Fc -Z0 bench > /dev/null  (the time PostgreSQL needs to hand out the data)
#   seed     backup   pg_dump -Fc bench | openssl enc -aes-256-cbc -pbkdf2 > seed.dump.enc
#            restore  openssl enc -d ... < seed.dump.enc | pg_restore -d restore_seed
#   dirdump  backup   pg_dump -Fd --jobs 2 -f dir bench
#            restore  pg_restore --jobs 2 -d restore_dir dir
#   restic   backup   pg_dump bench | restic backup --stdin --stdin-filename bench.sql  (fresh repository)
#            restore  restic dump latest /bench.sql | psql -d restore_restic
#   lifeboat backup   lifeboat pg backup --db postgresql://postgres@127.0.0.1:PORT/bench --jobs 2
#            restore  lifeboat pg restore latest --db .../restore_lb --jobs 2 (creates the database itself)
# All first backups run, then all restores (from those first backups); each restored database is
# checked against the row counts of the five tables taken from `bench` before the backups (OK /
# MISMATCH), then dropped. Both run in rounds, the tools taking turns in each, and the median round
# is the tool's time (rows backup.r1, restore.r1, ... hold every round): the same step varies by
# 10-15% from one run to the next on a small shared VM, so one sample per tool decided a target that
# is met by a few percent either way. The first backups run $BENCH_BACKUP_ROUNDS times, each into a
# fresh dump or repository; the last round's are the ones restored and backed up again. The restores
# run $BENCH_RESTORE_ROUNDS times. Then
# `pgbench -c 2 -j 2 -T $BENCH_PGBENCH_SECONDS bench` runs and the second backups follow: seed (full
# size of the new encrypted dump, for reference), restic and Lifeboat (size added to the repository =
# size after - size before).
#
# Measuring: every step runs as `/usr/bin/time bash -o pipefail -c '...'`; for pipelines the peak
# RSS (%M) is that of the largest single process of the pipeline, not the sum. The PostgreSQL
# server's own memory and CPU are not included. Before every timed step `sync` and a CHECKPOINT run,
# and the data the step reads (the database's files, or the dump/repository for restores) is read
# once, so every step starts from a warm page cache. For seed/dirdump/restic the target database is
# created (untimed) before the restore; Lifeboat's restore creates it itself (timed).
#
# Environment:
#   LIFEBOAT_CMD   command that runs Lifeboat (default: the ./lifeboat launcher); may hold
#                  several words, e.g. "java -XX:+UseSerialGC -Xmx1g -jar /tmp/bench-lifeboat.jar"
#   BENCH_TOOLS    tools to run, space or comma separated (default: "floor seed dirdump restic lifeboat")
#   BENCH_WORK     work directory (default: bench/work; this script uses $BENCH_WORK/pg (the cluster,
#                  kept), $BENCH_WORK/pgrun (dumps and repositories), $BENCH_WORK/logs/pg and
#                  $BENCH_WORK/results)
#   BENCH_PG_PORT  TCP port of the bench cluster (default: 55499)
#   BENCH_PG_BIN   PostgreSQL binaries (default: /usr/lib/postgresql/15/bin)
#   BENCH_PG_SCALE pgbench scale of the base data (default: 100)
#   BENCH_BLOB_ROWS rows of the `blobs` table (default: 115000: 360 MB = 343 MiB with its TOAST table and index)
#   BENCH_PGBENCH_SECONDS  duration of the pgbench run between the first and second backups (default: 60)
#   BENCH_BACKUP_ROUNDS   rounds of first backups (default: 3); each tool's backup time is its median
#   BENCH_RESTORE_ROUNDS  rounds of restores (default: 5); each tool's restore time is its median
#   BENCH_THREADS  if set, passed as --threads to Lifeboat
#   BENCH_REBUILD=1  rebuild the template database even if it exists
#   BENCH_KEEP_RESTORES=1  keep the restored databases (default: dropped after verification)
#   LIFEBOAT_KDF   read by `lifeboat init` itself (default: Lifeboat's own default)
#
# Results: a table and ratios on stdout; raw results in $BENCH_WORK/results/pg-<stamp>.{csv,json}
# (and pg-latest.{csv,json}); per-step logs in $BENCH_WORK/logs/pg/.
set -euo pipefail

BENCH_DIR="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")" && pwd)"
# shellcheck source=bench/lib.sh
. "$BENCH_DIR/lib.sh"
ROOT="$(dirname "$BENCH_DIR")"
WORK="${BENCH_WORK:-$BENCH_DIR/work}"
WORK="$(mkdir -p "$WORK" && cd "$WORK" && pwd)"
LIFEBOAT_CMD="${LIFEBOAT_CMD:-$ROOT/lifeboat}"
read -ra LB <<< "$LIFEBOAT_CMD"
TOOLS=(${BENCH_TOOLS:-floor seed dirdump restic lifeboat})
TOOLS=(${TOOLS[@]//,/ })
PGBIN="${BENCH_PG_BIN:-/usr/lib/postgresql/15/bin}"
PORT="${BENCH_PG_PORT:-55499}"
SCALE="${BENCH_PG_SCALE:-100}"
BLOB_ROWS="${BENCH_BLOB_ROWS:-115000}"
PGBENCH_SECONDS="${BENCH_PGBENCH_SECONDS:-60}"
RESTORE_ROUNDS="${BENCH_RESTORE_ROUNDS:-5}"
[[ "$RESTORE_ROUNDS" =~ ^[1-9][0-9]*$ ]] || { echo "BENCH_RESTORE_ROUNDS must be a positive number" >&2; exit 2; }
BACKUP_ROUNDS="${BENCH_BACKUP_ROUNDS:-3}"
[[ "$BACKUP_ROUNDS" =~ ^[1-9][0-9]*$ ]] || { echo "BENCH_BACKUP_ROUNDS must be a positive number" >&2; exit 2; }
PASS="bench-passphrase-not-secret"
CLUSTER="$WORK/pg"
PGDATA_DIR="$CLUSTER/data"
SOCK="$CLUSTER/sock"
RUN="$WORK/pgrun"
LOGS="$WORK/logs/pg"
TABLES=(pgbench_accounts pgbench_branches pgbench_tellers pgbench_history blobs)
# The base data's description; a template built with other parameters is rebuilt.
MARKER="lifeboat bench base v1: pgbench scale $SCALE, blobs $BLOB_ROWS rows"


for t in "${TOOLS[@]}"; do
  case "$t" in floor|seed|dirdump|restic|lifeboat) ;;
    *) die "unknown tool '$t' in BENCH_TOOLS (floor, seed, dirdump, restic, lifeboat)";; esac
done
case "$WORK" in *[[:space:]\'\"]*) die "BENCH_WORK must not contain spaces or quotes: $WORK";; esac

# ---------------------------------------------------------------- prerequisites
install_missing() {
  local pkgs=()
  has_tool restic && ! command -v restic >/dev/null && pkgs+=(restic)
  [ -x "$PGBIN/pg_ctl" ] || pkgs+=(postgresql-15)
  command -v openssl >/dev/null || pkgs+=(openssl)
  command -v python3 >/dev/null || pkgs+=(python3)
  [ -x /usr/bin/time ] || pkgs+=(time)
  apt_install ${pkgs[@]+"${pkgs[@]}"}
  id postgres >/dev/null 2>&1 || die "no 'postgres' OS user to run the server as"
}

# ---------------------------------------------------------------- the cluster
pg_client_env "$PORT"
SERVER_UP=0

stop_server() {
  if [ -f "$PGDATA_DIR/postmaster.pid" ] && as_pg "$PGBIN/pg_ctl" -D "$PGDATA_DIR" status >/dev/null 2>&1; then
    log "stopping the bench cluster"
    as_pg "$PGBIN/pg_ctl" -D "$PGDATA_DIR" -m fast -w -t 120 stop >/dev/null || true
  fi
  SERVER_UP=0
}
trap stop_server EXIT
trap 'exit 130' INT TERM


init_cluster() {
  if [ -f "$PGDATA_DIR/PG_VERSION" ]; then
    [ "$(cat "$PGDATA_DIR/PG_VERSION")" = "$("$PGBIN/postgres" -V | grep -oE '[0-9]+' | head -n1)" ] \
      || die "$PGDATA_DIR belongs to another PostgreSQL version; remove $CLUSTER"
    return
  fi
  log "creating the bench cluster in $PGDATA_DIR"
  rm -rf "$CLUSTER"
  mkdir -p "$CLUSTER" "$SOCK"
  chown -R postgres: "$CLUSTER"
  as_pg "$PGBIN/initdb" -D "$PGDATA_DIR" -U postgres -A trust -E UTF8 --locale=C.UTF-8 \
    > "$LOGS/initdb.log" 2>&1 || { cat "$LOGS/initdb.log" >&2; die "initdb failed"; }
}

# start_server [NICE]: starts the cluster, niced if NICE is given (used while building the data).
start_server() {
  local nice=${1:-0}
  # A server left over by an interrupted run.
  stop_server
  port_free "$PORT" || die "port $PORT is in use (set BENCH_PG_PORT)"
  mkdir -p "$SOCK"; chown postgres: "$SOCK"
  log "starting the bench cluster on 127.0.0.1:$PORT (nice $nice)"
  nice -n "$nice" runuser -u postgres -- env -C / "$PGBIN/pg_ctl" -D "$PGDATA_DIR" -l "$CLUSTER/server.log" -w -t 300 \
    -o "-p $PORT -k '$SOCK' -c listen_addresses=127.0.0.1 -c fsync=off -c max_wal_size=4GB \
        -c shared_buffers=512MB -c wal_level=replica -c autovacuum=off" start > "$LOGS/pg_ctl-start.log" 2>&1 \
    || { tail -n 30 "$CLUSTER/server.log" >&2; die "the bench cluster did not start"; }
  SERVER_UP=1
}

checkpoint() { sql -d postgres -c CHECKPOINT; }
before_measure() { checkpoint; }   # lib.sh's measure runs it before every timed step
drop_db() { sql -d postgres -c "DROP DATABASE IF EXISTS \"$1\" WITH (FORCE)"; }
db_oid() { sql -d postgres -c "SELECT oid FROM pg_database WHERE datname = '$1'"; }

base_ok() {
  [ "${BENCH_REBUILD:-0}" = 1 ] && return 1
  [ "$(sql -d postgres -c "SELECT shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = 'benchbase'")" = "$MARKER" ]
}

build_base() {
  local t0=$SECONDS
  log "building the template database benchbase ($MARKER); this takes minutes"
  drop_db benchbase
  sql -d postgres -c "CREATE DATABASE benchbase"
  log "pgbench -i -s $SCALE"
  nice -n 10 pgbench -i -q -s "$SCALE" benchbase > "$LOGS/build-pgbench-init.log" 2>&1 \
    || { tail -n 20 "$LOGS/build-pgbench-init.log" >&2; die "pgbench -i failed"; }
  log "filling blobs with $BLOB_ROWS rows"
  sql -d benchbase -c "CREATE TABLE blobs (id bigint NOT NULL, b bytea, h text, j jsonb)"
  nice -n 10 python3 -c "$BLOB_GEN" "$BLOB_ROWS" | nice -n 10 psql -X -v ON_ERROR_STOP=1 -q -d benchbase \
    -c "COPY blobs FROM STDIN" > "$LOGS/build-blobs.log" 2>&1 || { cat "$LOGS/build-blobs.log" >&2; die "filling blobs failed"; }
  sql -d benchbase -c "ALTER TABLE blobs ADD PRIMARY KEY (id)"
  log "VACUUM (FREEZE, ANALYZE)"
  sql -d benchbase -c "VACUUM (FREEZE, ANALYZE)"
  sql -d postgres -c "COMMENT ON DATABASE benchbase IS '$MARKER'"
  checkpoint
  BUILD_SECONDS=$((SECONDS - t0))
  log "benchbase built in $BUILD_SECONDS s"
}

# Row counts of the five tables, one line "table=count ...".
row_counts() {
  local q="SELECT concat_ws(' '" t
  for t in "${TABLES[@]}"; do q+=", '$t=' || (SELECT count(*) FROM $t)"; done
  { sql -d "$1" -c "$q)" 2>&1 || true; } | tr '\n' ' ' | sed 's/ $//'
}

warm_db() { warm "$PGDATA_DIR/base/$(db_oid "$1")"; }

# ---------------------------------------------------------------- measuring



url_of() { echo "postgresql://postgres@127.0.0.1:$PORT/$1"; }
lb_threads() { [ -n "${BENCH_THREADS:-}" ] && echo " --threads=$BENCH_THREADS"; return 0; }
LBQ=""   # Lifeboat's command, shell-quoted for the measured command lines

tool_env() {
  export LIFEBOAT_PASSWORD="$PASS" RESTIC_PASSWORD="$PASS"
  export RESTIC_CACHE_DIR="$RUN/cache/restic"
  export LIFEBOAT_NO_PROGRESS=1
  unset LIFEBOAT_REPOSITORY RESTIC_REPOSITORY
  local w; for w in "${LB[@]}"; do LBQ+="$(q "$w") "; done
}

# fresh_repo TOOL: an empty repository for a round of first backups (restic's cache with it).
fresh_repo() {
  case "$1" in
    restic)   rm -rf "$RUN/repos/restic" "$RUN/cache/restic" ;;
    lifeboat) rm -rf "$RUN/repos/lifeboat" ;;
    *) return 0 ;;
  esac
  init_repo "$1"
}

init_repo() {
  case "$1" in
    restic)   restic init -q -r "$RUN/repos/restic" ;;
    lifeboat) "${LB[@]}" init -q -r "$RUN/repos/lifeboat" ;;
    *) return 0 ;;
  esac > "$LOGS/$1-init.log" 2>&1 || { cat "$LOGS/$1-init.log" >&2; die "$1 init failed"; }
}

ENC="openssl enc -aes-256-cbc -pbkdf2 -pass pass:$PASS"

# backup TOOL STEP: first (backup) or second (backup2) backup of `bench`.
run_backup() {
  local tool=$1 step=$2 before=0
  warm_db bench
  case "$tool" in
    floor)    measure floor "$step" "" "pg_dump -Fc -Z0 bench > /dev/null" ;;
    seed)     local f="$RUN/seed.dump.enc"; [ "$step" = backup2 ] && f="$RUN/seed2.dump.enc"
              measure seed "$step" "$f" "pg_dump -Fc bench | $ENC > $(q "$f")" ;;
    dirdump)  rm -rf "$RUN/dir"
              measure dirdump "$step" "$RUN/dir" "pg_dump -Fd --jobs 2 -f $(q "$RUN/dir") bench" ;;
    restic)   before=$(dusize "$RUN/repos/restic")
              measure restic "$step" "$RUN/repos/restic" \
                "pg_dump bench | restic -r $(q "$RUN/repos/restic") backup -q --stdin --stdin-filename bench.sql" ;;
    lifeboat) before=$(dusize "$RUN/repos/lifeboat")
              measure lifeboat "$step" "$RUN/repos/lifeboat" \
                "${LBQ}pg backup -q -r $(q "$RUN/repos/lifeboat")$(lb_threads) --db $(url_of bench) --jobs 2" ;;
  esac
  case "$tool" in
    restic|lifeboat) [ -n "${SIZE[$tool,$step]}" ] && ADDED[$tool,$step]=$((SIZE[$tool,$step] - before)) ;;
  esac
  return 0
}

# restore TOOL ROUND: restores the first backup into a new database and compares its row counts.
run_restore() {
  local tool=$1 step=restore.r$2 db
  case "$tool" in seed) db=restore_seed;; dirdump) db=restore_dir;; restic) db=restore_restic;; lifeboat) db=restore_lb;; *) return 0;; esac
  drop_db "$db"
  case "$tool" in
    seed)     warm "$RUN/seed.dump.enc"; sql -d postgres -c "CREATE DATABASE $db"
              measure seed "$step" "" "openssl enc -d -aes-256-cbc -pbkdf2 -pass pass:$PASS < $(q "$RUN/seed.dump.enc") | pg_restore -d $db" ;;
    dirdump)  warm "$RUN/dir"; sql -d postgres -c "CREATE DATABASE $db"
              measure dirdump "$step" "" "pg_restore --jobs 2 -d $db $(q "$RUN/dir")" ;;
    restic)   warm "$RUN/repos/restic"; sql -d postgres -c "CREATE DATABASE $db"
              measure restic "$step" "" "restic -r $(q "$RUN/repos/restic") dump -q latest /bench.sql | psql -X -q -v ON_ERROR_STOP=1 -d $db > /dev/null" ;;
    lifeboat) warm "$RUN/repos/lifeboat"
              measure lifeboat "$step" "" "${LBQ}pg restore -q -r $(q "$RUN/repos/lifeboat")$(lb_threads) latest --db $(url_of $db) --jobs 2" ;;
    *) return 0 ;;
  esac
  local got; got=$(row_counts "$db")
  echo "$got" > "$LOGS/$tool-$step.counts"
  if [ "$got" = "$COUNTS" ]; then
    CHECK[$tool,$step]="OK"
  else
    CHECK[$tool,$step]="MISMATCH"
    FAILED+=("$tool $step: row counts differ: got '$got', expected '$COUNTS'")
  fi
  log "$tool $step check: ${CHECK[$tool,$step]} ($got)"
  [ "${BENCH_KEEP_RESTORES:-0}" = 1 ] || drop_db "$db"
}

# median_row TOOL STEP ROUNDS: the row "TOOL STEP" from the rounds STEP.r1..STEP.rROUNDS: median time
# (of an even number, the mean of the middle two), largest RSS, the last round's size, and failed if
# any round failed or (restores) restored the wrong rows.
median_row() {
  local tool=$1 step=$2 rounds=$3 r walls="" rc=0 rss=0 check=OK
  for ((r = 1; r <= rounds; r++)); do
    walls+="${WALL[$tool,$step.r$r]} "
    [ "${RC[$tool,$step.r$r]}" = 0 ] || rc=${RC[$tool,$step.r$r]}
    [ "${CHECK[$tool,$step.r$r]:-OK}" = OK ] || check=MISMATCH
    [ "${RSS[$tool,$step.r$r]:-0}" -gt "$rss" ] && rss=${RSS[$tool,$step.r$r]}
  done
  WALL[$tool,$step]=$(echo "$walls" | tr ' ' '\n' | grep . | sort -n | awk '{v[NR] = $1} END {
    if (NR % 2) print v[(NR + 1) / 2]; else printf "%.2f\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }')
  RSS[$tool,$step]=$rss; SIZE[$tool,$step]=${SIZE[$tool,$step.r$rounds]:-}; RC[$tool,$step]=$rc
  [ -n "${ADDED[$tool,$step.r$rounds]:-}" ] && ADDED[$tool,$step]=${ADDED[$tool,$step.r$rounds]}
  [ "$step" = restore ] && CHECK[$tool,$step]=$check
  ROWS+=("$tool $step")
  log "$tool $step: median ${WALL[$tool,$step]} s of rounds: $walls"
}

# ---------------------------------------------------------------- main
install_missing
STAMP=$(date -u +%Y%m%dT%H%M%SZ)
rm -rf "$RUN" "$LOGS"
mkdir -p "$RUN/repos" "$RUN/cache" "$LOGS" "$WORK/results"
tool_env

BUILD_SECONDS=""
init_cluster
start_server
if base_ok; then
  log "reusing the template database benchbase ($MARKER)"
else
  stop_server
  start_server 10
  build_base
  stop_server
  start_server
fi
BASE_BYTES=$(sql -d benchbase -c "SELECT pg_database_size('benchbase')")
BLOB_BYTES=$(sql -d benchbase -c "SELECT pg_total_relation_size('blobs')")
log "benchbase: $BASE_BYTES bytes, of which blobs $BLOB_BYTES bytes"

drop_db bench
for db in restore_seed restore_dir restore_restic restore_lb; do drop_db "$db"; done
log "creating bench from the template"
sql -d postgres -c "CREATE DATABASE bench TEMPLATE benchbase STRATEGY FILE_COPY"
COUNTS=$(row_counts bench)
log "row counts at backup time: $COUNTS"

if has_tool lifeboat; then
  log "Lifeboat command: ${LB[*]}"
  "${LB[@]}" --version > "$LOGS/lifeboat-version.log" 2>&1 || die "lifeboat --version failed: $(cat "$LOGS/lifeboat-version.log")"
  # builds, and prepares the pg commands' start-up archive (once per build), outside any timing
  "${LB[@]}" pg --help > "$LOGS/lifeboat-pg-help.log" 2>&1 || die "lifeboat pg --help failed: $(cat "$LOGS/lifeboat-pg-help.log")"
fi
VERSIONS="$(pg_dump --version); $(openssl version | cut -d' ' -f1-2)"
has_tool restic && VERSIONS+="; $(restic version | cut -d' ' -f1-2)"
has_tool lifeboat && VERSIONS+="; $(tail -n1 "$LOGS/lifeboat-version.log")"

for ((round = 1; round <= BACKUP_ROUNDS; round++)); do
  for t in "${TOOLS[@]}"; do fresh_repo "$t"; run_backup "$t" "backup.r$round"; done
done
for t in "${TOOLS[@]}"; do median_row "$t" backup "$BACKUP_ROUNDS"; done
for ((round = 1; round <= RESTORE_ROUNDS; round++)); do
  for t in "${TOOLS[@]}"; do run_restore "$t" "$round"; done
done
for t in seed dirdump restic lifeboat; do has_tool "$t" && median_row "$t" restore "$RESTORE_ROUNDS"; done

log "pgbench -c 2 -j 2 -T $PGBENCH_SECONDS bench"
sync; checkpoint
pgbench -c 2 -j 2 -T "$PGBENCH_SECONDS" bench > "$LOGS/pgbench.log" 2>&1 \
  || { tail -n 20 "$LOGS/pgbench.log" >&2; die "pgbench failed"; }
TPS=$(sed -nE 's/^tps = ([0-9.]+).*/\1/p' "$LOGS/pgbench.log" | head -n1)
TXNS=$(sed -nE 's/^number of transactions actually processed: ([0-9]+).*/\1/p' "$LOGS/pgbench.log")
log "pgbench: $TXNS transactions, $TPS tps"
for t in seed restic lifeboat; do has_tool "$t" && run_backup "$t" backup2; done
[ -n "$(ls -A "$RUN/cache")" ] && CACHE_BYTES=$(du -sb "$RUN/cache" | cut -f1) || CACHE_BYTES=0
drop_db bench
stop_server

csv="$WORK/results/pg-$STAMP.csv"
json="$WORK/results/pg-$STAMP.json"
echo "tool,step,wall_s,peak_rss_kib,size_bytes,added_bytes,exit_code,check" > "$csv"
for r in "${ROWS[@]}"; do
  t=${r% *}; s=${r#* }
  echo "$t,$s,${WALL[$t,$s]},${RSS[$t,$s]},${SIZE[$t,$s]},${ADDED[$t,$s]:-},${RC[$t,$s]},${CHECK[$t,$s]:-}" >> "$csv"
done
{
  printf '{\n  "date": "%s",\n  "host": "%s",\n  "cpus": %s,\n' "$STAMP" "$(hostname)" "$(nproc)"
  printf '  "pgbench_scale": %s,\n  "blob_rows": %s,\n  "base_db_bytes": %s,\n  "blobs_bytes": %s,\n' \
    "$SCALE" "$BLOB_ROWS" "$BASE_BYTES" "$BLOB_BYTES"
  printf '  "build_seconds": %s,\n  "row_counts": "%s",\n' "$(jnum "$BUILD_SECONDS")" "$COUNTS"
  printf '  "pgbench_seconds": %s,\n  "pgbench_transactions": %s,\n  "pgbench_tps": %s,\n' \
    "$PGBENCH_SECONDS" "$(jnum "$TXNS")" "$(jnum "$TPS")"
  printf '  "versions": "%s",\n  "lifeboat_cmd": "%s",\n  "results": [\n' "$VERSIONS" "${LB[*]}"
  first=1
  for r in "${ROWS[@]}"; do
    t=${r% *}; s=${r#* }
    [ $first = 1 ] || printf ',\n'; first=0
    printf '    {"tool": "%s", "step": "%s", "wall_s": %s, "peak_rss_kib": %s, "size_bytes": %s, "added_bytes": %s, "exit_code": %s, "check": "%s"}' \
      "$t" "$s" "${WALL[$t,$s]}" "${RSS[$t,$s]}" "$(jnum "${SIZE[$t,$s]}")" "$(jnum "${ADDED[$t,$s]:-}")" "${RC[$t,$s]}" "${CHECK[$t,$s]:-}"
  done
  printf '\n  ]\n}\n'
} > "$json"
cp "$csv" "$WORK/results/pg-latest.csv"
cp "$json" "$WORK/results/pg-latest.json"

echo
echo "Data: pgbench scale $SCALE + blobs ($BLOB_ROWS rows, $(mib "$BLOB_BYTES") MiB); database $(mib "$BASE_BYTES") MiB"
echo "Row counts at backup time: $COUNTS"
echo "Between backup and backup2: pgbench -c 2 -j 2 -T $PGBENCH_SECONDS: $TXNS transactions ($TPS tps)"
echo "Versions: $VERSIONS"
echo "Warm page cache before every step; peak RSS of pipelines is that of their largest process."
echo
printf '%-9s %-8s %10s %12s %12s %12s %5s  %s\n' tool step "wall (s)" "RSS (MiB)" "size (MiB)" "added (MiB)" exit check
for r in "${ROWS[@]}"; do
  t=${r% *}; s=${r#* }
  printf '%-9s %-8s %10s %12s %12s %12s %5s  %s\n' "$t" "$s" "${WALL[$t,$s]}" "$(awk -v k="${RSS[$t,$s]}" 'BEGIN{printf "%.1f", k/1024}')" \
    "$(mib "${SIZE[$t,$s]}")" "$(mib "${ADDED[$t,$s]:-}")" "${RC[$t,$s]}" "${CHECK[$t,$s]:-}"
done
echo "(size: dump file/directory or repository after the step; seed backup2 is a full new dump, for reference;"
echo " added: repository growth of the step; backup and restore: the medians of the rounds backup.r1..r$BACKUP_ROUNDS and restore.r1..r$RESTORE_ROUNDS)"

# target A B MAX STRICT: "met" if A/B <= MAX (< MAX when STRICT=1).
target() {
  awk -v a="${1:-}" -v b="${2:-}" -v m="$3" -v s="$4" 'BEGIN {
    if (a == "" || b == "" || b + 0 <= 0) { print "n/a"; exit }
    r = a / b; ok = (s == 1) ? (r < m) : (r <= m); print ok ? "met" : "NOT met" }'
}
echo
echo "Backup time against the floor (pg_dump -Fc -Z0 > /dev/null):"
for t in seed dirdump restic lifeboat; do
  has_tool "$t" && has_tool floor && printf '  %-9s %s\n' "$t" "$(ratio "$(val WALL $t backup)" "$(val WALL floor backup)")"
done
if has_tool lifeboat; then
  echo
  echo "Lifeboat against the targets:"
  printf '  %-44s %-7s  target <= 1.30x: %s\n' "backup time lifeboat/floor" \
    "$(ratio "$(val WALL lifeboat backup)" "$(val WALL floor backup)")" "$(target "$(val WALL lifeboat backup)" "$(val WALL floor backup)" 1.3 0)"
  printf '  %-44s %-7s  target <  1x:    %s\n' "backup time lifeboat/restic" \
    "$(ratio "$(val WALL lifeboat backup)" "$(val WALL restic backup)")" "$(target "$(val WALL lifeboat backup)" "$(val WALL restic backup)" 1 1)"
  printf '  %-44s %-7s  target <= 1x:    %s\n' "restore time lifeboat/dirdump (--jobs 2)" \
    "$(ratio "$(val WALL lifeboat restore)" "$(val WALL dirdump restore)")" "$(target "$(val WALL lifeboat restore)" "$(val WALL dirdump restore)" 1 0)"
  printf '  %-44s %-7s  target <  1x:    %s\n' "repository lifeboat/seed encrypted dump" \
    "$(ratio "$(val SIZE lifeboat backup)" "$(val SIZE seed backup)")" "$(target "$(val SIZE lifeboat backup)" "$(val SIZE seed backup)" 1 1)"
  printf '  %-44s %-7s  target <= 1x:    %s\n' "second backup's added size lifeboat/restic" \
    "$(ratio "$(val ADDED lifeboat backup2)" "$(val ADDED restic backup2)")" "$(target "$(val ADDED lifeboat backup2)" "$(val ADDED restic backup2)" 1 0)"
fi
echo
[ -n "$BUILD_SECONDS" ] && echo "The template database was built in this run ($BUILD_SECONDS s)."
echo "restic cache outside the repository: $CACHE_BYTES bytes"
echo "Raw results: $csv and $json; logs in $LOGS; server log $CLUSTER/server.log"
if [ ${#FAILED[@]} -gt 0 ]; then
  echo
  echo "PROBLEMS:"
  printf '  %s\n' "${FAILED[@]}"
  exit 1
fi
