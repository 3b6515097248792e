#!/usr/bin/env bash
# Compares Lifeboat's physical PostgreSQL backups (pg basebackup, pg wal-stream, pg restore
# --physical) with pgBackRest on the same cluster in one run: full and incremental backups, restores,
# point-in-time restore to a running server, and the data lost when the server is killed (RPO).
#
# Data: a pgbench database `bench` of scale $BENCH_PHYS_SCALE (100: ~1.5 GB on disk) plus a table
# `blobs` of ~350 MB of poorly compressible data (the same deterministic generator as bench/pg.sh:
# random bytea, hex text of random bytes, jsonb with random values). It is built once (niced, with
# fsync=off, then checkpointed, stopped cleanly, stripped of the WAL segments recycled for later use,
# and synced) into a pristine data directory
# $BENCH_WORK/physical/seed, kept between runs (building takes minutes; rebuilt when its description
# in physical/seed.marker differs). Every run starts from a fresh copy of it (cp -a) in
# $BENCH_WORK/physical/pg/data, and so does each RPO test.
#
# Cluster settings (written to postgresql.auto.conf of the copy): listen_addresses=127.0.0.1,
# port=$BENCH_PHYS_PORT, unix socket in $BENCH_WORK/physical/sock, wal_level=replica,
# max_wal_senders=10, max_replication_slots=10, archive_mode=on, fsync=on, synchronous_commit=on,
# max_wal_size=4GB, shared_buffers=512MB, autovacuum=off, track_commit_timestamp=on (only so that the
# rows expected after the point-in-time restore can be counted exactly: those whose commit time is <=
# the target). archive_command is pgBackRest's archive-push when pgbackrest is among BENCH_TOOLS,
# guarded by a switch file: `test -f <conf>.off || pgbackrest --config=<conf> --stanza=bench
# archive-push %p`; the file is created once the source server is stopped, so restored clusters
# (which carry the same settings; those this script starts get archive_mode=off, Lifeboat's --start
# may not) never push into the repository. Otherwise it is /bin/true. archive_timeout is 0 in the
# main run and 60s in the RPO tests. pg_hba.conf is initdb's trust for local and 127.0.0.1, replication
# included. The server runs as the `postgres` OS user; clients connect over TCP as postgres.
#
# pgBackRest (Debian's 2.45; installed with apt-get if missing) gets its own config file in
# $BENCH_WORK/physical/run (stanza `bench`, pg1-path/pg1-port/pg1-socket-path of the cluster, log,
# lock and spool paths in the run dir, start-fast=y so no step waits for a spread checkpoint,
# compress-type=zst for archive-push, repo retention high enough that nothing expires) and runs as
# postgres. repo1 is the zst repository; repo2 (lz4) is in the configuration only for the lz4 full
# backup (archive-push pushes to both meanwhile) and is removed from it afterwards.
#
# Steps, each timed (wall time and peak RSS via /usr/bin/time -f '%e %M'; for pgBackRest, whose
# --process-max=2 runs two worker processes besides the main one, %M is the largest single process,
# not the sum; the PostgreSQL server's own memory and CPU are not included):
#   1 pgbackrest full-zst  backup --type=full --compress-type=zst --process-max=2 --repo=1
#     pgbackrest full-lz4  backup --type=full --compress-type=lz4 --process-max=2 --repo=2
#     (stanza-create and check untimed; size = du -sb of the repository, WAL archive included)
#   2 lifeboat   full      lifeboat pg basebackup -r REPO --db postgresql://postgres@127.0.0.1:PORT/postgres
#     (`lifeboat init -r REPO` untimed). `lifeboat pg wal-stream -r REPO --db URL --slot lifeboat_bench
#     --create-slot` is started in the background (untimed, once the slot is active) just before
#     this backup, not only before pgbench: the WAL from the full backup up to the point-in-time
#     target must be in the repository without a gap, as pgBackRest's archive-push provides from its
#     own full backup on. Size = du -sb of the repository (WAL streamed so far included).
#   3 pgbench -c 2 -j 2 -T $BENCH_PGBENCH_SECONDS on `bench`; in the middle of the run the server's
#     clock_timestamp() is recorded as the point-in-time target. Then
#     pgbackrest incr      backup --type=incr --compress-type=zst --process-max=2 --repo=1
#     lifeboat   incr      lifeboat pg basebackup -r REPO --db URL (again)
#     then wal-stream is stopped with SIGTERM; its lifetime and peak RSS are the row "lifeboat
#     walstream". "added" = repository size at the end of step 3 (after every .ready WAL segment was
#     archived and wal-stream stopped) - size just before pgbench: for pgBackRest the WAL archived by
#     archive-push (archive/ of the repository) plus the incremental backup; for Lifeboat the WAL
#     streamed by wal-stream plus the second basebackup. Both archivers run during both tools'
#     incremental backups. archive-push's own cost (one process per segment, run by the server) is
#     not measured; wal-stream's is (the walstream row).
#   4 the server is stopped (untimed; pgbench_history's row count taken before), then
#     pgbackrest restore     restore --pg1-path=DIR --process-max=2 (latest backup, recovery to the
#                            end of the archive)
#     lifeboat   restore     lifeboat pg restore -r REPO --physical latest --data-dir DIR2
#     pgbackrest pitr        restore --type=time --target=TS --target-action=promote + pg_ctl start -w
#                            (port $BENCH_PHYS_PORT2, archive_mode=off) + polling until
#                            pg_is_in_recovery() is false: the time to a PITR-restored running server
#     lifeboat   pitr        lifeboat pg restore -r REPO --physical --data-dir DIR3 --target-time TS
#                            --start --port PORT2 (starts the server itself, returns when promoted)
#     Each target dir is created empty beforehand, owned by postgres, mode 700. Every restored
#     cluster is checked untimed (started by this script on PORT2 with archive_mode=off where the
#     tool did not start it, waited for until promoted): count(*) of pgbench_history must equal the
#     source's for restore, and the source's count of rows committed at or before TS for pitr (OK /
#     MISMATCH / NO-SERVER); then it is stopped and removed.
#   5 RPO kill test, once per tool, each on a fresh copy of the seed with archive_timeout=60s, a
#     table rpo(id bigserial primary key, t timestamptz default clock_timestamp()) and its own new
#     repository with an untimed full backup (pgBackRest: stanza-create, check, full backup, archive-push
#     as archive_command; Lifeboat: init, wal-stream --create-slot started first, basebackup;
#     archive_command /bin/true). pgbench -n -c 4 -j 2 -T $BENCH_RPO_SECONDS -f (INSERT INTO rpo
#     DEFAULT VALUES) -l writes one log line per client-acknowledged commit; at $BENCH_RPO_KILL_AT s
#     the postmaster and all its child processes are stopped (SIGSTOP, so none commits afterwards)
#     and killed with SIGKILL. Processes outside the server (wal-stream; an archive-push already
#     running) are not killed: a crash of the database server, not of the backup target. wal-stream
#     is then stopped with SIGTERM (after 1 s); an archive-push still running is waited for.
#     Then the latest state is restored and started, timed as "rpo-restore":
#       pgBackRest: restore (default type) + pg_ctl start + wait until promoted
#       Lifeboat:   lifeboat pg restore -r REPO --physical latest --data-dir DIR --latest --start --port PORT2
#     lost commits = acknowledged commits (pgbench log lines) - rows in the restored rpo (negative if
#     commits whose acknowledgement the kill swallowed survived); time lost = last acknowledged
#     commit's time (pgbench log: completion time) - max(t) of the restored rpo, in seconds (t is
#     taken when the INSERT runs, so even no loss shows a few ms; if no row survived, the time since
#     pgbench started). pgBackRest's loss is that of the WAL segment (16 MB) being filled at the kill:
#     whether a segment filled during the 15 s depends on the insert rate, so its result jumps between
#     "up to one segment's worth" and "everything since the full backup".
#
# Before every timed step `sync` and (if the source server is up) a CHECKPOINT run, and the data the
# step reads (the data directory for backups, the repository for restores) is read once, so every
# step starts from a warm page cache.
#
# Environment:
#   LIFEBOAT_CMD      command that runs Lifeboat (default: the ./lifeboat launcher at the repository
#                     root); may hold several words, e.g. "java -XX:+UseSerialGC -Xmx1g -jar /tmp/lb.jar".
#                     It runs as root (it chowns restored data directories to postgres). -r REPO is
#                     given after the subcommand (`lifeboat pg basebackup -r REPO ...`), as Lifeboat's
#                     repository options belong to each command (as in bench/pg.sh).
#   BENCH_TOOLS       tools to run, space or comma separated (default: "pgbackrest lifeboat")
#   BENCH_WORK        work directory (default: bench/work; this script uses $BENCH_WORK/physical
#                     (seed, kept; pg, sock and run, remade every run), $BENCH_WORK/logs/physical and
#                     $BENCH_WORK/results)
#   BENCH_PHYS_PORT   TCP port of the source cluster (default: 55498)
#   BENCH_PHYS_PORT2  TCP port of restored clusters (default: BENCH_PHYS_PORT - 1; + 1 is bench/pg.sh's)
#   BENCH_PG_BIN      PostgreSQL binaries (default: /usr/lib/postgresql/15/bin)
#   BENCH_PHYS_SCALE  pgbench scale of the seed (default: 100)
#   BENCH_PHYS_BLOB_ROWS  rows of `blobs` (default: 115000: ~350 MB with its TOAST table and index)
#   BENCH_PGBENCH_SECONDS  duration of the pgbench run of step 3 (default: 60)
#   BENCH_RPO_SECONDS  duration of the RPO test's pgbench (default: 20)
#   BENCH_RPO_KILL_AT  second of that run at which the server is killed (default: 15)
#   BENCH_REBUILD=1   rebuild the seed even if its description matches
#   BENCH_SEED_ONLY=1 only build (or check) the seed, then exit
#   BENCH_KEEP_RESTORES=1  keep the restored data directories (default: removed after verification)
#   LIFEBOAT_KDF      read by `lifeboat init` itself (default: Lifeboat's own default)
#
# Usage: bench/physical.sh            (as root; e.g. BENCH_TOOLS=pgbackrest BENCH_PHYS_SCALE=10 ...)
# Results: a table and ratios (lifeboat / pgbackrest) on stdout; raw results in
# $BENCH_WORK/results/physical-<stamp>.{csv,json} (and physical-latest.{csv,json}); per-step logs in
# $BENCH_WORK/logs/physical/; server logs next to each data directory (<dir>.log).
set -euo pipefail

