#!/usr/bin/env bash
# Compares Lifeboat with restic and borg on a real file tree (the Linux 6.1 source).
#
# For every tool, each with its own fresh, encrypted repository, it times three steps on
# identical data:
#   backup1  first backup of the tree
#   backup2  second backup after a deterministic mutation: ~5% of the files get a line
#            appended, ~1% are deleted, a few new files are added
#   restore  restore of the latest snapshot into an empty directory (verified afterwards)
# and records wall time, peak RSS (/usr/bin/time %M) and repository size (du -sb).
#
# The tree is copied once per run to bench/work/data/tree; every tool backs up that same
# copy: all first backups run, then the copy is mutated once, then all second backups run,
# then all restores. Before every timed step the source tree (or, for restores, the
# repository) is read once so that every tool starts from a warm page cache, and `sync`
# flushes the previous step's writes.
#
# Environment:
#   LIFEBOAT_CMD   command that runs Lifeboat (default: the ./lifeboat launcher); may hold
#                  several words, e.g. "java -XX:+UseSerialGC -Xmx1g -jar /tmp/bench-lifeboat.jar"
#   BENCH_TOOLS    tools to run, space or comma separated (default: "lifeboat restic borg")
#   BENCH_SUBSET   path inside the kernel tree to use instead of the whole tree (e.g. drivers/net)
#   BENCH_WORK     work directory (default: bench/work)
#   BENCH_THREADS  if set, passed as --threads to Lifeboat
#   BENCH_KEEP_RESTORES=1  keep the restored trees (default: deleted once every step is measured)
#   LIFEBOAT_KDF   passed through to `lifeboat init` (default: Lifeboat's own default)
#
# Results: a table and ratios on stdout; raw results in $BENCH_WORK/results/files-<stamp>.{csv,json}
# (and files-latest.{csv,json}); per-step logs in $BENCH_WORK/logs/.
set -euo pipefail

