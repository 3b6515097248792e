#!/usr/bin/env bash
# Compares Lifeboat with restic's own S3 backend on the same S3 endpoint (S3Proxy, run locally
# with its filesystem backend), on the same data as bench/files.sh (the Linux 6.1 source).
#
# For each tool, each with its own fresh, encrypted repository in its own bucket, it times:
#   backup1  first backup of the tree
#   backup2  second backup after the deterministic mutation of bench/files.sh (~5% of the files
#            get a line appended, ~1% are deleted, a few new files are added)
#   restore  restore of the latest snapshot into an empty directory (verified byte for byte)
#   copy     copy of all snapshots into a second S3 repository (the destination is initialised
#            untimed as a copy of the source: `lifeboat init --copy-of`,
#            `restic init --from-repo --copy-chunker-params`)
# and records wall time, peak RSS of the tool's process (/usr/bin/time %M; S3Proxy's own memory
# and CPU are not included) and the bucket size on S3Proxy's disk (du -sb).
#
# S3Proxy (target/s3proxy/s3proxy.jar, copied there by `./mvnw -o test-compile`) is started as a
# child process like src/test/java/dev/lifeboat/testing/S3ProxyServer.java does: filesystem
# backend under $BENCH_WORK/s3proxy/data, a fixed identity, aws-v2-or-v4 signatures, an endpoint
# on a free 127.0.0.1 port. Buckets are directories of the filesystem backend and are created as
# such before S3Proxy starts. S3Proxy is stopped on exit.
#
# Environment:
#   LIFEBOAT_CMD   command that runs Lifeboat (default: the ./lifeboat launcher), e.g.
#                  "java -XX:+UseSerialGC -Xms16m -Xmx1g -jar /tmp/s3bench-lifeboat.jar"
#   BENCH_TOOLS    tools to run, space or comma separated (default: "lifeboat restic")
#   BENCH_SUBSET   path inside the kernel tree to use instead of the whole tree (e.g. drivers/net)
#   BENCH_WORK     work directory (default: bench/work; this script uses $BENCH_WORK/s3 and
#                  $BENCH_WORK/s3proxy, and reuses the kernel tree extracted in $BENCH_WORK/linux-src)
#   BENCH_THREADS  if set, passed as --threads to Lifeboat
#   S3PROXY_JAR    S3Proxy jar (default: target/s3proxy/s3proxy.jar)
#   S3PROXY_HEAP   S3Proxy's -Xmx (default: 512m)
#
# Results: a table and ratios on stdout; raw results in $BENCH_WORK/s3/results/s3-<stamp>.csv
# (and s3-latest.csv); per-step logs in $BENCH_WORK/s3/logs/.
set -euo pipefail

