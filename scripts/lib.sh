# shellcheck shell=bash
# Bootstrap and orchestration for ./x. Every step checks first and skips when done,
# so a second run costs seconds.

WEB_TOOLCHAIN="cadence-web"           # rustup name of Debian's rustc-web, linked from /usr
PG_PORT="${CADENCE_PG_PORT:-54329}"
DATA_DIR="$CADENCE_ROOT/.data"        # git-ignored: the local PostgreSQL cluster lives here
PG_DIR="$DATA_DIR/pg"
PG_RUN="$DATA_DIR/pg-run"
LOCAL_DB_URL_BASE="postgres://cadence@127.0.0.1:$PG_PORT"
# CI may run with a bare environment: make sure HOME (rustup, cargo, npm caches) is set.
export HOME="${HOME:-$(getent passwd "$(id -u)" | cut -d: -f6)}"
# sbin too: runuser, useradd (and initdb's helpers) live there, and a bare CI environment
# may leave it out of PATH.
export PATH="$HOME/.cargo/bin:$PATH:/usr/local/sbin:/usr/sbin:/sbin"
export SQLX_OFFLINE="${SQLX_OFFLINE:-true}"

say() { printf '\033[1;34m==>\033[0m %s\n' "$*" >&2; }
warn() { printf '\033[1;33mwarning:\033[0m %s\n' "$*" >&2; }
die() { printf '\033[1;31merror:\033[0m %s\n' "$*" >&2; exit 1; }

is_debian() { [ -r /etc/debian_version ] && command -v apt-get >/dev/null; }

as_root() {
  if [ "$(id -u)" = 0 ]; then "$@"
  elif command -v sudo >/dev/null; then sudo "$@"
  else return 1; fi
}

APT_UPDATED=""
# apt_install PKG...: installs the Debian packages that are missing, or says exactly what to install.
apt_install() {
  local missing=() p
  for p in "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing+=("$p")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  if ! is_debian; then
    die "not a Debian machine: install these by hand (Debian names): ${missing[*]}"
  fi
  if [ "$(id -u)" != 0 ] && ! command -v sudo >/dev/null; then
    die "need root or sudo to run: apt-get install -y --no-install-recommends ${missing[*]}"
  fi
  say "installing Debian packages: ${missing[*]}"
  if [ -z "$APT_UPDATED" ]; then as_root apt-get update -q >/dev/null; APT_UPDATED=1; fi
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}" >/dev/null
}

# --- Rust toolchain able to build wasm32 -----------------------------------------------

toolchain_has_wasm() { # $1 = toolchain name
  local sysroot
  sysroot="$(rustc +"$1" --print sysroot 2>/dev/null)" || return 1
  compgen -G "$sysroot/lib/rustlib/wasm32-unknown-unknown/lib/libstd-*.rlib" >/dev/null
}

select_toolchain() {
  if [ -n "${RUSTUP_TOOLCHAIN:-}" ]; then return 0; fi
  command -v rustup >/dev/null || return 1
  if toolchain_has_wasm "$WEB_TOOLCHAIN"; then
    export RUSTUP_TOOLCHAIN="$WEB_TOOLCHAIN"
  else
    return 1
  fi
}

rustc_at_least_1_96() { # $1 = toolchain; the workspace's dependencies need rustc >= 1.96
  local v; v="$(rustc +"$1" --version 2>/dev/null | awk '{print $2}')" || return 1
  [ "$(printf '%s\n1.96.0\n' "${v%%-*}" | sort -V | head -1)" = "1.96.0" ]
}

