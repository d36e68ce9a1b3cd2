#!/usr/bin/env bash
# Container test (`npm run test:container`): builds the image from the Dockerfile with buildah (no
# Docker engine needed) and checks it:
#   - the image builds (on a local stand-in for node:24-slim, see scripts/build-base-image.sh);
#   - it runs as the unprivileged `node` user (uid 1000), with tini as entrypoint, OCI labels, a HEALTHCHECK;
#   - only production dependencies are in /app/node_modules; dist/, config/ and examples/ are there,
#     the TypeScript example handler copied as-is;
#   - the simulator (the image's own `simulate` command, as docker-compose.yml runs it) answers, and
#     `run-once` inside the image, configured like docker-compose.yml (deploy/config.yaml at /config,
#     examples/handlers at /handlers), processes its requests: checked through /_simulator/requests;
#   - `start` through the entrypoint's tini serves /readyz, /healthz and /metrics, the image's own
#     HEALTHCHECK command passes, and SIGTERM to tini drains the daemon to exit 0;
#   - docker-compose.yml is valid (Debian's docker-compose `config -q`).
# `buildah run --isolation chroot` shares the host's network: everything meets on 127.0.0.1, on free
# ports. Installs what it needs from Debian's packages (idempotent); needs root and node on the host.
# Prints PASS/FAIL per check and the total time; exits non-zero if any check failed.
#
# Environment: IMAGE (default localhost/connect-fulfillment:test); KEEP_IMAGE=0 removes it at the end.
set -uo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD

IMAGE="${IMAGE:-localhost/connect-fulfillment:test}"
BUILDAH=(buildah --storage-driver vfs)
RUN=("${BUILDAH[@]}" run --isolation chroot)
START=$SECONDS
FAILED=0
PASSED=0
WORK=$(mktemp -d)
CONTAINERS=()
SIM_PID=""
START_PID=""

say() { printf '==> %s\n' "$*"; }
pass() { PASSED=$((PASSED + 1)); printf 'PASS %s\n' "$*"; }
fail() { FAILED=$((FAILED + 1)); printf 'FAIL %s\n' "$*"; }
check() { # check "description" command...
  local what=$1; shift
  if "$@" >"$WORK/check.out" 2>&1; then pass "$what"; else fail "$what"; sed 's/^/     /' "$WORK/check.out" | tail -n 20; fi
}
finish() {
  local elapsed=$((SECONDS - START))
  printf '\ncontainer test took %d s\n' "$elapsed"
  printf 'container: %d passed, %d failed\n' "$PASSED" "$FAILED"
  [ "$FAILED" -eq 0 ] && exit 0 || exit 1
}
cleanup() {
  if [ -n "$START_PID" ] && kill -0 "$START_PID" 2>/dev/null; then
    kill -TERM "$START_PID" 2>/dev/null
    wait "$START_PID" 2>/dev/null
  fi
  if [ -n "$SIM_PID" ] && kill -0 "$SIM_PID" 2>/dev/null; then
    kill -TERM "$SIM_PID" 2>/dev/null
    wait "$SIM_PID" 2>/dev/null
  fi
  for ctr in "${CONTAINERS[@]}"; do "${BUILDAH[@]}" rm "$ctr" >/dev/null 2>&1; done
  if [ "${KEEP_IMAGE:-1}" = "0" ]; then "${BUILDAH[@]}" rmi "$IMAGE" >/dev/null 2>&1; fi
  rm -rf "$WORK"
}
trap cleanup EXIT
abort() { fail "$*"; finish; }

# ---- tools ------------------------------------------------------------------------------------
[ "$(id -u)" -eq 0 ] || abort "must run as root (buildah builds daemonless as root here)"
need=()
command -v buildah >/dev/null 2>&1 || need+=(buildah)
command -v debootstrap >/dev/null 2>&1 || need+=(debootstrap)
command -v docker-compose >/dev/null 2>&1 || need+=(docker-compose)
if [ "${#need[@]}" -gt 0 ]; then
  say "installing ${need[*]} (apt-get)"
  { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}"; } \
    >"$WORK/apt.log" 2>&1 || { tail -n 20 "$WORK/apt.log"; abort "apt-get install ${need[*]}"; }
fi
command -v node >/dev/null 2>&1 || abort "node is needed on the host (CI's .ci/run provides Node 24)"
pass "tools: $(buildah --version | head -n 1), $(docker-compose version --short 2>/dev/null || echo docker-compose), node $(node --version)"

# ---- images -----------------------------------------------------------------------------------
say "base image (stand-in for node:24-slim)"
t=$SECONDS
if bash scripts/build-base-image.sh >"$WORK/base.log" 2>&1; then
  pass "base image docker.io/library/node:24-slim ready ($((SECONDS - t)) s)"
else
  cat "$WORK/base.log"; abort "base image build"