BENCH_DIR="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")" && pwd)"
ROOT="$(dirname "$BENCH_DIR")"
WORK="${BENCH_WORK:-$BENCH_DIR/work}"
WORK="$(mkdir -p "$WORK" && cd "$WORK" && pwd)"
# shellcheck source=bench/lib.sh
. "$BENCH_DIR/lib.sh"
LIFEBOAT_CMD="${LIFEBOAT_CMD:-$ROOT/lifeboat}"
read -ra LB <<< "$LIFEBOAT_CMD"
TOOLS=(${BENCH_TOOLS:-pgbackrest lifeboat})
TOOLS=(${TOOLS[@]//,/ })
PGBIN="${BENCH_PG_BIN:-/usr/lib/postgresql/15/bin}"
PORT="${BENCH_PHYS_PORT:-55498}"
PORT2="${BENCH_PHYS_PORT2:-$((PORT - 1))}"
SCALE="${BENCH_PHYS_SCALE:-100}"
BLOB_ROWS="${BENCH_PHYS_BLOB_ROWS:-115000}"
PGBENCH_SECONDS="${BENCH_PGBENCH_SECONDS:-60}"
RPO_SECONDS="${BENCH_RPO_SECONDS:-20}"
RPO_KILL_AT="${BENCH_RPO_KILL_AT:-15}"
PROCESS_MAX=2
SLOT=lifeboat_bench
PASS="bench-passphrase-not-secret"
PHYS="$WORK/physical"
SEED="$PHYS/seed"
SEED_MARKER_FILE="$PHYS/seed.marker"
CLUSTER="$PHYS/pg"
PGDATA_DIR="$CLUSTER/data"
SOCK="$PHYS/sock"
RUN="$PHYS/run"
LOGS="$WORK/logs/physical"

for t in "${TOOLS[@]}"; do
  case "$t" in pgbackrest|lifeboat) ;; *) die "unknown tool '$t' in BENCH_TOOLS (pgbackrest, lifeboat)";; esac
