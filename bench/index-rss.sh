#!/usr/bin/env bash
# Measures Lifeboat's peak RSS and time with a repository of more than a million blobs.
#
# It creates a repository with tiny chunks (--chunker-min 64 --chunker-avg 128
# --chunker-max 256), backs up ~200 MB of pseudo-random data from stdin (-> >1M data blobs),
# then measures peak RSS and wall time of commands that load the whole index:
#   small-backup  a second backup of 1 MiB from stdin
#   check         lifeboat check (structure)
#   check-read    lifeboat check --read-data (only with INDEX_RSS_READ_DATA=1)
#   stats         lifeboat stats --json (prints data_blobs and index_memory_bytes)
#   restore       restore of the small snapshot (verified by sha256)
#
# Environment:
#   LIFEBOAT_CMD     command that runs Lifeboat (default: the ./lifeboat launcher); may hold
#                    several words, e.g. "java -XX:+UseSerialGC -Xmx1g -jar /tmp/bench-lifeboat.jar"
#   BENCH_WORK       work directory (default: bench/work)
#   INDEX_RSS_MB     MiB of random data for the big backup (default: 200)
#   INDEX_RSS_READ_DATA=1  also time `check --read-data`
#   LIFEBOAT_KDF     Argon2 parameters for init (default here: m=8192,t=1,p=1, so that the
#                    KDF's memory does not hide the index in the RSS numbers)
# Results: table on stdout, raw results in $BENCH_WORK/results/index-rss-<stamp>.{csv,json}.
set -euo pipefail

BENCH_DIR="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")" && pwd)"
ROOT="$(dirname "$BENCH_DIR")"
WORK="${BENCH_WORK:-$BENCH_DIR/work}"
LIFEBOAT_CMD="${LIFEBOAT_CMD:-$ROOT/lifeboat}"
read -ra LB <<< "$LIFEBOAT_CMD"
MB="${INDEX_RSS_MB:-200}"
D="$WORK/index-rss"
REPO="$D/repo"
export LIFEBOAT_PASSWORD="bench-passphrase-not-secret" LIFEBOAT_NO_PROGRESS=1
export LIFEBOAT_KDF="${LIFEBOAT_KDF:-m=8192,t=1,p=1}"
unset LIFEBOAT_REPOSITORY