BENCH_DIR="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")" && pwd)"
ROOT="$(dirname "$BENCH_DIR")"
WORK="${BENCH_WORK:-$BENCH_DIR/work}"
LIFEBOAT_CMD="${LIFEBOAT_CMD:-$ROOT/lifeboat}"
read -ra LB <<< "$LIFEBOAT_CMD"
TOOLS=(${BENCH_TOOLS:-lifeboat restic borg})
TOOLS=(${TOOLS[@]//,/ })
SUBSET="${BENCH_SUBSET:-}"
PASS="bench-passphrase-not-secret"
KERNEL_TAR=/usr/src/linux-source-6.1.tar.xz
STEPS=(backup1 backup2 restore)

log() { printf '[%s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }

for t in "${TOOLS[@]}"; do
  case "$t" in lifeboat|restic|borg) ;; *) die "unknown tool '$t' in BENCH_TOOLS";; esac
done
has_tool() { local t; for t in "${TOOLS[@]}"; do [ "$t" = "$1" ] && return 0; done; return 1; }

# ---------------------------------------------------------------- prerequisites
install_missing() {
  local pkgs=()
  has_tool restic && ! command -v restic >/dev/null && pkgs+=(restic)
  has_tool borg && ! command -v borg >/dev/null && pkgs+=(borgbackup)
  [ -f "$KERNEL_TAR" ] || pkgs+=(linux-source-6.1)
  [ -x /usr/bin/time ] || pkgs+=(time)
  if [ ${#pkgs[@]} -gt 0 ]; then
    log "installing ${pkgs[*]} with apt-get"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${pkgs[@]}" >/dev/null
  fi
}

extract_kernel() {
  SRC="$WORK/linux-src/linux-source-6.1"
  if [ -f "$WORK/linux-src/.complete" ] && [ -d "$SRC" ]; then
    log "reusing extracted kernel tree $SRC"
  else
    log "extracting $KERNEL_TAR into $WORK/linux-src"
    rm -rf "$WORK/linux-src"
    mkdir -p "$WORK/linux-src"
    tar -xJf "$KERNEL_TAR" -C "$WORK/linux-src"
    [ -d "$SRC" ] || die "expected $SRC after extraction"
    touch "$WORK/linux-src/.complete"
  fi
  if [ -n "$SUBSET" ]; then
    [ -d "$SRC/$SUBSET" ] || die "BENCH_SUBSET=$SUBSET is not a directory in $SRC"
    SRC="$SRC/$SUBSET"
  fi
}

# ---------------------------------------------------------------- helpers
# Reads every file of a tree so that it is in the page cache.
warm() { find "$1" -type f -print0 | xargs -0 -r -n 500 cat > /dev/null; }

# Content manifest: type, path, size, sha256 of files, symlink targets.
content_manifest() {
  (cd "$1" && {
    find . -mindepth 1 \( -type d -printf 'd %P\n' \) -o \( -type l -printf 'l %P -> %l\n' \) \
      -o \( -type f -printf 'f %P %s\n' \) -o -printf '? %P\n'
    find . -type f -print0 | xargs -0 -r -n 500 sha256sum | sed 's|  \./|  |'
  } | LC_ALL=C sort)
}
# Metadata manifest: permission bits of everything, mtime (to the second) of files.
meta_manifest() {
  (cd "$1" && find . -mindepth 1 \( -type f -printf 'f %P %m %TY-%Tm-%Td_%TH:%TM:%TS\n' \) \
      -o \( ! -type l -printf '%y %P %m\n' \) | sed -E 's/(:[0-9]{2})\.[0-9]+$/\1/' | LC_ALL=C sort)
}

declare -A WALL RSS SIZE RC VERIFY META
RESULT_ROWS=()

# measure TOOL STEP REPO CMD...: runs CMD under /usr/bin/time, records wall, RSS, repo size.
measure() {
  local tool=$1 step=$2 repo=$3; shift 3
  local tf="$WORK/logs/$tool-$step.time" lf="$WORK/logs/$tool-$step.log" rc=0
  sync
  log "$tool $step: $*"
  /usr/bin/time -f '%e %M' -o "$tf" "$@" > "$lf" 2>&1 || rc=$?
  # /usr/bin/time writes "Command exited with non-zero status N" before the numbers.
  local nums; nums=$(tail -n 1 "$tf")
  WALL[$tool,$step]=${nums% *}
  RSS[$tool,$step]=${nums#* }
  SIZE[$tool,$step]=$(du -sb "$repo" | cut -f1)
  RC[$tool,$step]=$rc
  log "$tool $step: ${WALL[$tool,$step]} s, peak RSS ${RSS[$tool,$step]} KiB, repo ${SIZE[$tool,$step]} B, exit $rc"
  if [ "$rc" -ne 0 ]; then
    # borg exits 1 for warnings (e.g. file changed during backup); Lifeboat 3 for unreadable files.
    log "$tool $step exited $rc; last lines of $lf:"
    tail -n 20 "$lf" >&2
    if ! { [ "$tool" = borg ] && [ "$rc" = 1 ]; } && ! { [ "$tool" = lifeboat ] && [ "$rc" = 3 ]; }; then
      FAILED+=("$tool $step (exit $rc, see $lf)")
    fi
  fi
}

repo_of() { echo "$WORK/repos/$1"; }

tool_env() {
  export LIFEBOAT_PASSWORD="$PASS" RESTIC_PASSWORD="$PASS" BORG_PASSPHRASE="$PASS"
  export RESTIC_CACHE_DIR="$WORK/cache/restic" BORG_BASE_DIR="$WORK/cache/borg"
  export BORG_RELOCATED_REPO_ACCESS_IS_OK=yes BORG_UNKNOWN_UNENCRYPTED_REPO_ACCESS_IS_OK=no
  export LIFEBOAT_NO_PROGRESS=1
  unset LIFEBOAT_REPOSITORY RESTIC_REPOSITORY BORG_REPO
}

lb_threads() { [ -n "${BENCH_THREADS:-}" ] && echo "--threads=$BENCH_THREADS"; return 0; }

init_repo() {
  local tool=$1 repo; repo=$(repo_of "$1")
  case "$tool" in
    lifeboat) "${LB[@]}" init -q -r "$repo" ;;
    restic)   restic init -q -r "$repo" ;;
    borg)     borg init -e repokey-blake2 "$repo" ;;
  esac > "$WORK/logs/$tool-init.log" 2>&1 || { cat "$WORK/logs/$tool-init.log" >&2; die "$tool init failed"; }
}

run_backup() {
  local tool=$1 step=$2 repo; repo=$(repo_of "$1")
  case "$tool" in
    lifeboat) measure "$tool" "$step" "$repo" "${LB[@]}" backup -q --json -r "$repo" $(lb_threads) "$DATA/tree" ;;
    restic)   measure "$tool" "$step" "$repo" restic backup -q --json -r "$repo" "$DATA/tree" ;;
    borg)     measure "$tool" "$step" "$repo" borg create --stats --compression zstd,3 "$repo::$step" "$DATA/tree" ;;
  esac
}