done
[ ${#TOOLS[@]} -gt 0 ] || die "BENCH_TOOLS is empty"
case "$WORK" in *[[:space:]\'\"\\]*) die "BENCH_WORK must not contain spaces, quotes or backslashes: $WORK";; esac
[ "$PGBENCH_SECONDS" -ge 2 ] || die "BENCH_PGBENCH_SECONDS must be at least 2"
[ "$RPO_KILL_AT" -lt "$RPO_SECONDS" ] || die "BENCH_RPO_KILL_AT must be less than BENCH_RPO_SECONDS"
[ "$(id -u)" = 0 ] || die "run as root (the server runs as the postgres OS user through runuser)"

# ---------------------------------------------------------------- prerequisites
install_missing() {
  local pkgs=()
  has_tool pgbackrest && ! command -v pgbackrest > /dev/null && pkgs+=(pgbackrest)
  [ -x "$PGBIN/pg_ctl" ] || pkgs+=(postgresql-15)
  command -v python3 > /dev/null || pkgs+=(python3)
  [ -x /usr/bin/time ] || pkgs+=(time)
  apt_install ${pkgs[@]+"${pkgs[@]}"}
  id postgres > /dev/null 2>&1 || die "no 'postgres' OS user to run the server as"
}

# ---------------------------------------------------------------- clusters
pg_client_env "$PORT"

# alive PID: the process exists and is not a zombie.
alive() { local s; s=$(ps -o stat= -p "$1" 2> /dev/null) && [ "${s:0:1}" != Z ]; }
# pg_running DIR: its postmaster is alive (pg_ctl status would also take a killed one's zombie for alive).
pg_running() { local pid; pid=$(head -n 1 "$1/postmaster.pid" 2> /dev/null) && [ -n "$pid" ] && alive "$pid"; }

STARTED=()      # data directories started by this run (stopped on exit)
PGB_PID=""      # a pgbench running in the background
WS_PID=""       # the /usr/bin/time process running wal-stream
WS_NAME=""

# start_pg DIR PORT [OPTIONS [NICE]]: starts the cluster in DIR (server log DIR.log).
start_pg() {
  local dir=$1 port=$2 opts=${3:-} nice=${4:-0}
  port_free "$port" || die "port $port is in use (set BENCH_PHYS_PORT / BENCH_PHYS_PORT2)"
  mkdir -p "$SOCK"; chown postgres: "$SOCK"
  STARTED+=("$dir")
  log "starting the cluster in $dir on 127.0.0.1:$port"
  nice -n "$nice" runuser -u postgres -- env -C / "$PGBIN/pg_ctl" -D "$dir" -l "$dir.log" -w -t 3600 \
    -o "-p $port $opts" start >> "$LOGS/pg_ctl.log" 2>&1 || { tail -n 30 "$dir.log" >&2; return 1; }
}

stop_pg() {
  if pg_running "$1"; then
    log "stopping the cluster in $1"
    as_pg "$PGBIN/pg_ctl" -D "$1" -m fast -w -t 300 stop >> "$LOGS/pg_ctl.log" 2>&1 || true
  fi
}

# wait_promoted PORT [SECONDS]: waits until the server on PORT answers and is out of recovery.
wait_promoted() {
  local port=$1 end=$((SECONDS + ${2:-3600})) r
  while [ "$SECONDS" -lt "$end" ]; do
    r=$(psql -X -qAt -p "$port" -d postgres -c 'SELECT pg_is_in_recovery()' 2> /dev/null || true)
    [ "$r" = f ] && return 0
    sleep 0.05
  done
  return 1
}
export -f wait_promoted   # used inside measured commands

# crash_pg DIR: stops (SIGSTOP) the postmaster and its children, then kills them all with SIGKILL.
crash_pg() {
  local pm pids p i
  pm=$(head -n 1 "$1/postmaster.pid")
  pids=("$pm" $(pgrep -P "$pm" || true))
  kill -STOP "${pids[@]}" 2> /dev/null || true
  pids=("$pm" $(pgrep -P "$pm" || true))
  kill -KILL "${pids[@]}" 2> /dev/null || true
  for ((i = 0; i < 600; i++)); do
    local left=0
    for p in "${pids[@]}"; do alive "$p" && left=1; done
    [ $left = 0 ] && return 0
    sleep 0.1
  done
  die "the killed server's processes did not go away: ${pids[*]}"
}

# write_settings DIR ARCHIVE_COMMAND ARCHIVE_TIMEOUT
write_settings() {
  cat > "$1/postgresql.auto.conf" <<EOF
# Do not edit this file manually!
# It will be overwritten by the ALTER SYSTEM command.
# (Written by bench/physical.sh.)
listen_addresses = '127.0.0.1'
port = $PORT
unix_socket_directories = '$SOCK'
wal_level = replica
max_wal_senders = 10
max_replication_slots = 10
archive_mode = on
archive_command = '$2'
archive_timeout = '$3'
fsync = on
synchronous_commit = on
max_wal_size = '4GB'
shared_buffers = '512MB'
autovacuum = off
track_commit_timestamp = on
EOF
  chown postgres: "$1/postgresql.auto.conf"
  chmod 600 "$1/postgresql.auto.conf"
}

before_measure() { if pg_running "$PGDATA_DIR"; then sql -d postgres -c CHECKPOINT; fi; }

# Every .ready WAL segment of the source archived (archive-push is synchronous per segment).
wait_archived() {
  local i
  for ((i = 0; i < 3000; i++)); do
    compgen -G "$PGDATA_DIR/pg_wal/archive_status/*.ready" > /dev/null || return 0
    sleep 0.1
  done
  log "WARNING: WAL segments still waiting for archive-push after 300 s"
}

# A restore target: an empty directory owned by postgres, mode 700.
new_dir() { rm -rf "$1" "$1.log"; mkdir -p "$1"; chown postgres: "$1"; chmod 700 "$1"; }
drop_dir() { stop_pg "$1"; [ "${BENCH_KEEP_RESTORES:-0}" = 1 ] || rm -rf "$1"; }

cleanup() {
  local d
  [ -n "$PGB_PID" ] && kill "$PGB_PID" 2> /dev/null
  [ -n "$WS_PID" ] && stop_walstream
  for d in "${STARTED[@]}"; do stop_pg "$d"; done
  return 0
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# ---------------------------------------------------------------- the seed
PG_MAJOR=""
seed_ok() {
  [ "${BENCH_REBUILD:-0}" != 1 ] && [ -f "$SEED/PG_VERSION" ] && [ "$(cat "$SEED_MARKER_FILE" 2> /dev/null)" = "$MARKER" ]
}

# drop_recycled_wal DIR: after a clean shutdown, removes the WAL segments after the one of the last
# checkpoint: files the server recycled for later use (up to max_wal_size of them, ~1.6 GB after
# the build at scale 100), which would only be copied along every run.
drop_recycled_wal() {
  local redo f n
  as_pg "$PGBIN/pg_controldata" "$1" | grep -q '^Database cluster state: *shut down$' || die "$1 was not shut down cleanly"
  redo=$(as_pg "$PGBIN/pg_controldata" "$1" | sed -n "s/^Latest checkpoint's REDO WAL file: *//p")
  [[ "$redo" =~ ^[0-9A-F]{24}$ ]] || die "cannot read the checkpoint's WAL file of $1"
  for f in "$1"/pg_wal/*; do
    n=${f##*/}
    [[ "$n" =~ ^[0-9A-F]{24}$ ]] && [[ "$n" > "$redo" ]] && rm -f "$f"
  done
  return 0
}

build_seed() {
  local t0=$SECONDS
  log "building the seed cluster ($MARKER) in $SEED; this takes minutes"
  stop_pg "$SEED"
  rm -rf "$SEED" "$SEED.log" "$SEED_MARKER_FILE"
  mkdir -p "$PHYS"; chown postgres: "$PHYS"
  as_pg "$PGBIN/initdb" -D "$SEED" -U postgres -A trust -E UTF8 --locale=C.UTF-8 \
    > "$LOGS/initdb.log" 2>&1 || { cat "$LOGS/initdb.log" >&2; die "initdb failed"; }
  write_settings "$SEED" /bin/true 0
  start_pg "$SEED" "$PORT" "-c archive_mode=off -c fsync=off" 19 || die "the seed cluster did not start"
  sql -d postgres -c "CREATE DATABASE bench"
  log "pgbench -i -s $SCALE"
  nice -n 19 pgbench -i -q -s "$SCALE" bench > "$LOGS/build-pgbench-init.log" 2>&1 \
    || { tail -n 20 "$LOGS/build-pgbench-init.log" >&2; die "pgbench -i failed"; }
  log "filling blobs with $BLOB_ROWS rows"
  sql -d bench -c "CREATE TABLE blobs (id bigint NOT NULL, b bytea, h text, j jsonb)"
  nice -n 19 python3 -c "$BLOB_GEN" "$BLOB_ROWS" | nice -n 19 psql -X -v ON_ERROR_STOP=1 -q -d bench \
    -c "COPY blobs FROM STDIN" > "$LOGS/build-blobs.log" 2>&1 || { cat "$LOGS/build-blobs.log" >&2; die "filling blobs failed"; }
  sql -d bench -c "ALTER TABLE blobs ADD PRIMARY KEY (id)"
  log "VACUUM (FREEZE, ANALYZE)"
  sql -d bench -c "VACUUM (FREEZE, ANALYZE)"
  sql -d postgres -c CHECKPOINT
  stop_pg "$SEED"
  drop_recycled_wal "$SEED"
  sync
  echo "$MARKER" > "$SEED_MARKER_FILE"
  BUILD_SECONDS=$((SECONDS - t0))
  log "seed built in $BUILD_SECONDS s ($(mib "$(dusize "$SEED")") MiB)"
}

# fresh_cluster ARCHIVE_COMMAND ARCHIVE_TIMEOUT: a new copy of the seed in $PGDATA_DIR.
fresh_cluster() {
  stop_pg "$PGDATA_DIR"
  rm -rf "$CLUSTER"
  mkdir -p "$CLUSTER"
  log "copying the seed into $PGDATA_DIR"
  cp -a "$SEED" "$PGDATA_DIR"
  chown postgres: "$CLUSTER"
  write_settings "$PGDATA_DIR" "$1" "$2"
}

url_of() { echo "postgresql://postgres@127.0.0.1:$PORT/$1"; }

# ---------------------------------------------------------------- pgBackRest
# pgbr_conf FILE REPO1 [REPO2]: a configuration for stanza bench on $PGDATA_DIR.
pgbr_conf() {
  local f=$1 dir="${1%.conf}"
  mkdir -p "$dir/log" "$dir/lock" "$dir/spool"
  chown -R postgres: "$dir"
  {
    echo "[global]"
    echo "repo1-path=$2"
    echo "repo1-retention-full=100"
    if [ -n "${3:-}" ]; then echo "repo2-path=$3"; echo "repo2-retention-full=100"; fi
    echo "log-path=$dir/log"
    echo "lock-path=$dir/lock"
    echo "spool-path=$dir/spool"
    echo "log-level-console=info"
    echo "log-level-file=info"
    echo "start-fast=y"
    echo "compress-type=zst"
    echo
    echo "[bench]"
    echo "pg1-path=$PGDATA_DIR"
    echo "pg1-port=$PORT"
    echo "pg1-socket-path=$SOCK"
    echo "pg1-user=postgres"
  } > "$f"
  chown postgres: "$f"
}
# The pgBackRest command line for CONF, as postgres, for measured commands and for pgbr().
pgbr_cmd() { echo "runuser -u postgres -- env -C / pgbackrest --config=$1 --stanza=bench"; }
pgbr_archive_cmd() { echo "test -f ${1%.conf}.off || pgbackrest --config=$1 --stanza=bench archive-push %p"; }
# pgbr CONF NAME ARGS...: an untimed pgBackRest command, logged to $LOGS/pgbackrest-NAME.log.
pgbr() {
  local conf=$1 name=$2; shift 2
  $(pgbr_cmd "$conf") "$@" > "$LOGS/pgbackrest-$name.log" 2>&1 \
    || { tail -n 20 "$LOGS/pgbackrest-$name.log" >&2; log "pgbackrest $name failed"; return 1; }
}

# ---------------------------------------------------------------- Lifeboat
LBQ=""   # Lifeboat's command, shell-quoted for the measured command lines
tool_env() {
  export LIFEBOAT_PASSWORD="$PASS" LIFEBOAT_NO_PROGRESS=1
  unset LIFEBOAT_REPOSITORY
  local w; for w in "${LB[@]}"; do LBQ+="$(q "$w") "; done
}
# lb NAME ARGS...: an untimed Lifeboat command, logged to $LOGS/lifeboat-NAME.log.
lb() {
  local name=$1; shift
  "${LB[@]}" "$@" > "$LOGS/lifeboat-$name.log" 2>&1 \
    || { tail -n 20 "$LOGS/lifeboat-$name.log" >&2; log "lifeboat $name failed"; return 1; }
}

# start_walstream NAME REPO: runs wal-stream --create-slot in the background under /usr/bin/time
# and waits until its slot is active.
start_walstream() {
  local name=$1 repo=$2 i
  log "lifeboat $name: pg wal-stream --slot $SLOT --create-slot (background)"
  /usr/bin/time -f '%e %M' -o "$LOGS/lifeboat-$name.time" "${LB[@]}" pg wal-stream -r "$repo" \
    --db "$(url_of postgres)" --slot "$SLOT" --create-slot > "$LOGS/lifeboat-$name.log" 2>&1 &
  WS_PID=$! WS_NAME=$name
  for ((i = 0; i < 600; i++)); do
    if [ "$(sql -d postgres -c "SELECT active FROM pg_replication_slots WHERE slot_name = '$SLOT'")" = t ]; then
      log "lifeboat $name: streaming into slot $SLOT"
      return 0
    fi
    alive "$WS_PID" || break
    sleep 0.1
  done
  log "lifeboat $name: wal-stream is not streaming; last lines of $LOGS/lifeboat-$name.log:"
  tail -n 20 "$LOGS/lifeboat-$name.log" >&2
  stop_walstream
  FAILED+=("lifeboat $name: wal-stream did not start streaming (see $LOGS/lifeboat-$name.log)")
  return 1
}

# stop_walstream: SIGTERM to wal-stream, waits for it, records the row "lifeboat NAME" (its lifetime
# and peak RSS; exit 0 or 143 = terminated by SIGTERM count as success).
stop_walstream() {
  [ -n "$WS_PID" ] || return 0
  local child rc=0 i nums name=$WS_NAME
  child=$(pgrep -P "$WS_PID" || true)
  [ -n "$child" ] && kill -TERM $child 2> /dev/null
  for ((i = 0; i < 1200; i++)); do alive "$WS_PID" || break; sleep 0.1; done
  if alive "$WS_PID"; then
    log "lifeboat $name: still running 120 s after SIGTERM, killing it"
    [ -n "$child" ] && kill -KILL $child 2> /dev/null
  fi
  wait "$WS_PID" || rc=$?
  WS_PID=""
  nums=$(tail -n 1 "$LOGS/lifeboat-$name.time" 2> /dev/null || echo "- -")
  WALL[lifeboat,$name]=${nums% *}
  RSS[lifeboat,$name]=${nums#* }
  SIZE[lifeboat,$name]=""
  [ "$rc" = 143 ] && rc=0
  RC[lifeboat,$name]=$rc
  ROWS+=("lifeboat $name")
  log "lifeboat $name: ran ${WALL[lifeboat,$name]} s, peak RSS ${RSS[lifeboat,$name]} KiB, exit $rc"
  [ "$rc" = 0 ] || FAILED+=("lifeboat $name (exit $rc, see $LOGS/lifeboat-$name.log)")
  return 0
}

# ---------------------------------------------------------------- verification
# verify TOOL STEP DIR EXPECTED START: checks count(*) of pgbench_history in the cluster restored in
# DIR (started on PORT2 with archive_mode=off first if START=1), then stops and removes it.
verify() {
  local tool=$1 step=$2 dir=$3 want=$4 start=$5 got="" up=1
  if [ "${RC[$tool,$step]}" != 0 ]; then drop_dir "$dir"; return 0; fi
  if [ "$start" = 1 ]; then start_pg "$dir" "$PORT2" "-c archive_mode=off" || up=0; fi
  if [ $up = 1 ] && wait_promoted "$PORT2" 1800; then
    got=$(sql -p "$PORT2" -d bench -c "SELECT count(*) FROM pgbench_history" 2>&1 || true)
    if [ "$got" = "$want" ]; then CHECK[$tool,$step]=OK; else CHECK[$tool,$step]=MISMATCH; fi
  else
    CHECK[$tool,$step]=NO-SERVER
  fi
  log "$tool $step check: ${CHECK[$tool,$step]} (pgbench_history: $got, expected $want)"
  [ "${CHECK[$tool,$step]}" = OK ] || FAILED+=("$tool $step: ${CHECK[$tool,$step]}: pgbench_history has '$got' rows, expected $want (server log $dir.log)")
  drop_dir "$dir"
}

# ---------------------------------------------------------------- RPO test
declare -A RPO_ACKED=() RPO_ROWS=() RPO_LOST=() RPO_SECS=()
rpo_test() {
  local tool=$1 d="$RUN/rpo/$1" conf="$RUN/pgbackrest-rpo.conf" ac=/bin/true rd got start_ts last maxt
  log "RPO test for $tool"
  mkdir -p "$d"; chown postgres: "$d"
  [ "$tool" = pgbackrest ] && ac=$(pgbr_archive_cmd "$conf")
  fresh_cluster "$ac" 60s
  start_pg "$PGDATA_DIR" "$PORT" || die "the cluster did not start"
  sql -d bench -c "CREATE TABLE rpo (id bigserial PRIMARY KEY, t timestamptz DEFAULT clock_timestamp())"
  case "$tool" in
    pgbackrest)
      pgbr_conf "$conf" "$d/repo"
      pgbr "$conf" rpo-stanza-create stanza-create && pgbr "$conf" rpo-check check \
        && pgbr "$conf" rpo-full --type=full --compress-type=zst --process-max=$PROCESS_MAX backup \
        || { FAILED+=("pgbackrest rpo: the full backup failed (see $LOGS/pgbackrest-rpo-*.log)"); stop_pg "$PGDATA_DIR"; return 0; } ;;
    lifeboat)
      lb rpo-init init -r "$d/repo" && start_walstream rpo-walstream "$d/repo" \
        && lb rpo-full pg basebackup -r "$d/repo" --db "$(url_of postgres)" \
        || { FAILED+=("lifeboat rpo: the full backup failed (see $LOGS/lifeboat-rpo-*.log)"); stop_walstream; stop_pg "$PGDATA_DIR"; return 0; } ;;
  esac
  sql -d postgres -c CHECKPOINT
  echo 'INSERT INTO rpo DEFAULT VALUES;' > "$d/rpo.sql"
  log "$tool rpo: pgbench -c 4 -j 2 -T $RPO_SECONDS (inserts), kill -9 of the server at $RPO_KILL_AT s"
  start_ts=$(date +%s.%N)
  pgbench -n -c 4 -j 2 -T "$RPO_SECONDS" -f "$d/rpo.sql" -l --log-prefix="$d/pgbench" bench > "$LOGS/$tool-rpo-pgbench.log" 2>&1 &
  PGB_PID=$!
  sleep "$RPO_KILL_AT"
  crash_pg "$PGDATA_DIR"
  log "$tool rpo: server killed"
  wait "$PGB_PID" || true
  PGB_PID=""
  if [ "$tool" = lifeboat ]; then
    sleep 1
    stop_walstream
  else
    touch "${conf%.conf}.off"
    # an archive-push the archiver had started goes on; wait for it
    local i
    for ((i = 0; i < 600; i++)); do pgrep -f -- "--config=$conf --stanza=bench archive-push" > /dev/null || break; sleep 0.1; done
  fi
  rd="$d/restore"
  new_dir "$rd"
  STARTED+=("$rd")
  case "$tool" in
    pgbackrest) warm "$d/repo"
      measure pgbackrest rpo-restore "" "$(pgbr_cmd "$conf") --pg1-path=$rd --process-max=$PROCESS_MAX restore \
&& runuser -u postgres -- env -C / $PGBIN/pg_ctl -D $rd -l $rd.log -w -t 3600 -o '-p $PORT2 -c archive_mode=off' start \
&& wait_promoted $PORT2" ;;
    lifeboat) warm "$d/repo"
      measure lifeboat rpo-restore "" "${LBQ}pg restore -r $(q "$d/repo") --physical latest --data-dir $(q "$rd") --latest --start --port $PORT2" ;;
  esac
  if [ "${RC[$tool,rpo-restore]}" = 0 ] && wait_promoted "$PORT2" 600; then
    got=$(sql -p "$PORT2" -d bench -F ' ' -c "SELECT count(*), coalesce(extract(epoch FROM max(t))::text, '') FROM rpo")
    CHECK[$tool,rpo-restore]=OK
  else
    CHECK[$tool,rpo-restore]=NO-SERVER
    FAILED+=("$tool rpo-restore: no restored server to count rows in (server log $rd.log)")
    drop_dir "$rd"
    return 0
  fi
  drop_dir "$rd"
  RPO_ROWS[$tool]=${got%% *}
  maxt=${got#* }
  RPO_ACKED[$tool]=$(cat "$d"/pgbench.* 2> /dev/null | wc -l)
  last=$(awk '{ t = $5 + $6 / 1e6; if (t > m) m = t } END { printf "%.6f", m }' "$d"/pgbench.* 2> /dev/null || echo 0)
  RPO_LOST[$tool]=$((RPO_ACKED[$tool] - RPO_ROWS[$tool]))
  [ -n "$maxt" ] || maxt=$start_ts
  RPO_SECS[$tool]=$(awk -v a="$last" -v b="$maxt" 'BEGIN { printf "%.3f", a - b }')
  log "$tool rpo: ${RPO_ACKED[$tool]} commits acknowledged, ${RPO_ROWS[$tool]} rows restored: lost ${RPO_LOST[$tool]} commits, ${RPO_SECS[$tool]} s"
}

# ---------------------------------------------------------------- main
install_missing
PG_MAJOR=$("$PGBIN/postgres" -V | grep -oE '[0-9]+' | head -n 1)
MARKER="lifeboat physical bench seed v1: PostgreSQL $PG_MAJOR, pgbench scale $SCALE, blobs $BLOB_ROWS rows"
STAMP=$(date -u +%Y%m%dT%H%M%SZ)
mkdir -p "$PHYS" "$LOGS" "$WORK/results"
# Servers left by an interrupted run.
for f in "$PGDATA_DIR" "$SEED" "$RUN"/restore/* "$RUN"/rpo/*/restore; do [ -d "$f" ] && stop_pg "$f"; done
rm -rf "$RUN" "$LOGS" "$SOCK"
mkdir -p "$RUN/repos" "$RUN/restore" "$RUN/rpo" "$LOGS" "$SOCK"
chown postgres: "$PHYS" "$RUN" "$RUN/repos" "$RUN/restore" "$RUN/rpo" "$SOCK"
tool_env
port_free "$PORT" || die "port $PORT is in use (set BENCH_PHYS_PORT)"
port_free "$PORT2" || die "port $PORT2 is in use (set BENCH_PHYS_PORT2)"

BUILD_SECONDS=""
if seed_ok; then log "reusing the seed cluster ($MARKER)"; else build_seed; fi
if [ "${BENCH_SEED_ONLY:-0}" = 1 ]; then log "BENCH_SEED_ONLY=1: the seed is ready in $SEED"; exit 0; fi

if has_tool lifeboat; then
  log "Lifeboat command: ${LB[*]}"
  "${LB[@]}" --version > "$LOGS/lifeboat-version.log" 2>&1 || die "lifeboat --version failed: $(cat "$LOGS/lifeboat-version.log")"
  # builds, and prepares the pg commands' start-up archive (once per build), outside any timing
  "${LB[@]}" pg --help > "$LOGS/lifeboat-pg-help.log" 2>&1 || die "lifeboat pg --help failed: $(cat "$LOGS/lifeboat-pg-help.log")"
fi
VERSIONS="$("$PGBIN/postgres" -V)"
has_tool pgbackrest && VERSIONS+="; $(pgbackrest version)"
has_tool lifeboat && VERSIONS+="; $(tail -n 1 "$LOGS/lifeboat-version.log")"

CONF="$RUN/pgbackrest-main.conf"
REPO_ZST="$RUN/repos/pgbackrest-zst"
REPO_LZ4="$RUN/repos/pgbackrest-lz4"
REPO_LB="$RUN/repos/lifeboat"
PGBR=$(pgbr_cmd "$CONF")
if has_tool pgbackrest; then fresh_cluster "$(pgbr_archive_cmd "$CONF")" 0; else fresh_cluster /bin/true 0; fi
start_pg "$PGDATA_DIR" "$PORT" || die "the cluster did not start"
DATA_BYTES=$(dusize "$PGDATA_DIR")
DB_BYTES=$(sql -d postgres -c "SELECT pg_database_size('bench')")
BLOB_BYTES=$(sql -d bench -c "SELECT pg_total_relation_size('blobs')")
log "cluster: $DATA_BYTES bytes on disk; bench $DB_BYTES bytes, of which blobs $BLOB_BYTES bytes"

# 1: pgBackRest full backups
if has_tool pgbackrest; then
  pgbr_conf "$CONF" "$REPO_ZST" "$REPO_LZ4"
  pgbr "$CONF" stanza-create stanza-create || die "pgbackrest stanza-create failed"
  pgbr "$CONF" check check || die "pgbackrest check failed"
  warm "$PGDATA_DIR"
  measure pgbackrest full-zst "$REPO_ZST" "$PGBR --repo=1 --type=full --compress-type=zst --process-max=$PROCESS_MAX backup"
  warm "$PGDATA_DIR"
  measure pgbackrest full-lz4 "$REPO_LZ4" "$PGBR --repo=2 --type=full --compress-type=lz4 --process-max=$PROCESS_MAX backup"
  wait_archived
  pgbr_conf "$CONF" "$REPO_ZST"
fi

# 2: Lifeboat full backup, with wal-stream running from just before it
WS_OK=0
if has_tool lifeboat; then
  lb init init -r "$REPO_LB" || die "lifeboat init failed"
  start_walstream walstream "$REPO_LB" && WS_OK=1
  warm "$PGDATA_DIR"
  measure lifeboat full "$REPO_LB" "${LBQ}pg basebackup -r $(q "$REPO_LB") --db $(url_of postgres)"
fi

# 3: pgbench, then the incremental backups
has_tool pgbackrest && wait_archived
declare -A BEFORE=()
BEFORE[pgbackrest]=$(dusize "$REPO_ZST")
BEFORE[lifeboat]=$(dusize "$REPO_LB")
log "pgbench -c 2 -j 2 -T $PGBENCH_SECONDS bench"
sync; sql -d postgres -c CHECKPOINT
pgbench -c 2 -j 2 -T "$PGBENCH_SECONDS" bench > "$LOGS/pgbench.log" 2>&1 &
PGB_PID=$!
sleep $((PGBENCH_SECONDS / 2))
PITR_TS=$(sql -d postgres -c "SELECT to_char(clock_timestamp() AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS.US') || '+00'")
log "point-in-time target: $PITR_TS"
wait "$PGB_PID" || { tail -n 20 "$LOGS/pgbench.log" >&2; PGB_PID=""; die "pgbench failed"; }
PGB_PID=""
TPS=$(sed -nE 's/^tps = ([0-9.]+).*/\1/p' "$LOGS/pgbench.log" | head -n 1)
TXNS=$(sed -nE 's/^number of transactions actually processed: ([0-9]+).*/\1/p' "$LOGS/pgbench.log")
log "pgbench: $TXNS transactions, $TPS tps"
has_tool pgbackrest && measure pgbackrest incr "$REPO_ZST" "$PGBR --repo=1 --type=incr --compress-type=zst --process-max=$PROCESS_MAX backup"
has_tool lifeboat && measure lifeboat incr "$REPO_LB" "${LBQ}pg basebackup -r $(q "$REPO_LB") --db $(url_of postgres)"
has_tool lifeboat && stop_walstream
has_tool pgbackrest && wait_archived
for t in pgbackrest lifeboat; do
  if has_tool "$t"; then
    r=$REPO_ZST; [ "$t" = lifeboat ] && r=$REPO_LB
    SIZE[$t,incr]=$(dusize "$r")
    ADDED[$t,incr]=$((SIZE[$t,incr] - BEFORE[$t]))
    log "$t: repository grew by ${ADDED[$t,incr]} bytes (WAL + incremental backup)"
  fi
done
SRC_ROWS=$(sql -d bench -c "SELECT count(*) FROM pgbench_history")
PITR_ROWS=$(sql -d bench -c "SELECT count(*) FROM pgbench_history WHERE pg_xact_commit_timestamp(xmin) <= '$PITR_TS'::timestamptz")
log "pgbench_history: $SRC_ROWS rows, $PITR_ROWS of them committed at or before $PITR_TS"

# 4: restores
stop_pg "$PGDATA_DIR"
touch "${CONF%.conf}.off"
if has_tool pgbackrest; then
  d="$RUN/restore/pgbackrest-latest"; new_dir "$d"; warm "$REPO_ZST"
  measure pgbackrest restore "$d" "$PGBR --pg1-path=$d --process-max=$PROCESS_MAX restore"
  verify pgbackrest restore "$d" "$SRC_ROWS" 1
fi
if has_tool lifeboat; then
  d="$RUN/restore/lifeboat-latest"; new_dir "$d"; warm "$REPO_LB"
  measure lifeboat restore "$d" "${LBQ}pg restore -r $(q "$REPO_LB") --physical latest --data-dir $(q "$d")"
  verify lifeboat restore "$d" "$SRC_ROWS" 1
fi
if has_tool pgbackrest; then
  d="$RUN/restore/pgbackrest-pitr"; new_dir "$d"; warm "$REPO_ZST"; STARTED+=("$d")
  measure pgbackrest pitr "" "$PGBR --pg1-path=$d --process-max=$PROCESS_MAX --type=time --target='$PITR_TS' --target-action=promote restore \
&& runuser -u postgres -- env -C / $PGBIN/pg_ctl -D $d -l $d.log -w -t 3600 -o '-p $PORT2 -c archive_mode=off' start \
&& wait_promoted $PORT2"
  verify pgbackrest pitr "$d" "$PITR_ROWS" 0
fi
if has_tool lifeboat; then
  d="$RUN/restore/lifeboat-pitr"; new_dir "$d"; warm "$REPO_LB"; STARTED+=("$d")
  measure lifeboat pitr "" "${LBQ}pg restore -r $(q "$REPO_LB") --physical --data-dir $(q "$d") --target-time '$PITR_TS' --start --port $PORT2"
  verify lifeboat pitr "$d" "$PITR_ROWS" 0
fi

# 5: RPO kill tests
for t in pgbackrest lifeboat; do has_tool "$t" && rpo_test "$t"; done
rm -rf "$CLUSTER"

# ---------------------------------------------------------------- report
csv="$WORK/results/physical-$STAMP.csv"
json="$WORK/results/physical-$STAMP.json"
echo "tool,step,wall_s,peak_rss_kib,size_bytes,added_bytes,exit_code,check" > "$csv"
for r in "${ROWS[@]}"; do
  t=${r% *}; s=${r#* }
  echo "$t,$s,${WALL[$t,$s]},${RSS[$t,$s]},${SIZE[$t,$s]},${ADDED[$t,$s]:-},${RC[$t,$s]},${CHECK[$t,$s]:-}" >> "$csv"
done
{
  printf '{\n  "date": "%s",\n  "host": "%s",\n  "cpus": %s,\n' "$STAMP" "$(hostname)" "$(nproc)"
  printf '  "pgbench_scale": %s,\n  "blob_rows": %s,\n  "data_dir_bytes": %s,\n  "bench_db_bytes": %s,\n  "blobs_bytes": %s,\n' \
    "$SCALE" "$BLOB_ROWS" "$DATA_BYTES" "$DB_BYTES" "$BLOB_BYTES"
  printf '  "seed_build_seconds": %s,\n' "$(jnum "$BUILD_SECONDS")"
  printf '  "pgbench_seconds": %s,\n  "pgbench_transactions": %s,\n  "pgbench_tps": %s,\n' \
    "$PGBENCH_SECONDS" "$(jnum "$TXNS")" "$(jnum "$TPS")"
  printf '  "pitr_target": "%s",\n  "source_history_rows": %s,\n  "pitr_expected_rows": %s,\n' "$PITR_TS" "$SRC_ROWS" "$PITR_ROWS"
  printf '  "versions": "%s",\n  "lifeboat_cmd": "%s",\n  "rpo": {' "$VERSIONS" "${LB[*]}"
  first=1
  for t in pgbackrest lifeboat; do
    [ -n "${RPO_ACKED[$t]:-}" ] || continue
    [ $first = 1 ] || printf ','; first=0
    printf '\n    "%s": {"seconds": %s, "killed_at": %s, "acknowledged": %s, "restored_rows": %s, "lost_commits": %s, "lost_seconds": %s}' \
      "$t" "$RPO_SECONDS" "$RPO_KILL_AT" "${RPO_ACKED[$t]}" "${RPO_ROWS[$t]}" "${RPO_LOST[$t]}" "${RPO_SECS[$t]}"
  done
  printf '\n  },\n  "results": [\n'
  first=1
  for r in "${ROWS[@]}"; do
    t=${r% *}; s=${r#* }
    [ $first = 1 ] || printf ',\n'; first=0
    printf '    {"tool": "%s", "step": "%s", "wall_s": %s, "peak_rss_kib": %s, "size_bytes": %s, "added_bytes": %s, "exit_code": %s, "check": "%s"}' \
      "$t" "$s" "$(jnum "${WALL[$t,$s]/-/}")" "$(jnum "${RSS[$t,$s]/-/}")" "$(jnum "${SIZE[$t,$s]}")" "$(jnum "${ADDED[$t,$s]:-}")" "${RC[$t,$s]}" "${CHECK[$t,$s]:-}"
  done
  printf '\n  ]\n}\n'
} > "$json"
cp "$csv" "$WORK/results/physical-latest.csv"
cp "$json" "$WORK/results/physical-latest.json"

echo
echo "Data: pgbench scale $SCALE + blobs ($BLOB_ROWS rows, $(mib "$BLOB_BYTES") MiB); database bench $(mib "$DB_BYTES") MiB, data directory $(mib "$DATA_BYTES") MiB"
echo "Between full and incr: pgbench -c 2 -j 2 -T $PGBENCH_SECONDS: $TXNS transactions ($TPS tps); PITR target $PITR_TS"
echo "pgbench_history: $SRC_ROWS rows at the end, $PITR_ROWS committed at or before the target"
echo "Versions: $VERSIONS"
echo "Warm page cache before every step; pgBackRest's peak RSS is that of its largest process (main or one of $PROCESS_MAX workers)."
echo
printf '%-10s %-13s %9s %10s %11s %12s %5s  %s\n' tool step "wall (s)" "RSS (MiB)" "size (MiB)" "added (MiB)" exit check
for r in "${ROWS[@]}"; do
  t=${r% *}; s=${r#* }
  printf '%-10s %-13s %9s %10s %11s %12s %5s  %s\n' "$t" "$s" "${WALL[$t,$s]}" "$(kib2mib "${RSS[$t,$s]/-/}")" \
    "$(mib "${SIZE[$t,$s]}")" "$(mib "${ADDED[$t,$s]:-}")" "${RC[$t,$s]}" "${CHECK[$t,$s]:-}"
done
echo "(size: repository after a backup (WAL included), restored data directory after a restore; added: repository"
echo " growth from before pgbench to after the incremental backup, WAL archived/streamed meanwhile included;"
echo " pitr and rpo-restore: until the restored server is promoted; walstream: wal-stream's lifetime)"

if has_tool pgbackrest && has_tool lifeboat; then
  echo
  echo "Lifeboat / pgBackRest (below 1.00x: Lifeboat is faster / smaller):"
  row() { printf '  %-34s %8s %8s\n' "$1" "$2" "$3"; }
  row "" "vs zst" "vs lz4"
  row "full backup time" "$(ratio "$(val WALL lifeboat full)" "$(val WALL pgbackrest full-zst)")" "$(ratio "$(val WALL lifeboat full)" "$(val WALL pgbackrest full-lz4)")"
  row "full backup repository size" "$(ratio "$(val SIZE lifeboat full)" "$(val SIZE pgbackrest full-zst)")" "$(ratio "$(val SIZE lifeboat full)" "$(val SIZE pgbackrest full-lz4)")"
  row "full backup peak RSS" "$(ratio "$(val RSS lifeboat full)" "$(val RSS pgbackrest full-zst)")" "$(ratio "$(val RSS lifeboat full)" "$(val RSS pgbackrest full-lz4)")"
  row "incremental backup time" "$(ratio "$(val WALL lifeboat incr)" "$(val WALL pgbackrest incr)")" ""
  row "incremental size added (with WAL)" "$(ratio "$(val ADDED lifeboat incr)" "$(val ADDED pgbackrest incr)")" ""
  row "restore time (latest)" "$(ratio "$(val WALL lifeboat restore)" "$(val WALL pgbackrest restore)")" ""
  row "restore peak RSS" "$(ratio "$(val RSS lifeboat restore)" "$(val RSS pgbackrest restore)")" ""
  row "PITR to a running server" "$(ratio "$(val WALL lifeboat pitr)" "$(val WALL pgbackrest pitr)")" ""
fi
if [ ${#RPO_ACKED[@]} -gt 0 ]; then
  echo
  echo "RPO: pgbench -c 4 -T $RPO_SECONDS of single-row inserts, server killed (SIGKILL) at $RPO_KILL_AT s, latest state restored:"
  printf '  %-10s %12s %12s %12s %14s\n' tool acknowledged restored "lost commits" "lost time (s)"
  for t in pgbackrest lifeboat; do
    [ -n "${RPO_ACKED[$t]:-}" ] && printf '  %-10s %12s %12s %12s %14s\n' "$t" "${RPO_ACKED[$t]}" "${RPO_ROWS[$t]}" "${RPO_LOST[$t]}" "${RPO_SECS[$t]}"
  done
  echo "  (pgBackRest: archive-push with archive_timeout=60s; Lifeboat: wal-stream)"
fi
echo
[ -n "$BUILD_SECONDS" ] && echo "The seed cluster was built in this run ($BUILD_SECONDS s)."
echo "Raw results: $csv and $json; logs in $LOGS"
if [ ${#FAILED[@]} -gt 0 ]; then
  echo
  echo "PROBLEMS:"
  printf '  %s\n' "${FAILED[@]}"
  exit 1
fi