log() { printf '[%s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }

if [ ! -x /usr/bin/time ]; then
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq time >/dev/null
fi

rm -rf "$D"; mkdir -p "$D/logs" "$WORK/results"
STEPS=()
declare -A WALL RSS RC
FAILED=()

# measure STEP CMD... (stdin of the command comes from $IN, default /dev/null)
measure() {
  local step=$1; shift
  local tf="$D/logs/$step.time" lf="$D/logs/$step.log" rc=0
  sync
  log "$step: $*"
  /usr/bin/time -f '%e %M' -o "$tf" "$@" < "${IN:-/dev/null}" > "$lf" 2>&1 || rc=$?
  local nums; nums=$(tail -n 1 "$tf")
  WALL[$step]=${nums% *}; RSS[$step]=${nums#* }; RC[$step]=$rc
  STEPS+=("$step")
  log "$step: ${WALL[$step]} s, peak RSS ${RSS[$step]} KiB, exit $rc"
  if [ "$rc" -ne 0 ]; then
    tail -n 30 "$lf" >&2
    FAILED+=("$step exited $rc (see $lf)")
  fi
}

# Deterministic pseudo-random data (AES-CTR keystream), or /dev/urandom without openssl.
random_bytes() { # BYTES KEYHEX
  if command -v openssl >/dev/null; then
    head -c "$1" /dev/zero | openssl enc -aes-128-ctr -nosalt -K "$2" -iv 00000000000000000000000000000000
  else
    head -c "$1" /dev/urandom
  fi
}

log "generating $MB MiB of random data"
random_bytes $((MB * 1048576)) 00112233445566778899aabbccddeeff > "$D/big.bin"
random_bytes 1048576 ffeeddccbbaa99887766554433221100 > "$D/small.bin"

"${LB[@]}" init -q -r "$REPO" --chunker-min 64 --chunker-avg 128 --chunker-max 256 > "$D/logs/init.log" 2>&1 \
  || { cat "$D/logs/init.log" >&2; die "init failed"; }

IN="$D/big.bin" measure big-backup "${LB[@]}" backup -q --json -r "$REPO" --stdin --stdin-name big.bin
IN="$D/small.bin" measure small-backup "${LB[@]}" backup -q --json -r "$REPO" --stdin --stdin-name small.bin
SMALL_ID=$(grep -m1 '"snapshot"' "$D/logs/small-backup.log" | sed -E 's/.*: *"([0-9a-f]+)".*/\1/' || true)
measure check "${LB[@]}" check -r "$REPO"
if [ "${INDEX_RSS_READ_DATA:-0}" = 1 ]; then
  measure check-read "${LB[@]}" check --read-data -r "$REPO"
fi
measure stats "${LB[@]}" stats --json -r "$REPO"
rm -rf "$D/restore"; mkdir -p "$D/restore"
if [ -n "$SMALL_ID" ]; then
  measure restore "${LB[@]}" restore -q -r "$REPO" --target "$D/restore" "$SMALL_ID"
  got=$(find "$D/restore" -type f -name small.bin | head -n1)
  if [ -n "$got" ] && cmp -s "$got" "$D/small.bin"; then
    RESTORE_OK="identical"
  else
    RESTORE_OK="DIFFERENT or missing (${got:-no small.bin restored})"
    FAILED+=("restore of the small snapshot: $RESTORE_OK")
  fi
else
  RESTORE_OK="not run (no snapshot id from the small backup)"
  FAILED+=("small backup printed no snapshot id")
fi

json_num() { grep -m1 "\"$1\"" "$D/logs/stats.log" | sed -E 's/.*: *([0-9.]+).*/\1/' || true; }
DATA_BLOBS=$(json_num data_blobs); TREE_BLOBS=$(json_num tree_blobs)
INDEX_MEM=$(json_num index_memory_bytes); PACKS=$(json_num packs)
REPO_BYTES=$(du -sb "$REPO" | cut -f1)

STAMP=$(date -u +%Y%m%dT%H%M%SZ)
csv="$WORK/results/index-rss-$STAMP.csv"; json="$WORK/results/index-rss-$STAMP.json"
echo "step,wall_s,peak_rss_kib,exit_code" > "$csv"
for s in "${STEPS[@]}"; do echo "$s,${WALL[$s]},${RSS[$s]},${RC[$s]}" >> "$csv"; done
{
  printf '{\n  "date": "%s",\n  "cpus": %s,\n  "random_mib": %s,\n  "lifeboat_cmd": "%s",\n' "$STAMP" "$(nproc)" "$MB" "${LB[*]}"
  printf '  "data_blobs": %s,\n  "tree_blobs": %s,\n  "packs": %s,\n  "index_memory_bytes": %s,\n  "repo_bytes": %s,\n' \
    "${DATA_BLOBS:-null}" "${TREE_BLOBS:-null}" "${PACKS:-null}" "${INDEX_MEM:-null}" "$REPO_BYTES"
  printf '  "small_restore": "%s",\n  "results": [\n' "$RESTORE_OK"
  first=1
  for s in "${STEPS[@]}"; do
    [ $first = 1 ] || printf ',\n'; first=0
    printf '    {"step": "%s", "wall_s": %s, "peak_rss_kib": %s, "exit_code": %s}' "$s" "${WALL[$s]}" "${RSS[$s]}" "${RC[$s]}"
  done
  printf '\n  ]\n}\n'
} > "$json"
cp "$csv" "$WORK/results/index-rss-latest.csv"; cp "$json" "$WORK/results/index-rss-latest.json"

echo
echo "Repository: $MB MiB of random data from stdin, chunks 64/128/256 B; $(awk -v b="$REPO_BYTES" 'BEGIN{printf "%.1f MiB", b/1048576}') on disk"
echo "stats: data_blobs=${DATA_BLOBS:-?} tree_blobs=${TREE_BLOBS:-?} packs=${PACKS:-?} index_memory_bytes=${INDEX_MEM:-?}" \
  "($(awk -v b="${INDEX_MEM:-0}" -v n="${DATA_BLOBS:-0}" 'BEGIN{printf "%.1f MiB, %.1f B/blob", b/1048576, (n > 0 ? b/n : 0)}'))"
echo "Lifeboat command: ${LB[*]}"
echo
printf '%-13s %10s %12s %5s\n' step "wall (s)" "RSS (MiB)" exit
for s in "${STEPS[@]}"; do
  printf '%-13s %10s %12s %5s\n' "$s" "${WALL[$s]}" "$(awk -v k="${RSS[$s]}" 'BEGIN{printf "%.1f", k/1024}')" "${RC[$s]}"
done
echo "small restore: $RESTORE_OK"
echo "Raw results: $csv and $json; logs in $D/logs"
if [ ${#FAILED[@]} -gt 0 ]; then
  echo; echo "PROBLEMS:"; printf '  %s\n' "${FAILED[@]}"; exit 1
fi