BENCH_DIR="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")" && pwd)"
ROOT="$(dirname "$BENCH_DIR")"
BASE="${BENCH_WORK:-$BENCH_DIR/work}"
WORK="$BASE/s3"
LIFEBOAT_CMD="${LIFEBOAT_CMD:-$ROOT/lifeboat}"
read -ra LB <<< "$LIFEBOAT_CMD"
TOOLS=(${BENCH_TOOLS:-lifeboat restic})
TOOLS=(${TOOLS[@]//,/ })
SUBSET="${BENCH_SUBSET:-}"
PASS="bench-passphrase-not-secret"
KERNEL_TAR=/usr/src/linux-source-6.1.tar.xz
S3PROXY_JAR="${S3PROXY_JAR:-$ROOT/target/s3proxy/s3proxy.jar}"
S3_ACCESS="lifeboat-bench-access"
S3_SECRET="lifeboat-bench-secret-0123456789"
STEPS=(backup1 backup2 restore copy)

log() { printf '[%s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }

for t in "${TOOLS[@]}"; do
  case "$t" in lifeboat|restic) ;; *) die "unknown tool '$t' in BENCH_TOOLS (lifeboat, restic)";; esac
done
has_tool() { local t; for t in "${TOOLS[@]}"; do [ "$t" = "$1" ] && return 0; done; return 1; }

# ---------------------------------------------------------------- prerequisites
install_missing() {
  local pkgs=()
  has_tool restic && ! command -v restic >/dev/null && pkgs+=(restic)
  [ -f "$KERNEL_TAR" ] || [ -f "$BASE/linux-src/.complete" ] || pkgs+=(linux-source-6.1)
  [ -x /usr/bin/time ] || pkgs+=(time)
  command -v curl >/dev/null || pkgs+=(curl)
  if [ ${#pkgs[@]} -gt 0 ]; then
    log "installing ${pkgs[*]} with apt-get"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${pkgs[@]}" >/dev/null
  fi
  if [ ! -f "$S3PROXY_JAR" ]; then
    log "S3Proxy jar missing: running ./mvnw -q -B process-test-resources"
    (cd "$ROOT" && ./mvnw -q -B process-test-resources) || die "could not fetch S3Proxy"
    [ -f "$S3PROXY_JAR" ] || die "S3Proxy jar not found at $S3PROXY_JAR"
  fi
}

# Same extraction as bench/files.sh (shares its extracted tree).
extract_kernel() {
  SRC="$BASE/linux-src/linux-source-6.1"
  if [ -f "$BASE/linux-src/.complete" ] && [ -d "$SRC" ]; then
    log "reusing extracted kernel tree $SRC"
  else
    log "extracting $KERNEL_TAR into $BASE/linux-src"
    rm -rf "$BASE/linux-src"
    mkdir -p "$BASE/linux-src"
    tar -xJf "$KERNEL_TAR" -C "$BASE/linux-src"
    [ -d "$SRC" ] || die "expected $SRC after extraction"
    touch "$BASE/linux-src/.complete"
  fi
  if [ -n "$SUBSET" ]; then
    [ -d "$SRC/$SUBSET" ] || die "BENCH_SUBSET=$SUBSET is not a directory in $SRC"
    SRC="$SRC/$SUBSET"
  fi
}

# ---------------------------------------------------------------- S3Proxy
S3PID=""
S3DATA="$BASE/s3proxy/data"
stop_s3proxy() {
  if [ -n "$S3PID" ] && kill -0 "$S3PID" 2>/dev/null; then
    kill "$S3PID" 2>/dev/null || true
    for _ in $(seq 50); do kill -0 "$S3PID" 2>/dev/null || break; sleep 0.2; done
    kill -0 "$S3PID" 2>/dev/null && kill -9 "$S3PID" 2>/dev/null || true
  fi
  S3PID=""
}
trap stop_s3proxy EXIT
trap 'exit 130' INT TERM

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }

start_s3proxy() {
  local port conf="$BASE/s3proxy/s3proxy.conf" i code
  port=$(free_port)
  ENDPOINT="http://127.0.0.1:$port"
  cat > "$conf" <<EOF
s3proxy.endpoint=$ENDPOINT
s3proxy.authorization=aws-v2-or-v4
s3proxy.identity=$S3_ACCESS
s3proxy.credential=$S3_SECRET
jclouds.provider=filesystem
jclouds.identity=$S3_ACCESS
jclouds.credential=$S3_SECRET
jclouds.filesystem.basedir=$S3DATA
EOF
  log "starting S3Proxy on $ENDPOINT (data in $S3DATA)"
  java -Xmx"${S3PROXY_HEAP:-512m}" -jar "$S3PROXY_JAR" --properties "$conf" > "$WORK/logs/s3proxy.log" 2>&1 &
  S3PID=$!
  for ((i = 0; i < 600; i++)); do
    kill -0 "$S3PID" 2>/dev/null || { tail -n 40 "$WORK/logs/s3proxy.log" >&2; die "S3Proxy exited"; }
    code=$(curl -s -o /dev/null -w '%{http_code}' "$ENDPOINT/" || true)
    [ -n "$code" ] && [ "$code" != 000 ] && { log "S3Proxy answers (HTTP $code without a signature)"; return; }
    sleep 0.1
  done
  die "S3Proxy did not answer within 60 s"
}

# ---------------------------------------------------------------- helpers
# Reads every file of a tree so that it is in the page cache.
warm() { find "$1" -type f -print0 | xargs -0 -r -n 500 cat > /dev/null; }

# Content and metadata manifests: as in bench/files.sh.
content_manifest() {
  (cd "$1" && {
    find . -mindepth 1 \( -type d -printf 'd %P\n' \) -o \( -type l -printf 'l %P -> %l\n' \) \
      -o \( -type f -printf 'f %P %s\n' \) -o -printf '? %P\n'
    find . -type f -print0 | xargs -0 -r -n 500 sha256sum | sed 's|  \./|  |'
  } | LC_ALL=C sort)
}
meta_manifest() {
  (cd "$1" && find . -mindepth 1 \( -type f -printf 'f %P %m %TY-%Tm-%Td_%TH:%TM:%TS\n' \) \
      -o \( ! -type l -printf '%y %P %m\n' \) | sed -E 's/(:[0-9]{2})\.[0-9]+$/\1/' | LC_ALL=C sort)
}

declare -A WALL RSS SIZE RC VERIFY META
FAILED=()

bucket_of() { echo "$1$2"; }                  # bucket_of TOOL [-copy]
loc_of() { echo "s3:$ENDPOINT/$(bucket_of "$1" "${2:-}")/repo"; }
bucket_dir() { echo "$S3DATA/$(bucket_of "$1" "${2:-}")"; }

# measure TOOL STEP BUCKETDIR CMD...: runs CMD under /usr/bin/time, records wall, RSS, bucket size.
measure() {
  local tool=$1 step=$2 dir=$3; shift 3
  local tf="$WORK/logs/$tool-$step.time" lf="$WORK/logs/$tool-$step.log" rc=0
  sync
  log "$tool $step: $*"
  /usr/bin/time -f '%e %M' -o "$tf" "$@" > "$lf" 2>&1 || rc=$?
  local nums; nums=$(tail -n 1 "$tf")
  WALL[$tool,$step]=${nums% *}
  RSS[$tool,$step]=${nums#* }
  SIZE[$tool,$step]=$(du -sb "$dir" | cut -f1)
  RC[$tool,$step]=$rc
  log "$tool $step: ${WALL[$tool,$step]} s, peak RSS ${RSS[$tool,$step]} KiB, bucket ${SIZE[$tool,$step]} B, exit $rc"
  if [ "$rc" -ne 0 ]; then
    log "$tool $step exited $rc; last lines of $lf:"
    tail -n 20 "$lf" >&2
    if ! { [ "$tool" = lifeboat ] && [ "$rc" = 3 ]; }; then
      FAILED+=("$tool $step (exit $rc, see $lf)")
    fi
  fi
}

tool_env() {
  export LIFEBOAT_PASSWORD="$PASS" RESTIC_PASSWORD="$PASS"
  export AWS_ACCESS_KEY_ID="$S3_ACCESS" AWS_SECRET_ACCESS_KEY="$S3_SECRET"
  # both tools keep their local metadata cache (index, snapshots, trees) beside each other
  export RESTIC_CACHE_DIR="$WORK/cache/restic" LIFEBOAT_CACHE_DIR="$WORK/cache/lifeboat"
  export LIFEBOAT_NO_PROGRESS=1
  unset LIFEBOAT_REPOSITORY RESTIC_REPOSITORY LIFEBOAT_FROM_PASSWORD LIFEBOAT_FROM_PASSWORD_FILE
  unset RESTIC_FROM_REPOSITORY RESTIC_FROM_PASSWORD_FILE AWS_SESSION_TOKEN AWS_PROFILE
}

lb_threads() { [ -n "${BENCH_THREADS:-}" ] && echo "--threads=$BENCH_THREADS"; return 0; }

init_repo() {
  local tool=$1
  case "$tool" in
    lifeboat) "${LB[@]}" init -q -r "$(loc_of lifeboat)" ;;
    restic)   restic init -q -r "$(loc_of restic)" ;;
  esac > "$WORK/logs/$tool-init.log" 2>&1 || { cat "$WORK/logs/$tool-init.log" >&2; die "$tool init failed"; }
}

run_backup() {
  local tool=$1 step=$2
  case "$tool" in
    lifeboat) measure "$tool" "$step" "$(bucket_dir lifeboat)" "${LB[@]}" backup -q --json -r "$(loc_of lifeboat)" $(lb_threads) "$DATA/tree" ;;
    restic)   measure "$tool" "$step" "$(bucket_dir restic)" restic backup -q --json -r "$(loc_of restic)" "$DATA/tree" ;;
  esac
}