bootstrap_toolchain() {
  select_toolchain && { say "toolchain: $RUSTUP_TOOLCHAIN ($(rustc --version))"; return 0; }
  local default=""
  if command -v rustup >/dev/null; then
    default="$(rustup show active-toolchain 2>/dev/null | cut -d' ' -f1)"
  fi
  # A machine whose rustup works (a laptop): the ordinary way, bounded since it can hang.
  if [ -n "$default" ] && rustc_at_least_1_96 "$default"; then
    if toolchain_has_wasm "$default" || timeout 60 rustup target add wasm32-unknown-unknown --toolchain "$default" >&2; then
      export RUSTUP_TOOLCHAIN="$default"
      say "toolchain: $RUSTUP_TOOLCHAIN ($(rustc --version))"
      return 0
    fi
  fi
  is_debian || die "need Rust >= 1.96 with the wasm32 target: run 'rustup update stable && rustup target add wasm32-unknown-unknown'"
  say "rustup cannot add wasm32 here: building it from Debian's rustc-web (offline route)"
  apt_install rustc-web cargo-web rust-web-src rust-web-llvm rust-web-clippy rustfmt-web lld-22
  if ! compgen -G "/usr/lib/rustlib/wasm32-unknown-unknown/lib/libstd-*.rlib" >/dev/null; then
    local scratch; scratch="$(mktemp -d)"
    mkdir -p "$scratch/src"
    printf '[package]\nname = "wasm-std"\nversion = "0.0.0"\nedition = "2021"\n[lib]\ncrate-type = ["cdylib"]\n' >"$scratch/Cargo.toml"
    echo 'pub fn f() -> usize { std::collections::HashMap::<u8, u8>::new().len() }' >"$scratch/src/lib.rs"
    say "building the wasm32 standard library (about a minute)"
    (cd "$scratch" && RUSTC=/usr/bin/rustc RUSTC_BOOTSTRAP=1 RUSTUP_TOOLCHAIN= /usr/bin/cargo build -q --release \
        -Zbuild-std=std,panic_abort --target wasm32-unknown-unknown) || die "building the wasm32 std failed"
    as_root mkdir -p /usr/lib/rustlib/wasm32-unknown-unknown/lib
    as_root cp "$scratch"/target/wasm32-unknown-unknown/release/deps/lib*.rlib /usr/lib/rustlib/wasm32-unknown-unknown/lib/
    rm -rf "$scratch"
  fi
  if command -v rustup >/dev/null; then
    rustup toolchain list | grep -q "^$WEB_TOOLCHAIN" || rustup toolchain link "$WEB_TOOLCHAIN" /usr
    toolchain_has_wasm "$WEB_TOOLCHAIN" || die "toolchain $WEB_TOOLCHAIN still has no wasm32 std"
    export RUSTUP_TOOLCHAIN="$WEB_TOOLCHAIN"
  else
    # No rustup at all: Debian's cargo and rustc in /usr/bin are the toolchain.
    export PATH="/usr/bin:$PATH"
  fi
  say "toolchain: ${RUSTUP_TOOLCHAIN:-Debian rustc} ($(rustc --version))"
}

# --- Build tools from crates.io ---------------------------------------------------------

# The wasm-bindgen version in Cargo.lock: the CLI must be exactly the same.
locked_wasm_bindgen_version() {
  awk '/^name = "wasm-bindgen"$/ { getline; gsub(/version = |"/, ""); print; exit }' "$CADENCE_ROOT/Cargo.lock"
}

bootstrap_wasm_bindgen() {
  local want; want="$(locked_wasm_bindgen_version)"
  [ -n "$want" ] || die "no wasm-bindgen in Cargo.lock"
  if wasm-bindgen --version 2>/dev/null | grep -q " $want\$"; then return 0; fi
  say "installing wasm-bindgen-cli $want (a few minutes, once)"
  # Not --locked: its lock names a crate version the registry here does not serve.
  cargo install wasm-bindgen-cli --version "$want" --force
}

# wasm-split-cli: cuts the wasm module at the app's lazily loaded pages (app/src/pages/lazy.rs)
# into a first module and one file per page. Pinned to the version of the wasm_split_helpers
# crate that Leptos builds into the app (Cargo.lock), whose loader it pairs with.
WASM_SPLIT_VERSION=0.2.3
bootstrap_wasm_split() {
  # The tool has no --version: cargo's record of what it installed says which one is there.
  if command -v wasm-split-cli >/dev/null \
     && grep -qs "^\"wasm_split_cli_support $WASM_SPLIT_VERSION " "${CARGO_HOME:-$HOME/.cargo}/.crates.toml"; then
    return 0
  fi
  say "installing wasm-split-cli $WASM_SPLIT_VERSION (about two minutes, once)"
  cargo install wasm_split_cli_support --version "$WASM_SPLIT_VERSION" --locked \
    --features build-binary --force
}

# Binaryen's optimiser, from crates.io (its build compiles binaryen's C++; Debian's binaryen
# 108 writes modules Chromium refuses: "WebAssembly.Table.set(): Argument 1 is invalid").
WASM_OPT_VERSION=0.116.1
bootstrap_wasm_opt() {
  if command -v wasm-opt >/dev/null \
     && grep -qs "^\"wasm-opt $WASM_OPT_VERSION " "${CARGO_HOME:-$HOME/.cargo}/.crates.toml"; then
    return 0
  fi
  say "installing wasm-opt $WASM_OPT_VERSION (binaryen, about eight minutes, once)"
  cargo install wasm-opt --version "$WASM_OPT_VERSION" --locked --force
}

