# Helpers shared by the benchmark scripts (sourced by bench/pg.sh and bench/physical.sh). A script
# that sources this file defines before calling them:
#   TOOLS  (array)  the tools selected with BENCH_TOOLS       (has_tool)
#   LOGS            directory of the per-step logs              (measure)
#   PGBIN           PostgreSQL binaries                         (as_pg callers)
# and may define a function `before_measure`, run before every timed step (e.g. a CHECKPOINT).
# Environment read here: PGHOST/PGPORT/PGUSER as usual for psql.

log() { printf '[%s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }
has_tool() { local t; for t in "${TOOLS[@]}"; do [ "$t" = "$1" ] && return 0; done; return 1; }

# as_pg CMD...: runs CMD as the `postgres` OS user (initdb and the server refuse root), from /.
as_pg() { runuser -u postgres -- env -C / "$@"; }

port_free() { python3 -c 'import socket,sys; s=socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1); s.bind(("127.0.0.1",int(sys.argv[1]))); s.close()' "$1" 2>/dev/null; }

sql() { psql -X -v ON_ERROR_STOP=1 -qAt "$@"; }

# Reads every file of a directory tree into the page cache.
warm() { { find "$@" -type f -print0 | xargs -0 -r -n 500 cat > /dev/null; } 2>/dev/null || true; }

dusize() { if [ -e "$1" ]; then du -sb "$1" | cut -f1; else echo 0; fi; }
q() { printf '%q' "$1"; }

# Rows in the order run ("tool step"), their numbers, and the failures to report at the end.
declare -A WALL=() RSS=() SIZE=() ADDED=() RC=() CHECK=()
FAILED=()
ROWS=()

# measure TOOL STEP SIZEPATH CMD: runs the shell command CMD under /usr/bin/time (after before_measure,
# if defined, and sync), records wall time, peak RSS and (if SIZEPATH is not empty) du -sb SIZEPATH.
measure() {
  local tool=$1 step=$2 sizepath=$3 cmd=$4
  local tf="$LOGS/$tool-$step.time" lf="$LOGS/$tool-$step.log" rc=0 nums
  # The checkpoint first, then sync: a checkpoint after a large restore leaves hundreds of MiB dirty in
  # the page cache (the bench cluster runs with fsync=off), and the kernel wrote them back during
  # whichever step came next; sync takes that out of every measurement.
  if declare -F before_measure > /dev/null; then before_measure; fi
  sync
  log "$tool $step: $cmd"
  /usr/bin/time -f '%e %M' -o "$tf" bash -o pipefail -c "$cmd" > "$lf" 2>&1 || rc=$?
  # /usr/bin/time writes "Command exited with non-zero status N" before the numbers.
  nums=$(tail -n 1 "$tf")
  WALL[$tool,$step]=${nums% *}
  RSS[$tool,$step]=${nums#* }
  SIZE[$tool,$step]=""
  [ -n "$sizepath" ] && [ -e "$sizepath" ] && SIZE[$tool,$step]=$(dusize "$sizepath")
  RC[$tool,$step]=$rc
  ROWS+=("$tool $step")
  log "$tool $step: ${WALL[$tool,$step]} s, peak RSS ${RSS[$tool,$step]} KiB, size ${SIZE[$tool,$step]:--} B, exit $rc"
  if [ "$rc" -ne 0 ]; then
    log "$tool $step exited $rc; last lines of $lf:"
    tail -n 20 "$lf" >&2
    FAILED+=("$tool $step (exit $rc, see $lf)")
  fi
  return 0
}

# ---------------------------------------------------------------- report helpers
mib() { if [ -n "${1:-}" ]; then awk -v b="$1" 'BEGIN{printf "%.1f", b/1048576}'; else echo -; fi; }
kib2mib() { if [ -n "${1:-}" ]; then awk -v k="$1" 'BEGIN{printf "%.1f", k/1024}'; else echo -; fi; }
jnum() { if [ -n "${1:-}" ]; then echo "$1"; else echo null; fi; }
# val ARRAY TOOL STEP: the value, or nothing if the step is missing, failed or its check failed.
val() { local -n arr=$1; [ "${RC[$2,$3]:-1}" = 0 ] && [ "${CHECK[$2,$3]:-OK}" = OK ] && echo "${arr[$2,$3]:-}"; return 0; }
# ratio A B: A/B with two decimals, or n/a.
ratio() { awk -v a="${1:-}" -v b="${2:-}" 'BEGIN { if (a != "" && b != "" && b + 0 > 0) printf "%.2fx", a / b; else printf "n/a" }'; }

# ---------------------------------------------------------------- data
# Rows of a `blobs` table, deterministic (fixed seed), in COPY text format: bytea of 1000-3000
# random bytes, hex text of 256 random bytes, jsonb with random hex strings and numbers (the same
# generator as bench/pg.sh). Usage: python3 -c "$BLOB_GEN" ROWS | psql ... -c "COPY blobs FROM STDIN"
BLOB_GEN='
import sys, random, json
n = int(sys.argv[1]); r = random.Random(20261123); out = sys.stdout; buf = []
for i in range(1, n + 1):
    b = r.randbytes(r.randint(1000, 3000)).hex()
    h = r.randbytes(256).hex()
    j = json.dumps({"id": i, "uuid": r.randbytes(16).hex(), "score": r.random(), "n": r.getrandbits(40),
                    "tags": [r.randbytes(4).hex() for _ in range(4)], "ok": r.random() < 0.5,
                    "note": r.randbytes(24).hex()}, separators=(",", ":"))
    buf.append(f"{i}\t\\\\x{b}\t{h}\t{j}\n")
    if len(buf) >= 2000:
        out.write("".join(buf)); buf.clear()
out.write("".join(buf))
'

# apt_install PKG...: installs the packages named with apt-get (on a fresh machine); none: nothing.
apt_install() {
  [ $# -gt 0 ] || return 0
  log "installing $* with apt-get"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" > /dev/null
}

# pg_client_env PORT: psql and friends reach the bench cluster on 127.0.0.1:PORT as postgres, and
# nothing from the caller's environment redirects them.
pg_client_env() {
  export PATH="$PGBIN:$PATH"
  export PGHOST=127.0.0.1 PGPORT="$1" PGUSER=postgres
  unset PGDATABASE PGPASSWORD PGSERVICE
  export PGOPTIONS="-c client_min_messages=warning"
}