run_restore() {
  local tool=$1 target="$WORK/restore/$1"
  rm -rf "$target"; mkdir -p "$target"
  case "$tool" in
    lifeboat) measure "$tool" restore "$(bucket_dir lifeboat)" "${LB[@]}" restore -q -r "$(loc_of lifeboat)" $(lb_threads) --target "$target" latest ;;
    restic)   measure "$tool" restore "$(bucket_dir restic)" restic restore -q -r "$(loc_of restic)" --target "$target" latest ;;
  esac
  local got="$target$DATA/tree"
  if [ ! -d "$got" ]; then
    VERIFY[$tool]="MISSING ($got)"; META[$tool]="-"
    FAILED+=("$tool restore: $got does not exist")
    return
  fi
  content_manifest "$got" > "$WORK/logs/$tool-restore.content"
  if cmp -s "$WORK/logs/source.content" "$WORK/logs/$tool-restore.content"; then
    VERIFY[$tool]="identical"
  else
    VERIFY[$tool]="DIFFERENT"
    diff "$WORK/logs/source.content" "$WORK/logs/$tool-restore.content" > "$WORK/logs/$tool-restore.diff" || true
    FAILED+=("$tool restore differs from the source ($(grep -c '^[<>]' "$WORK/logs/$tool-restore.diff") manifest lines, see $WORK/logs/$tool-restore.diff)")
  fi
  meta_manifest "$got" > "$WORK/logs/$tool-restore.meta"
  if cmp -s "$WORK/logs/source.meta" "$WORK/logs/$tool-restore.meta"; then
    META[$tool]="identical"
  else
    diff "$WORK/logs/source.meta" "$WORK/logs/$tool-restore.meta" > "$WORK/logs/$tool-restore.metadiff" || true
    META[$tool]="differs ($(grep -c '^>' "$WORK/logs/$tool-restore.metadiff") entries)"
  fi
  log "$tool restore verification: content ${VERIFY[$tool]}, mode/mtime ${META[$tool]}"
}