fi

say "building $IMAGE from the Dockerfile (buildah bud --pull=never)"
# No --layers: with the vfs storage driver every cached layer is a full copy of the file system, and
# committing and looking up per-step layers costs more (about 140 s warm) than building both stages
# from scratch (about 60 s). The image this build replaces is removed, so storage does not pile up.
t=$SECONDS
previous=$("${BUILDAH[@]}" images -q --no-trunc "$IMAGE" 2>/dev/null | head -n 1)
revision=$(git rev-parse --verify -q HEAD 2>/dev/null) || revision=unknown
version=$(node -p 'require("./package.json").version')
if "${BUILDAH[@]}" bud --isolation chroot --pull=never --format docker \
  --build-arg VERSION="$version" --build-arg REVISION="$revision" \
  --build-arg CREATED="$(date -u +%Y-%m-%dT%H:%M:%SZ)" \
  -t "$IMAGE" -f Dockerfile . >"$WORK/build.log" 2>&1; then
  pass "image builds ($((SECONDS - t)) s)"
else
  tail -n 40 "$WORK/build.log"; abort "image build (full log above, last 40 lines)"
fi
current=$("${BUILDAH[@]}" images -q --no-trunc "$IMAGE" 2>/dev/null | head -n 1)
if [ -n "$previous" ] && [ "$previous" != "$current" ]; then "${BUILDAH[@]}" rmi "$previous" >/dev/null 2>&1; fi

ctr=$("${BUILDAH[@]}" from --pull=never "$IMAGE") || abort "buildah from $IMAGE"
CONTAINERS+=("$ctr")
in_image() { "${RUN[@]}" "$ctr" -- "$@"; }

# ---- image configuration ----------------------------------------------------------------------
"${BUILDAH[@]}" inspect --type image "$IMAGE" >"$WORK/inspect.json" || abort "buildah inspect $IMAGE"
# config EXPR: a JavaScript expression over `c`, the image's Docker config; prints it as JSON.
config() { node -e 'const c=JSON.parse(require("fs").readFileSync(process.argv[1],"utf8")).Docker.config; console.log(JSON.stringify(eval(process.argv[2])))' "$WORK/inspect.json" "$1"; }
check "image user is node" test "$(config 'c.User')" = '"node"'
uid=$(in_image id -u 2>"$WORK/uid.err")
check "process runs as uid 1000 (got ${uid:-nothing})" test "$uid" = "1000"
[ "$uid" = "1000" ] || cat "$WORK/uid.err"
check "entrypoint is tini -> node /app/dist/main.js" \
  test "$(config 'c.Entrypoint')" = '["/usr/bin/tini","--","node","/app/dist/main.js"]'
check "tini is installed" in_image test -x /usr/bin/tini
check "OPS_HOST=0.0.0.0 and OPS_PORT=9464 set" \
  test "$(config '["OPS_HOST=0.0.0.0","OPS_PORT=9464"].every((e) => c.Env.includes(e))')" = true
check "HEALTHCHECK asks /healthz" test "$(config 'c.Healthcheck.Test.join(" ").includes("/healthz")')" = true
check "OCI labels (title, version, revision, licenses, created)" \
  test "$(config '["title","version","revision","licenses","created"].every((l) => c.Labels["org.opencontainers.image." + l])')" = true

# ---- contents -----------------------------------------------------------------------------------
check "dist/main.js, config/, examples/ in /app" in_image test -f /app/dist/main.js -a -d /app/config -a -d /app/examples/handlers
check "examples/handlers/acme-backup.ts copied as-is" \
  test "$(in_image sha256sum /app/examples/handlers/acme-backup.ts | cut -d' ' -f1)" = "$(sha256sum examples/handlers/acme-backup.ts | cut -d' ' -f1)"
dev_found=$(in_image sh -c 'for p in jest typescript ts-jest @jest/globals eslint prettier typescript-eslint openapi-backend @types/convict; do [ -e "/app/node_modules/$p" ] && echo "$p"; done; true')
check "no dev dependencies in /app/node_modules${dev_found:+ (found: $dev_found)}" test -z "$dev_found"
prod_missing=$(in_image sh -c 'for p in prom-client pino undici zod convict cron yaml p-queue; do [ -e "/app/node_modules/$p" ] || echo "$p"; done; true')
check "production dependencies present${prod_missing:+ (missing: $prod_missing)}" test -z "$prod_missing"
check "no secrets or local files in the image (.env, .git, test/)" \
  in_image sh -c '! ls -a /app | grep -qxE "\.env|\.git|test|deploy|node_modules/\.cache"'
check "app files are not writable by the node user" in_image sh -c '! test -w /app/dist/main.js && ! test -w /app'
version_out=$(in_image node /app/dist/main.js --version 2>&1)
check "CLI runs in the image (--version: ${version_out:-nothing})" test "$version_out" = "$version"