bootstrap_node_deps() {
  command -v node >/dev/null && command -v npm >/dev/null || apt_install nodejs npm
  apt_install chromium
  if [ ! -d "$CADENCE_ROOT/end2end/node_modules/playwright-core" ] \
     || [ "$CADENCE_ROOT/end2end/package-lock.json" -nt "$CADENCE_ROOT/end2end/node_modules/.package-lock.json" ]; then
    say "installing the browser-test packages (playwright-core; no browser download)"
    (cd "$CADENCE_ROOT/end2end" && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund --loglevel=error)
  fi
}

# --- PostgreSQL -------------------------------------------------------------------------

pg_bin() {
  local dir
  for dir in /usr/lib/postgresql/*/bin; do
    [ -x "$dir/initdb" ] && { echo "$dir"; return 0; }
  done
  command -v initdb >/dev/null && { dirname "$(command -v initdb)"; return 0; }
  return 1
}

bootstrap_postgres() {
  pg_bin >/dev/null || apt_install postgresql
  pg_bin >/dev/null || die "PostgreSQL server programs (initdb, pg_ctl) not found: install PostgreSQL 15 or newer"
  command -v psql >/dev/null || apt_install postgresql-client
}

# PostgreSQL refuses to run as root: as root, the cluster belongs to the 'postgres' user.
pg_as_owner() {
  if [ "$(id -u)" = 0 ]; then
    id -u postgres >/dev/null 2>&1 || useradd --system --home-dir /var/lib/postgresql --shell /bin/bash postgres
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}

local_db_running() {
  [ -f "$PG_DIR/postmaster.pid" ] && pg_as_owner "$(pg_bin)/pg_ctl" -D "$PG_DIR" status >/dev/null 2>&1
}

STARTED_DB=""
# Starts the project-local cluster (creating it the first time) and exports DATABASE_URL.
start_local_db() {
  local bin; bin="$(pg_bin)"
  mkdir -p "$DATA_DIR"
  if [ "$(id -u)" = 0 ]; then
    chown postgres: "$DATA_DIR"
    # The owner must be able to reach the data directory through every parent.
    local d="$DATA_DIR"
    while [ "$d" != / ]; do
      d="$(dirname "$d")"
      if [ -z "$(find "$d" -maxdepth 0 -perm -o+x)" ]; then
        say "letting the postgres user through $d (chmod o+x), to reach .data/pg"
        chmod o+x "$d" 2>/dev/null || true
      fi
    done
  fi
  if [ ! -f "$PG_DIR/PG_VERSION" ]; then
    say "creating a local PostgreSQL cluster in .data/pg (port $PG_PORT)"
    pg_as_owner "$bin/initdb" -D "$PG_DIR" -U cadence --auth=trust --encoding=UTF8 --locale=C.UTF-8 >/dev/null
  fi
  mkdir -p "$PG_RUN"; [ "$(id -u)" = 0 ] && chown postgres: "$PG_RUN"
  if ! local_db_running; then
    pg_as_owner "$bin/pg_ctl" -D "$PG_DIR" -l "$DATA_DIR/pg.log" -w -t 60 start \
      -o "-p $PG_PORT -k $PG_RUN -c listen_addresses=127.0.0.1 -c max_connections=200" >/dev/null \
      || die "PostgreSQL did not start: see .data/pg.log"
    STARTED_DB=1
    say "local PostgreSQL started on 127.0.0.1:$PG_PORT"
  fi
  psql "$LOCAL_DB_URL_BASE/postgres" -Atqc "select 1 from pg_database where datname = 'cadence'" | grep -q 1 \
    || psql "$LOCAL_DB_URL_BASE/postgres" -qc "create database cadence" >/dev/null
  export DATABASE_URL="$LOCAL_DB_URL_BASE/cadence"
}

stop_local_db() {
  if local_db_running; then
    pg_as_owner "$(pg_bin)/pg_ctl" -D "$PG_DIR" -m fast -w stop >/dev/null && say "local PostgreSQL stopped"
  fi
}

# --- Cleaning up, however ./x ends ---------------------------------------------------------

# trap_cleanup FUNCTION: runs FUNCTION when this shell (or subshell) ends: normally, on an
# error, on Ctrl-C (INT) or on SIGTERM. FUNCTION must be idempotent (it may be reached
# twice) and quiet when there is nothing to clean. It keeps the exit status: after a signal
# it cleans, then raises the signal again, so the caller sees 130 (Ctrl-C) or 143 (TERM).
# Bash runs a signal trap once the foreground command has finished; Ctrl-C reaches that
# command as well, so in practice the cleaning starts at once.
trap_cleanup() {
  local fn="$1" sig
  # shellcheck disable=SC2064  # expanded now, on purpose: $fn and $sig are fixed here
  trap "$fn" EXIT
  for sig in INT TERM; do
    # shellcheck disable=SC2064
    trap "$fn; trap - $sig EXIT; kill -$sig \$BASHPID" "$sig"
  done
}

# The main shell's cleanup: stops the local PostgreSQL only if this run started it (one the
# user started stays up), as a normal exit always has.
on_exit() {
  if [ -n "$STARTED_DB" ]; then
    STARTED_DB=""
    stop_local_db || true
  fi
}

# --- The whole bootstrap -----------------------------------------------------------------

bootstrap() {
  local t0=$SECONDS
  # brotli: the release build precompresses its assets (gzip is always there).
  apt_install build-essential pkg-config ca-certificates curl brotli
  bootstrap_toolchain
  bootstrap_wasm_bindgen
  bootstrap_wasm_split
  bootstrap_wasm_opt
  bootstrap_postgres
  export LEPTOS_OUTPUT_NAME=cadence   # read at compile time by leptos: the name of the site's files
  say "bootstrap done in $((SECONDS - t0)) s"
}

# --- Run ----------------------------------------------------------------------------------

use_or_start_db() {
  if [ -n "${DATABASE_URL:-}" ]; then
    say "using DATABASE_URL from the environment (no local PostgreSQL started)"
  else
    start_local_db
    # on_exit does nothing unless this run started the cluster.
    if [ -n "$STARTED_DB" ]; then trap on_exit EXIT; fi
  fi
}

# The browser half: the frontend crate compiled to wasm (linked with relocations kept,
# .cargo/config.toml), cut by wasm-split-cli into the first module and one file per lazily
# loaded page plus the code they share, the first module's JS glue from wasm-bindgen, and the
# stylesheet. Written to $1 as cadence.{js,wasm,css}, __wasm_split.js (the pages' loader,
# which fetches their files relative to itself) and split_*.wasm / chunk_*.wasm. With $2 =
# "names", the modules keep their functions' names (the tests' stack traces); without, they
# are dropped (a fifth of the first module, most of the pages' modules).
# Always the size-optimised wasm-release profile: the tests run what users get, one wasm build
# serves both, and wasm-split-cli 0.2.3 cuts an unoptimised (wasm-dev) module into modules
# that fail at run time ("memory access out of bounds").
build_front() {
  local out="$1" names="${2:-}" tmp
  # Two of rustc's size flags are unstable, allowed on a stable compiler by RUSTC_BOOTSTRAP
  # for this build only: panics carry no file and line (-Zlocation-detail=none), and `{:?}`
  # prints nothing (-Zfmt-debug=none; messages both halves show quote through Display,
  # domain::Quoted). Together 4% of the first module, brotli.
  (cd "$CADENCE_ROOT" && RUSTC_BOOTSTRAP=1 \
     CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUSTFLAGS="-Clink-args=--emit-relocs --cfg erase_components -Zlocation-detail=none -Zfmt-debug=none" \
     cargo build -p frontend --lib --target wasm32-unknown-unknown \
     --profile wasm-release --target-dir target/front) || return 1
  tmp="$out.new"
  rm -rf "$tmp"; mkdir -p "$tmp/split"
  wasm-split-cli --target web --out-name cadence \
    "$CADENCE_ROOT/target/front/wasm32-unknown-unknown/wasm-release/frontend.wasm" "$tmp/split" \
    || return 1
  # --keep-lld-exports: the pages' modules link against the first module's exports.
  wasm-bindgen --target web --no-typescript --keep-lld-exports --no-demangle \
    --out-name cadence --out-dir "$tmp" \
    $([ "$names" = names ] || echo "--remove-name-section --remove-producers-section") \
    "$tmp/split/cadence.wasm" || return 1
  rm "$tmp/split/cadence.wasm"
  # The first module, once more through binaryen (-O1 until it stops shrinking: 2% smaller in
  # brotli; -Os and -O2 came out larger). Its exports, which the page modules import, stay.
  wasm-opt -O1 --converge $([ "$names" = names ] && echo -g) \
    --enable-bulk-memory --enable-sign-ext --enable-mutable-globals \
    --enable-nontrapping-float-to-int --enable-reference-types --enable-multivalue \
    "$tmp/cadence_bg.wasm" -o "$tmp/cadence_bg.wasm" || return 1
  [ "$names" = names ] || "$CADENCE_ROOT/scripts/wasm-strip-names" "$tmp/split/"*.wasm || return 1
  # The imports from the glue get short names in both (7 KB less brotli to load first).
  "$CADENCE_ROOT/scripts/wasm-short-imports" "$tmp/cadence_bg.wasm" "$tmp/cadence.js" || return 1
  mv "$tmp/cadence_bg.wasm" "$tmp/cadence.wasm"
  mv "$tmp/split/"* "$tmp/"
  rmdir "$tmp/split"
  cp "$CADENCE_ROOT/style/main.css" "$tmp/cadence.css"
  rm -rf "$out"; mv "$tmp" "$out"
}

# The debug build: what `./x test` tests and `./x dev` serves. --tests: the server is built
# together with the test targets, so cargo resolves one feature set (dev-dependencies
# included) for the build and for `cargo test`, and the tests rebuild nothing.
build_site() {
  say "building Cadence, debug (server and browser halves)"
  (cd "$CADENCE_ROOT" && cargo build -p app -p server --bins --tests) || return 1
  build_front "$CADENCE_ROOT/target/site/pkg" names
}

# The release build users run: the browser half optimised for size in a directory named by a
# hash of all its files (pkg/HASH/: its files refer to each other by relative names, and each
# may be cached for good), compressed (gzip, brotli) ahead of time, then all of it embedded in
# one optimised server binary, target/release/server (server/build.rs reads CADENCE_SITE).
RELEASE_SITE="$CADENCE_ROOT/target/site-release"
build_release() {
  say "building Cadence, release (server and browser halves)"
  local front="$RELEASE_SITE/front" hash f
  build_front "$front" || return 1
  hash="$(cd "$front" && find . -type f | LC_ALL=C sort | xargs cat | sha256sum | cut -c1-16)"
  for f in "$front"/*; do
    gzip -9 -n -k -f "$f"
    brotli -q 11 -k -f "$f"
  done
  rm -rf "$RELEASE_SITE/pkg"; mkdir -p "$RELEASE_SITE/pkg"
  mv "$front" "$RELEASE_SITE/pkg/$hash"
  echo "$hash" >"$RELEASE_SITE/bundle"
  (cd "$CADENCE_ROOT" && CADENCE_SITE="$RELEASE_SITE" cargo build --release -p server --bin server)
}

# The .deb: the release binary as /usr/bin/cadence, its systemd unit and a default env file
# (a conffile: an upgrade keeps the one edited). Written to target/cadence_VERSION_ARCH.deb.
package_deb() {
  local version arch stage deb
  version="$(awk -F'"' '/^version = / { print $2; exit }' "$CADENCE_ROOT/Cargo.toml")"
  arch="$(dpkg --print-architecture)"
  stage="$CADENCE_ROOT/target/deb/cadence"
  deb="$CADENCE_ROOT/target/cadence_${version}_${arch}.deb"
  [ -x "$CADENCE_ROOT/target/release/server" ] || die "no release build: run build_release first"
  rm -rf "$stage"
  mkdir -p "$stage/DEBIAN" "$stage/usr/bin" "$stage/lib/systemd/system" "$stage/etc/cadence" \
    "$stage/usr/share/doc/cadence"
  install -m 0755 "$CADENCE_ROOT/target/release/server" "$stage/usr/bin/cadence"
  # Without its symbol table: 40 MB less (panics still name their file and line).
  strip --strip-all "$stage/usr/bin/cadence"
  install -m 0644 "$CADENCE_ROOT/deploy/cadence.service" "$stage/lib/systemd/system/cadence.service"
  install -m 0640 "$CADENCE_ROOT/deploy/cadence.env" "$stage/etc/cadence/cadence.env"
  install -m 0644 "$CADENCE_ROOT/deploy/nginx-cadence.conf" "$stage/usr/share/doc/cadence/nginx-cadence.conf"
  cat >"$stage/DEBIAN/control" <<CONTROL
Package: cadence
Version: $version
Architecture: $arch
Maintainer: Cadence developers <cadence@localhost>
Depends: libc6 (>= 2.36), libgcc-s1
Recommends: postgresql
Section: web
Priority: optional
Installed-Size: $(du -sk "$stage" | cut -f1)
Description: Agile/Scrum work tracker (backlog, sprints, board, velocity)
 Cadence serves its pages, JSON API and browser code from one binary. Set
 DATABASE_URL in /etc/cadence/cadence.env, then: systemctl enable --now cadence
CONTROL
  echo "/etc/cadence/cadence.env" >"$stage/DEBIAN/conffiles"
  cat >"$stage/DEBIAN/postinst" <<'POSTINST'
#!/bin/sh
set -e
# Not started here: it needs a DATABASE_URL first (/etc/cadence/cadence.env).
if [ -d /run/systemd/system ]; then systemctl daemon-reload || true; fi
POSTINST
  chmod 0755 "$stage/DEBIAN/postinst"
  dpkg-deb --root-owner-group -Zxz --build "$stage" "$deb" >/dev/null
  say "built $deb ($(du -h "$deb" | cut -f1))"
}

# ./x run: the release build, served.
run_app() {
  use_or_start_db
  build_release
  local addr="${CADENCE_ADDR:-127.0.0.1:3000}"
  say "starting Cadence on http://$addr/ (Ctrl-C stops it)"
  cd "$CADENCE_ROOT"
  # Not exec: the EXIT trap stops the local PostgreSQL when the server ends.
  CADENCE_ADDR="$addr" "$CADENCE_ROOT/target/release/server" serve
}

# ./x dev: the debug build (the one `./x test` tests, build_site), served from
# target/debug/server, rebuilt and restarted whenever a source file changes (inotifywait).
# Reload the browser after "serving" appears again. (cargo-leptos's own watch built a
# browser half that did not hydrate: README, Other verbs.)
run_dev() {
  command -v inotifywait >/dev/null || apt_install inotify-tools
  use_or_start_db
  cd "$CADENCE_ROOT"
  local pid="" addr="${CADENCE_ADDR:-127.0.0.1:3000}"
  # Ctrl-C: the server stops, and so does the local PostgreSQL if this run started it.
  trap '[ -z "$pid" ] || kill "$pid" 2>/dev/null; on_exit' EXIT
  while true; do
    if build_site; then
      if [ -n "$pid" ]; then kill "$pid" 2>/dev/null; wait "$pid" 2>/dev/null || true; fi
      CADENCE_ADDR="$addr" LEPTOS_SITE_ROOT=target/site target/debug/server serve &
      pid=$!
      say "serving the debug build on http://$addr/ (rebuilt on every change; Ctrl-C stops)"
    else
      warn "the build failed: fix it and save, it is tried again"
    fi
    inotifywait -qq -r -e modify,create,delete,move \
      app/src server/src frontend/src style migrations Cargo.toml || return 1
  done
}

# --- Test -----------------------------------------------------------------------------------

FAILED=()
step() { # step NAME COMMAND...: runs it, records a failure, carries on
  local name="$1"; shift
  say "$name"
  if "$@"; then return 0; fi
  FAILED+=("$name")
}

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])' 2>/dev/null \
    || echo $((20000 + RANDOM % 20000))
}

# What browser_tests has started and created, for cleanup_e2e (set only in its subshell).
E2E_PID="" E2E_DB="" E2E_ADMIN_URL=""

# Stops the browser-test server and drops its database, if they are still there. Silent:
# after Ctrl-C the tee its output went through is gone.
cleanup_e2e() {
  local pids="$E2E_PID" db="$E2E_DB" pid dog
  E2E_PID="" E2E_DB=""
  for pid in $pids; do
    if kill -TERM "$pid" 2>/dev/null; then
      # The server shuts down gracefully on SIGTERM; one that hangs gets SIGKILL after 10 s.
      ( sleep 10; kill -KILL "$pid" ) >/dev/null 2>&1 &
      dog=$!
      wait "$pid" >/dev/null 2>&1 || true
      kill "$dog" >/dev/null 2>&1 || true
    fi
  done
  if [ -n "$db" ]; then
    psql "$E2E_ADMIN_URL" -qc "drop database if exists $db" >/dev/null 2>&1 || true
  fi
}

# Starts a test server process on port $1 (log $2) over the e2e database; its PID joins
# E2E_PID. Waits until it answers.
start_e2e_server() {
  local port="$1" log="$2" pid i
  # Every browser test registers its own people from this one address: the per-address
  # registration limit (tested over HTTP) is raised for the run.
  (cd "$CADENCE_ROOT" && DATABASE_URL="${DATABASE_URL%/*}/$E2E_DB" CADENCE_ADDR="127.0.0.1:$port" \
     CADENCE_REGISTRATIONS_PER_HOUR=10000 \
     LEPTOS_SITE_ROOT=target/site CADENCE_LOG=warn exec "${E2E_SERVER_BIN:-target/debug/server}" serve) >"$log" 2>&1 &
  # The server itself (the subshell execs it); it shares ./x's process group, so it is
  # stopped by its PID alone.
  pid=$!
  E2E_PID="$E2E_PID $pid"
  for i in $(seq 1 120); do
    curl -fsS "http://127.0.0.1:$port/readyz" >/dev/null 2>&1 && return 0
    kill -0 "$pid" 2>/dev/null || { cat "$log" >&2; return 1; }
    sleep 0.5
  done
  # Running the browser tests against a server that never answered only buries the cause.
  echo "the test server was not ready after 60 s; its log:" >&2; tail -20 "$log" >&2
  return 1
}

# The real server binary, on its own port and fresh database, driven by Chromium. A second
# process of it on another port over the same database is where the live-update tests put
# their second person (CADENCE_URL_2): what crosses processes goes through PostgreSQL.
# A subshell (parentheses, not braces), so its cleanup trap is its own: whether the tests
# end, fail or are interrupted, the servers are stopped and the database dropped.
browser_tests() (
  E2E_DB="cadence_e2e_$$" E2E_ADMIN_URL="${DATABASE_URL%/*}/postgres"
  trap_cleanup cleanup_e2e
  local db="$E2E_DB" admin_url="$E2E_ADMIN_URL" port port2 rc=0 pid
  port="$(free_port)"
  psql "$admin_url" -qc "drop database if exists $db" && psql "$admin_url" -qc "create database $db" || return 1
  # The first applies the migrations; the second starts once it has.
  if ! start_e2e_server "$port" "$CADENCE_ROOT/target/e2e-server.log"; then
    cleanup_e2e; return 1
  fi
  port2="$(free_port)"
  if ! start_e2e_server "$port2" "$CADENCE_ROOT/target/e2e-server-2.log"; then
    cleanup_e2e; return 1
  fi
  (cd "$CADENCE_ROOT/end2end" && CADENCE_URL="http://127.0.0.1:$port" \
     CADENCE_URL_2="http://127.0.0.1:$port2" node --test --test-concurrency=1 ${E2E_TESTS:-tests/}) || rc=$?
  # What the servers logged (warnings and errors) says why a test failed as often as the
  # test's output does; CI keeps only the output.
  if [ "$rc" -ne 0 ]; then
    echo "the test servers' logs, last lines:" >&2
    tail -n 30 "$CADENCE_ROOT"/target/e2e-server*.log >&2 || true
  fi
  # Graceful shutdown: on SIGTERM the server finishes and exits 0.
  for pid in $E2E_PID; do
    kill -TERM "$pid" 2>/dev/null
    if ! wait "$pid"; then
      echo "a test server did not exit cleanly on SIGTERM; the logs:" >&2
      tail -20 "$CADENCE_ROOT"/target/e2e-server*.log >&2; rc=1
    fi
  done
  E2E_PID=""
  psql "$admin_url" -qc "drop database if exists $db" >/dev/null || true
  E2E_DB=""
  return $rc
)

# ./x runs with pipefail, so a failing runner fails its step through the tee.
cargo_tests() { # $1 = log file the summary is read from
  cargo test -p app -p server 2>&1 | tee "$1"
}

browser_tests_logged() {
  browser_tests 2>&1 | tee -a "$1"
}

# The release build as users get it: scripts/release-checks (smoke over HTTP, two processes
# behind nginx, graceful stop, backup and restore, the .deb), then browser flows on it.
release_checks_logged() {
  apt_install nginx systemd
  local deb; deb="$(ls -t "$CADENCE_ROOT"/target/cadence_*.deb 2>/dev/null | head -1)"
  "$CADENCE_ROOT/scripts/release-checks" --bin "$CADENCE_ROOT/target/release/server" \
    --admin-url "${DATABASE_URL%/*}/postgres" ${deb:+--deb "$deb"} 2>&1 | tee -a "$1"
}

release_browser_tests_logged() {
  E2E_SERVER_BIN="$CADENCE_ROOT/target/release/server" \
    E2E_TESTS="tests/accounts.test.mjs tests/sprints.test.mjs" browser_tests 2>&1 | tee -a "$1"
}

run_tests() {
  local t0=$SECONDS
  # Ctrl-C or SIGTERM stops the whole run (a step that catches Ctrl-C and fails does not
  # just lead to the next one), and then, as on a normal exit, the local PostgreSQL stops
  # if this run started it. browser_tests cleans up its own server and database first.
  trap_cleanup on_exit
  use_or_start_db
  bootstrap_node_deps
  cd "$CADENCE_ROOT"
  # A build needs room: say so before a link fails halfway with "No space left on device".
  local free_kb; free_kb=$(df -Pk "$CADENCE_ROOT" | awk 'NR == 2 { print $4 }')
  if [ "${free_kb:-0}" -lt $((8 * 1024 * 1024)) ]; then
    warn "only $((free_kb / 1024)) MB free on the disk of $CADENCE_ROOT; a first build takes about 8 GB"
  fi
  step "debug build" build_site || true
  local out="$CADENCE_ROOT/target/test-output.log"; mkdir -p "$CADENCE_ROOT/target"; : >"$out"
  step "unit, database and HTTP tests (cargo test)" cargo_tests "$out"
  if [ -x target/debug/server ] && [ -f target/site/pkg/cadence.wasm ]; then
    step "browser tests (Chromium)" browser_tests_logged "$out"
  else
    FAILED+=("browser tests (the build failed, nothing to test)")
  fi
  if step "release build" build_release; then
    step "release package (.deb)" package_deb
    step "release checks (HTTP, nginx, backup, .deb)" release_checks_logged "$out"
    step "browser tests on the release build" release_browser_tests_logged "$out"
  fi
  say "tests took $((SECONDS - t0)) s"
  # One closing line over all runners: cargo's "test result" lines and node's "# pass/# fail".
  awk '/^test result:/ { p += $4; f += $6 } /^# pass / { p += $3 } /^# fail / { f += $3 }
       END { printf "all suites: %d passed, %d failed\n", p, f }' "$out"
  if [ ${#FAILED[@]} -gt 0 ]; then
    printf '\033[1;31mfailed:\033[0m %s\n' "${FAILED[@]}" >&2
    return 1
  fi
  say "all tests passed"
}

# --- sqlx offline data ---------------------------------------------------------------------

# Regenerates .sqlx/ (the checked query data that lets every build run without a database):
# applies the migrations to a scratch database, then re-expands the query! macros against it.
prepare_sqlx() {
  use_or_start_db
  local admin_url="${DATABASE_URL%/*}/postgres" db="cadence_sqlx_prepare" f
  psql "$admin_url" -qc "drop database if exists $db" && psql "$admin_url" -qc "create database $db"
  for f in "$CADENCE_ROOT"/migrations/*.sql; do
    psql "${DATABASE_URL%/*}/$db" -q -v ON_ERROR_STOP=1 -f "$f" >/dev/null || die "migration $f failed"
  done
  # Written beside the old data and swapped in only when complete: a failed build leaves
  # .sqlx/ as it was.
  local fresh="$CADENCE_ROOT/target/sqlx-prepare"
  rm -rf "$fresh"; mkdir -p "$fresh"
  touch "$CADENCE_ROOT/app/src/lib.rs" "$CADENCE_ROOT/server/src/lib.rs"
  (cd "$CADENCE_ROOT" && SQLX_OFFLINE=false SQLX_OFFLINE_DIR="$fresh" \
     DATABASE_URL="${DATABASE_URL%/*}/$db" cargo check -q -p app -p server --features app/ssr --all-targets) \
    || die "the build failed; .sqlx/ is unchanged"
  rm -rf "$CADENCE_ROOT/.sqlx" && mv "$fresh" "$CADENCE_ROOT/.sqlx"
  psql "$admin_url" -qc "drop database $db"
  say "wrote $(ls "$CADENCE_ROOT/.sqlx" | wc -l) query files to .sqlx/"
}

# rustfmt and clippy for both halves: the server (ssr) and the browser (hydrate, wasm32).
lint() {
  cd "$CADENCE_ROOT"
  # Code that runs in the browser never reads a clock: std's clocks panic in wasm, and the
  # browser's clock is not the server's (chrono's is already off in the wasm build).
  if grep -rnE 'SystemTime::now|Instant::now|js_sys::Date' app/src/pages app/src/components app/src/domain app/src/words.rs; then
    die "a clock is read in code that runs in the browser: take the time from the server"
  fi
  # The server has one clock (app/src/clock.rs): services take the time from the caller's.
  if grep -rnE 'Utc::now\(\)|Local::now\(\)' app/src/service app/src/server_fns server/src/rest; then
    die "a service reads the system clock: take the time from caller.clock (app/src/clock.rs)"
  fi
  "$CADENCE_ROOT/scripts/check-layers"
  cargo fmt --all --check
  cargo clippy -p app -p server --features app/ssr --all-targets -- -D warnings
  cargo clippy -p frontend -p app --features app/hydrate --target wasm32-unknown-unknown -- -D warnings
}