# Copy of all snapshots into a second repository: the destination is initialised (untimed) as a
# copy of the source, then the copy itself is timed; afterwards the snapshot count is compared.
run_copy() {
  local tool=$1 src dst pwf="$WORK/from-password" n_src n_dst
  src=$(loc_of "$tool"); dst=$(loc_of "$tool" -copy)
  printf '%s\n' "$PASS" > "$pwf"
  case "$tool" in
    lifeboat) "${LB[@]}" init -q -r "$dst" --copy-of "$src" --from-password-file "$pwf" ;;
    restic)   restic init -q -r "$dst" --from-repo "$src" --from-password-file "$pwf" --copy-chunker-params ;;
  esac > "$WORK/logs/$tool-copy-init.log" 2>&1 || {
    cat "$WORK/logs/$tool-copy-init.log" >&2; FAILED+=("$tool copy: init of the destination failed"); return; }
  case "$tool" in
    lifeboat) measure "$tool" copy "$(bucket_dir lifeboat -copy)" "${LB[@]}" copy -q -r "$dst" --from "$src" --from-password-file "$pwf" $(lb_threads) ;;
    restic)   measure "$tool" copy "$(bucket_dir restic -copy)" restic -r "$dst" copy -q --from-repo "$src" --from-password-file "$pwf" ;;
  esac
  case "$tool" in
    lifeboat) n_src=$("${LB[@]}" snapshots -q --json -r "$src" | grep -o '"id"' | wc -l)
              n_dst=$("${LB[@]}" snapshots -q --json -r "$dst" | grep -o '"id"' | wc -l) ;;
    restic)   n_src=$(restic snapshots --json -r "$src" | grep -o '"id"' | wc -l)
              n_dst=$(restic snapshots --json -r "$dst" | grep -o '"id"' | wc -l) ;;
  esac
  COPYCHK[$tool]="$n_dst/$n_src snapshots"
  [ "$n_src" -gt 0 ] && [ "$n_src" = "$n_dst" ] || FAILED+=("$tool copy: destination has $n_dst snapshots, source $n_src")
  log "$tool copy: destination lists ${COPYCHK[$tool]}"
}
declare -A COPYCHK