# ---- run-once against the simulator ----------------------------------------------------------
# The simulator runs from the image too (its `simulate` command, as docker-compose.yml uses it);
# chroot isolation shares the host's network, so both meet on the host's loopback.
free_port() { node -e 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})'; }
http_json() { # http_json URL -> body on stdout, fails unless 2xx
  node -e 'fetch(process.argv[1],{signal:AbortSignal.timeout(5000)}).then(async r=>{const t=await r.text();if(!r.ok){console.error(r.status,t);process.exit(1)}process.stdout.write(t)},e=>{console.error(e.message);process.exit(1)})' "$1"
}
# wait_for URL PID: true once URL answers 2xx (up to 30 s), false early if PID exits first.
wait_for() {
  for _ in $(seq 1 60); do
    http_json "$1" >/dev/null 2>&1 && return 0
    kill -0 "$2" 2>/dev/null || return 1
    sleep 0.5
  done
  return 1
}
# Requests the simulator no longer lists as pending: approved, failed, inquiring...
processed_count() {
  http_json "http://127.0.0.1:$1/_simulator/requests" | node -e '
    let s="";process.stdin.on("data",d=>s+=d).on("end",()=>{
      const j=JSON.parse(s);const list=Array.isArray(j)?j:(j.requests??j.data??j.items??[]);
      if(!Array.isArray(list)||list.length===0){console.error("no requests in /_simulator/requests: "+s.slice(0,300));process.exit(1)}
      console.log(list.filter(r=>r.status&&r.status!=="pending").length)})'
}

SIM_PORT=$(free_port)
# The key of deploy/.env.example: the simulator requires it (as in docker-compose.yml), the daemon sends it.
API_KEY=$(sed -n 's/^CONNECT_API_KEY=//p' deploy/.env.example)
say "simulator on 127.0.0.1:$SIM_PORT (from the image); run-once in the image"
sim=$("${BUILDAH[@]}" from --pull=never "$IMAGE") && CONTAINERS+=("$sim")
"${RUN[@]}" --env "CONNECT_API_KEY=$API_KEY" "$sim" -- node /app/dist/main.js simulate --host 127.0.0.1 --port "$SIM_PORT" >"$WORK/simulator.log" 2>&1 &
SIM_PID=$!
up=0
wait_for "http://127.0.0.1:$SIM_PORT/_simulator/stats" "$SIM_PID" && up=1
if [ "$up" -eq 1 ]; then
  pass "simulator answers on 127.0.0.1:$SIM_PORT"
  before=$(processed_count "$SIM_PORT" 2>"$WORK/before.err") || { cat "$WORK/before.err"; before=""; }
  check "simulator lists requests before the run (${before:-?} already processed)" test -n "$before"
  # Configured exactly like docker-compose.yml: deploy/config.yaml at /config, handlers at /handlers;
  # the environment points it at this simulator and keeps the ops server off (shared network).
  "${RUN[@]}" \
    --mount "type=bind,src=$ROOT/deploy/config.yaml,dst=/config/config.yaml,ro" \
    --mount "type=bind,src=$ROOT/examples/handlers,dst=/handlers,ro" \
    --env "CONNECT_API_URL=http://127.0.0.1:$SIM_PORT/public/v1" \
    --env "CONNECT_API_KEY=$API_KEY" \
    --env OPS_PORT=0 --env LOG_FORMAT=json \
    "$ctr" -- node /app/dist/main.js run-once --config /config/config.yaml >"$WORK/run-once.log" 2>&1
  rc=$?
  check "run-once exits 0 (got $rc)" test "$rc" -eq 0
  [ "$rc" -eq 0 ] || tail -n 30 "$WORK/run-once.log"
  check "run-once logged a finished cycle that found requests" \
    node -e 'const lines=require("fs").readFileSync(process.argv[1],"utf8").split("\n").filter(Boolean).map(l=>{try{return JSON.parse(l)}catch{return {}}});
      const c=lines.find(l=>l.event==="cycle.finished");if(!c||!(c.found>0)){console.error("no cycle.finished with found>0");process.exit(1)}
      console.log(`found ${c.found}, approved ${c.approved}, failed ${c.failed}, inquired ${c.inquired}`)' "$WORK/run-once.log"
  after=$(processed_count "$SIM_PORT" 2>"$WORK/after.err") || { cat "$WORK/after.err"; after=""; }
  check "simulator shows requests processed by the daemon (${before:-?} -> ${after:-?})" \
    test -n "$before" -a -n "$after" -a "${after:-0}" -gt "${before:-0}"
  check "no secret in the run-once output" bash -c "! grep -qF '${API_KEY#*:}' '$WORK/run-once.log'"