run_restore() {
  local tool=$1 repo target; repo=$(repo_of "$1"); target="$WORK/restore/$tool"
  rm -rf "$target"; mkdir -p "$target"
  case "$tool" in
    lifeboat) measure "$tool" restore "$repo" "${LB[@]}" restore -q -r "$repo" $(lb_threads) --target "$target" latest ;;
    restic)   measure "$tool" restore "$repo" restic restore -q -r "$repo" --target "$target" latest ;;
    borg)     measure "$tool" restore "$repo" env -C "$target" borg extract "$repo::backup2" ;;
  esac
  # Every tool stores the absolute path: the tree comes back under $target$DATA/tree.
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

# Deterministic mutation of $DATA/tree: files in C-locale sorted order, index i (0-based):
# i % 20 == 7 -> append a line (5%), i % 100 == 3 -> delete (1%); then new files are added.
mutate() {
  local tree="$DATA/tree" i n appended=0 deleted=0 added=0
  local -a files
  mapfile -d '' files < <(cd "$tree" && find . -type f -print0 | LC_ALL=C sort -z)
  n=${#files[@]}
  for ((i = 0; i < n; i++)); do
    if ((i % 20 == 7)); then
      printf '/* lifeboat bench: line appended to file %d */\n' "$i" >> "$tree/${files[i]}"
      appended=$((appended + 1))
    elif ((i % 100 == 3)); then
      rm -f -- "$tree/${files[i]}"
      deleted=$((deleted + 1))
    fi
  done
  # New files: 20 text files in a new directory (reversed lines of existing files, so they do
  # not deduplicate against them), 5 new files in existing directories, one 8 MiB binary file.
  mkdir -p "$tree/zz-bench-new"
  for ((i = 0; i < 20; i++)); do
    local f="${files[(i * n / 20 + 1) % n]}"
    [ -f "$tree/$f" ] || f="${files[(i * n / 20 + 2) % n]}"
    { printf 'new file %d derived from %s\n' "$i" "$f"; rev < "$tree/$f"; } > "$tree/zz-bench-new/new-$i.txt"
    added=$((added + 1))
  done
  for ((i = 0; i < 5; i++)); do
    local f="${files[(i * n / 5 + 11) % n]}"
    { printf 'bench new file %d\n' "$i"; tac < "$tree/$f"; } > "$(dirname "$tree/$f")/zz-bench-new-$i.txt"
    added=$((added + 1))
  done
  if command -v openssl >/dev/null; then
    head -c 8388608 /dev/zero | openssl enc -aes-128-ctr -nosalt \
      -K 000102030405060708090a0b0c0d0e0f -iv 00000000000000000000000000000000 > "$tree/zz-bench-new/random.bin"
  else
    head -c 8388608 /dev/urandom > "$tree/zz-bench-new/random.bin"
  fi
  added=$((added + 1))
  MUTATION="$n files: $appended appended to, $deleted deleted, $added added"
  log "mutation: $MUTATION"
}

# ---------------------------------------------------------------- main
install_missing
mkdir -p "$WORK"
extract_kernel

DATA="$WORK/data"
STAMP=$(date -u +%Y%m%dT%H%M%SZ)
FAILED=()
MUTATION=""
tool_env
# What a previous run left is moved aside now and deleted only after this run's measurements:
# on this VM's journal-less ext4, creating files within minutes of deleting many others makes the
# kernel skip every recently deleted inode (recently_deleted()), and a restore then ran 5-8x slower.
TRASH="$WORK/trash.$STAMP"
mkdir -p "$TRASH"
for d in "$DATA" "$WORK/repos" "$WORK/restore" "$WORK/cache"; do
  [ -e "$d" ] && mv "$d" "$TRASH/"
done
rm -rf "$WORK/logs"
mkdir -p "$DATA" "$WORK/repos" "$WORK/restore" "$WORK/cache" "$WORK/logs" "$WORK/results"

log "copying $SRC to $DATA/tree"
cp -a "$SRC" "$DATA/tree"
NFILES=$(find "$DATA/tree" -type f | wc -l)
NBYTES=$(du -sb --apparent-size "$DATA/tree" | cut -f1)
log "tree: $NFILES files, $NBYTES bytes (apparent)"

if has_tool lifeboat; then
  log "Lifeboat command: ${LB[*]}"
  "${LB[@]}" --version > "$WORK/logs/lifeboat-version.log" 2>&1 || die "lifeboat --version failed: $(cat "$WORK/logs/lifeboat-version.log")"
fi
VERSIONS=""
has_tool lifeboat && VERSIONS+="$(tail -n1 "$WORK/logs/lifeboat-version.log"); "
has_tool restic && VERSIONS+="$(restic version | cut -d' ' -f1-2); "
has_tool borg && VERSIONS+="$(borg --version); "

for t in "${TOOLS[@]}"; do init_repo "$t"; done

for t in "${TOOLS[@]}"; do warm "$DATA/tree"; run_backup "$t" backup1; done
mutate
for t in "${TOOLS[@]}"; do warm "$DATA/tree"; run_backup "$t" backup2; done
log "computing the source manifests"
content_manifest "$DATA/tree" > "$WORK/logs/source.content"
meta_manifest "$DATA/tree" > "$WORK/logs/source.meta"
for t in "${TOOLS[@]}"; do warm "$(repo_of "$t")"; run_restore "$t"; done
[ -n "$(ls -A "$WORK/cache")" ] && CACHE_BYTES=$(du -sb "$WORK/cache" | cut -f1) || CACHE_BYTES=0

# ---------------------------------------------------------------- report
csv="$WORK/results/files-$STAMP.csv"
json="$WORK/results/files-$STAMP.json"
echo "tool,step,wall_s,peak_rss_kib,repo_bytes,exit_code,restore_content,restore_metadata" > "$csv"
for t in "${TOOLS[@]}"; do
  for s in "${STEPS[@]}"; do
    v=""; m=""; [ "$s" = restore ] && { v="${VERIFY[$t]:-}"; m="${META[$t]:-}"; }
    echo "$t,$s,${WALL[$t,$s]},${RSS[$t,$s]},${SIZE[$t,$s]},${RC[$t,$s]},$v,$m" >> "$csv"
  done
done
{
  printf '{\n  "date": "%s",\n  "host": "%s",\n  "cpus": %s,\n' "$STAMP" "$(hostname)" "$(nproc)"
  printf '  "subset": "%s",\n  "files": %s,\n  "bytes": %s,\n' "$SUBSET" "$NFILES" "$NBYTES"
  printf '  "mutation": "%s",\n  "versions": "%s",\n  "lifeboat_cmd": "%s",\n' "$MUTATION" "$VERSIONS" "${LB[*]}"
  printf '  "results": [\n'
  first=1
  for t in "${TOOLS[@]}"; do
    for s in "${STEPS[@]}"; do
      [ $first = 1 ] || printf ',\n'; first=0
      printf '    {"tool": "%s", "step": "%s", "wall_s": %s, "peak_rss_kib": %s, "repo_bytes": %s, "exit_code": %s' \
        "$t" "$s" "${WALL[$t,$s]}" "${RSS[$t,$s]}" "${SIZE[$t,$s]}" "${RC[$t,$s]}"
      [ "$s" = restore ] && printf ', "restore_content": "%s", "restore_metadata": "%s"' "${VERIFY[$t]:-}" "${META[$t]:-}"
      printf '}'
    done
  done
  printf '\n  ]\n}\n'
} > "$json"
cp "$csv" "$WORK/results/files-latest.csv"
cp "$json" "$WORK/results/files-latest.json"

echo
echo "Data: ${SUBSET:-whole tree} of linux-source-6.1: $NFILES files, $(awk -v b="$NBYTES" 'BEGIN{printf "%.1f MiB", b/1048576}')"
echo "Mutation before backup2: $MUTATION"
echo "Versions: $VERSIONS"
echo
printf '%-9s %-8s %10s %12s %14s %5s  %s\n' tool step "wall (s)" "RSS (MiB)" "repo (MiB)" exit "restore check (content / mode+mtime)"
for t in "${TOOLS[@]}"; do
  for s in "${STEPS[@]}"; do
    extra=""; [ "$s" = restore ] && extra="${VERIFY[$t]:-} / ${META[$t]:-}"
    printf '%-9s %-8s %10s %12s %14s %5s  %s\n' "$t" "$s" "${WALL[$t,$s]}" \
      "$(awk -v k="${RSS[$t,$s]}" 'BEGIN{printf "%.1f", k/1024}')" \
      "$(awk -v b="${SIZE[$t,$s]}" 'BEGIN{printf "%.1f", b/1048576}')" "${RC[$t,$s]}" "$extra"
  done
done
if has_tool lifeboat && [ ${#TOOLS[@]} -gt 1 ]; then
  echo
  echo "Lifeboat against the others (time: other/lifeboat, >1x means Lifeboat is faster;"
  echo "RSS and repository size: lifeboat/other, <1x means Lifeboat uses less):"
  for s in "${STEPS[@]}"; do
    for t in "${TOOLS[@]}"; do
      [ "$t" = lifeboat ] && continue
      awk -v s="$s" -v t="$t" -v ot="${WALL[$t,$s]}" -v lt="${WALL[lifeboat,$s]}" \
          -v orss="${RSS[$t,$s]}" -v lrss="${RSS[lifeboat,$s]}" -v osz="${SIZE[$t,$s]}" -v lsz="${SIZE[lifeboat,$s]}" '
        function r(a, b) { return b > 0 ? sprintf("%.2fx", a / b) : "n/a" }
        BEGIN { printf "  %-8s time %s/lifeboat = %-7s  RSS lifeboat/%s = %-7s  repo lifeboat/%s = %s\n",
                s, t, r(ot, lt), t, r(lrss, orss), t, r(lsz, osz) }'
    done
  done
fi
# Deletions only now, after every measured step (see TRASH above).
rm -rf "$WORK"/trash.*
[ "${BENCH_KEEP_RESTORES:-0}" = 1 ] || rm -rf "$WORK/restore"
echo
echo "Caches outside the repositories (restic cache, borg base dir): $CACHE_BYTES bytes"
echo "Raw results: $csv and $json; logs in $WORK/logs"
if [ ${#FAILED[@]} -gt 0 ]; then
  echo
  echo "PROBLEMS:"
  printf '  %s\n' "${FAILED[@]}"
  exit 1
fi