# ---------------------------------------------------------------- the mutation of bench/files.sh
# Taken from bench/files.sh (function `mutate`; that script runs its benchmark when sourced, so the
# function is extracted from it rather than duplicated, keeping both scripts' mutation identical).
eval "$(sed -n '/^mutate() {$/,/^}$/p' "$BENCH_DIR/files.sh")"
declare -F mutate >/dev/null || die "could not take mutate() from $BENCH_DIR/files.sh"

# ---------------------------------------------------------------- main
install_missing
mkdir -p "$BASE"
extract_kernel

DATA="$WORK/data"
STAMP=$(date -u +%Y%m%dT%H%M%SZ)
MUTATION=""
tool_env
# What a previous run left is moved aside and deleted only after this run's measurements, as in
# bench/files.sh: creating files within minutes of deleting many is slow on this VM's ext4.
TRASH="$WORK/trash.$STAMP"
mkdir -p "$TRASH"
for d in "$WORK/data" "$WORK/restore" "$WORK/cache" "$BASE/s3proxy"; do
  [ -e "$d" ] && mv "$d" "$TRASH/$(basename "$d")"
done
rm -rf "$WORK/logs"
mkdir -p "$DATA" "$WORK/restore" "$WORK/cache" "$WORK/logs" "$WORK/results" "$S3DATA"
for t in "${TOOLS[@]}"; do mkdir -p "$(bucket_dir "$t")" "$(bucket_dir "$t" -copy)"; done

log "copying $SRC to $DATA/tree"
cp -a "$SRC" "$DATA/tree"
NFILES=$(find "$DATA/tree" -type f | wc -l)
NBYTES=$(du -sb --apparent-size "$DATA/tree" | cut -f1)
log "tree: $NFILES files, $NBYTES bytes (apparent)"

start_s3proxy

if has_tool lifeboat; then
  log "Lifeboat command: ${LB[*]}"
  "${LB[@]}" --version > "$WORK/logs/lifeboat-version.log" 2>&1 || die "lifeboat --version failed: $(cat "$WORK/logs/lifeboat-version.log")"
fi
VERSIONS=""
has_tool lifeboat && VERSIONS+="$(tail -n1 "$WORK/logs/lifeboat-version.log"); "
has_tool restic && VERSIONS+="$(restic version | cut -d' ' -f1-2); "
VERSIONS+="S3Proxy $(basename "$S3PROXY_JAR")"

for t in "${TOOLS[@]}"; do init_repo "$t"; done