else
  tail -n 30 "$WORK/simulator.log"
  fail "simulator did not answer on 127.0.0.1:$SIM_PORT"
fi

# ---- start: ops endpoints, HEALTHCHECK and SIGTERM through tini ------------------------------
# `start` as the image's ENTRYPOINT runs it (tini -> node), against the same simulator, with the ops
# server on a free loopback port (the shared network: not 9464, not 0.0.0.0). `buildah run` kills
# its command with SIGKILL when it is itself signalled, so SIGTERM goes straight to tini, which must
# pass it on to node, which drains and exits 0.
descendants() { local p; for p in $(ps -o pid= --ppid "$1"); do echo "$p"; descendants "$p"; done; }
if [ "$up" -eq 1 ]; then
  OPS_T=$(free_port)
  "${RUN[@]}" \
    --mount "type=bind,src=$ROOT/deploy/config.yaml,dst=/config/config.yaml,ro" \
    --mount "type=bind,src=$ROOT/examples/handlers,dst=/handlers,ro" \
    --env "CONNECT_API_URL=http://127.0.0.1:$SIM_PORT/public/v1" \
    --env "CONNECT_API_KEY=$API_KEY" \
    --env OPS_HOST=127.0.0.1 --env "OPS_PORT=$OPS_T" \
    "$ctr" -- /usr/bin/tini -- node /app/dist/main.js start --config /config/config.yaml >"$WORK/start.log" 2>&1 &
  START_PID=$!
  ready=0
  wait_for "http://127.0.0.1:$OPS_T/readyz" "$START_PID" && ready=1
  check "start: /readyz answers 200 after the first cycle" test "$ready" -eq 1
  [ "$ready" -eq 1 ] || tail -n 30 "$WORK/start.log"
  check "start: /healthz answers 200" http_json "http://127.0.0.1:$OPS_T/healthz"
  http_json "http://127.0.0.1:$OPS_T/metrics" >"$WORK/metrics.txt" 2>&1
  check "start: /metrics counts the completed cycle" grep -q '^connect_fulfillment_cycles_total{result="completed"} [1-9]' "$WORK/metrics.txt"
  # The image's own HEALTHCHECK command, run inside the image against the running daemon.
  mapfile -d '' hc < <(node -e 'const c=JSON.parse(require("fs").readFileSync(process.argv[1],"utf8")).Docker.config;
    process.stdout.write(c.Healthcheck.Test.slice(1).join("\0") + "\0")' "$WORK/inspect.json")
  check "start: the image's HEALTHCHECK passes" "${RUN[@]}" --env "OPS_PORT=$OPS_T" "$ctr" -- "${hc[@]}"
  tini_pid=""
  for p in $(descendants "$START_PID"); do
    [ "$(ps -o comm= -p "$p")" = "tini" ] && tini_pid=$p
  done
  if [ -n "$tini_pid" ]; then
    kill -TERM "$tini_pid"
    stopped=0
    for _ in $(seq 1 80); do kill -0 "$START_PID" 2>/dev/null || { stopped=1; break; }; sleep 0.25; done
    if [ "$stopped" -eq 1 ]; then wait "$START_PID"; rc=$?; else kill -TERM "$START_PID"; wait "$START_PID"; rc=timeout; fi
    check "start: SIGTERM to tini stops the daemon cleanly (exit ${rc})" test "$rc" = 0
    check "start: the daemon logged daemon.stopping and daemon.stopped" \
      bash -c "grep -q '\"event\":\"daemon.stopping\"' '$WORK/start.log' && grep -q '\"event\":\"daemon.stopped\"' '$WORK/start.log'"
  else
    fail "start: no tini process found under buildah run"
    kill -TERM "$START_PID" 2>/dev/null; wait "$START_PID" 2>/dev/null
  fi
  check "start: no secret in the output" bash -c "! grep -qF '${API_KEY#*:}' '$WORK/start.log'"
  START_PID=""
fi

if [ -n "$SIM_PID" ]; then
  kill -TERM "$SIM_PID" 2>/dev/null
  wait "$SIM_PID" 2>/dev/null
  SIM_PID=""
fi

# ---- docker-compose.yml -----------------------------------------------------------------------
# Validated in a copy, with .env made from the shipped example (the real .env is never read).
mkdir -p "$WORK/compose"
cp -r docker-compose.yml deploy examples "$WORK/compose/"
cp deploy/.env.example "$WORK/compose/.env"
check "docker-compose.yml is valid (docker-compose config -q)" docker-compose --project-directory "$WORK/compose" -f "$WORK/compose/docker-compose.yml" config -q
check "compose publishes ports on loopback only" \
  bash -c "! docker-compose --project-directory '$WORK/compose' -f '$WORK/compose/docker-compose.yml' config | grep -E '^\s*-\s*[0-9]+:[0-9]+' "

finish