for t in "${TOOLS[@]}"; do warm "$DATA/tree"; run_backup "$t" backup1; done
mutate
for t in "${TOOLS[@]}"; do warm "$DATA/tree"; run_backup "$t" backup2; done
log "computing the source manifests"
content_manifest "$DATA/tree" > "$WORK/logs/source.content"
meta_manifest "$DATA/tree" > "$WORK/logs/source.meta"
for t in "${TOOLS[@]}"; do warm "$(bucket_dir "$t")"; run_restore "$t"; done
for t in "${TOOLS[@]}"; do warm "$(bucket_dir "$t")"; run_copy "$t"; done
stop_s3proxy

# ---------------------------------------------------------------- report
csv="$WORK/results/s3-$STAMP.csv"
echo "tool,step,wall_s,peak_rss_kib,bucket_bytes,exit_code,check" > "$csv"
for t in "${TOOLS[@]}"; do
  for s in "${STEPS[@]}"; do
    c=""; [ "$s" = restore ] && c="${VERIFY[$t]:-} / ${META[$t]:-}"; [ "$s" = copy ] && c="${COPYCHK[$t]:-}"
    echo "$t,$s,${WALL[$t,$s]:-},${RSS[$t,$s]:-},${SIZE[$t,$s]:-},${RC[$t,$s]:-},$c" >> "$csv"
  done
done
cp "$csv" "$WORK/results/s3-latest.csv"

echo
echo "Data: ${SUBSET:-whole tree} of linux-source-6.1: $NFILES files, $(awk -v b="$NBYTES" 'BEGIN{printf "%.1f MiB", b/1048576}')"
echo "Mutation before backup2: $MUTATION"
echo "Versions: $VERSIONS; endpoint: S3Proxy (filesystem backend) on $ENDPOINT"
echo
printf '%-9s %-8s %10s %12s %14s %5s  %s\n' tool step "wall (s)" "RSS (MiB)" "bucket (MiB)" exit "check"
for t in "${TOOLS[@]}"; do
  for s in "${STEPS[@]}"; do
    c=""; [ "$s" = restore ] && c="${VERIFY[$t]:-} / ${META[$t]:-}"; [ "$s" = copy ] && c="${COPYCHK[$t]:-}"
    printf '%-9s %-8s %10s %12s %14s %5s  %s\n' "$t" "$s" "${WALL[$t,$s]:--}" \
      "$(awk -v k="${RSS[$t,$s]:-0}" 'BEGIN{printf "%.1f", k/1024}')" \
      "$(awk -v b="${SIZE[$t,$s]:-0}" 'BEGIN{printf "%.1f", b/1048576}')" "${RC[$t,$s]:--}" "$c"
  done
done
if has_tool lifeboat && has_tool restic; then
  echo
  echo "restic/lifeboat (time: >1x means Lifeboat is faster; RSS and bucket: lifeboat/restic, <1x means Lifeboat uses less):"
  for s in "${STEPS[@]}"; do
    awk -v s="$s" -v ot="${WALL[restic,$s]:-0}" -v lt="${WALL[lifeboat,$s]:-0}" \
        -v orss="${RSS[restic,$s]:-0}" -v lrss="${RSS[lifeboat,$s]:-0}" -v osz="${SIZE[restic,$s]:-0}" -v lsz="${SIZE[lifeboat,$s]:-0}" '
      function r(a, b) { return (a > 0 && b > 0) ? sprintf("%.2fx", a / b) : "n/a" }
      BEGIN { printf "  %-8s time restic/lifeboat = %-7s  RSS lifeboat/restic = %-7s  bucket lifeboat/restic = %s\n",
              s, r(ot, lt), r(lrss, orss), r(lsz, osz) }'
  done
fi
echo
rm -rf "$WORK"/trash.* "$WORK/restore" # only now, after every measured step
echo "Raw results: $csv; logs in $WORK/logs"
if [ ${#FAILED[@]} -gt 0 ]; then
  echo
  echo "PROBLEMS:"
  printf '  %s\n' "${FAILED[@]}"
  exit 1
fi
