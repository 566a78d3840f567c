#!/usr/bin/env bash
# Builds the Dockerfile with buildah (no Docker daemon needed), runs the image the way its
# configuration says (ENTRYPOINT + CMD as its USER), probes /readyz and /livez, runs the
# image's own HEALTHCHECK command inside it, then stops it with SIGTERM and expects exit 0.
#
#   sudo apt-get install -y buildah debootstrap   # Debian 12 packages
#   scripts/check-dockerfile.sh                   # as root; ~3-6 minutes on 2 cores
#
# Environment: IMAGE (default localhost/suanpan:check), CHECK_PORT (default 18080).
# The base image node:22-slim is pulled from Docker Hub when reachable; when it is not (as on
# the project's machines, which reach only npm and Debian) scripts/build-node-base.sh builds a
# local equivalent from Debian packages and the npm registry's Node.js 22 binary, and the build
# uses it through the Dockerfile's NODE_REPO argument. The script says which one it used.
set -euo pipefail
cd "$(dirname "$0")/.."

IMAGE="${IMAGE:-localhost/suanpan:check}"
PORT="${CHECK_PORT:-18080}"
BUILDAH=(buildah --storage-driver vfs)
export BUILDAH_ISOLATION=chroot

step() { printf '\n== %s\n' "$*"; }
fail() { echo "FAIL: $*" >&2; exit 1; }

step "lint"
scripts/lint-dockerfile.sh

step "base image"
node_repo=node
if "${BUILDAH[@]}" pull --quiet docker.io/library/node:22-slim >/dev/null 2>&1; then
  echo "using docker.io/library/node:22-slim"
else
  echo "docker.io is not reachable from here: building the local stand-in (scripts/build-node-base.sh)"
  BASE_IMAGE=localhost/suanpan-node:22-slim scripts/build-node-base.sh
  node_repo=localhost/suanpan-node
fi

step "build $IMAGE (buildah bud --isolation chroot --storage-driver vfs)"
# When this machine reaches the npm registry through a TLS-inspecting proxy, `npm ci` inside the
# build must trust the same CA bundle as the host's npm: it is bind-mounted for the RUN steps
# only (with a global npmrc naming it) and is not part of any image layer.
build_mounts=()
host_ca="$(npm config get cafile 2>/dev/null || true)"
if [ -n "$host_ca" ] && [ "$host_ca" != null ] && [ -f "$host_ca" ]; then
  build_npmrc="$(mktemp)"
  echo "cafile=/run/suanpan-build-ca.crt" >"$build_npmrc"
  chmod 0644 "$build_npmrc"
  build_mounts=(-v "$host_ca:/run/suanpan-build-ca.crt:ro" -v "$build_npmrc:/usr/local/etc/npmrc:ro")
  echo "npm inside the build trusts the host's CA bundle ($host_ca), mounted for RUN steps only"
fi
started=$(date +%s)
"${BUILDAH[@]}" bud --isolation chroot --format docker "${build_mounts[@]}" --build-arg "NODE_REPO=$node_repo" -t "$IMAGE" -f Dockerfile . >/tmp/suanpan-build.log 2>&1 \
  || { tail -40 /tmp/suanpan-build.log; fail "build failed (log: /tmp/suanpan-build.log)"; }
echo "built in $(($(date +%s) - started)) s; log: /tmp/suanpan-build.log"

step "image configuration"
image_json="$("${BUILDAH[@]}" inspect --type image "$IMAGE")"
field() { node -e 'const c=JSON.parse(require("node:fs").readFileSync(0,"utf8")).Docker.config; const v=eval("c."+process.argv[1]); console.log(typeof v==="string"?v:JSON.stringify(v??null))' "$1" <<<"$image_json"; }
user="$(field User)"
entrypoint="$(field Entrypoint)"
cmd="$(field Cmd)"
healthcheck="$(field 'Healthcheck?.Test')"
echo "user=$user entrypoint=$entrypoint cmd=$cmd"
echo "healthcheck=$healthcheck"
echo "size=$("${BUILDAH[@]}" images --format '{{.Size}}' "$IMAGE")"
[ -n "$user" ] && [ "$user" != root ] && [ "$user" != 0 ] || fail "image runs as root"
[ "$entrypoint" = '["/usr/bin/tini","--"]' ] || fail "entrypoint is not tini"
case "$healthcheck" in *livez*) ;; *) fail "no HEALTHCHECK on /livez" ;; esac

step "run the image on 127.0.0.1:$PORT"
ctr="$("${BUILDAH[@]}" from --quiet "$IMAGE")"
cleanup() {
  [ -n "${run_pid:-}" ] && kill "$run_pid" 2>/dev/null || true
  "${BUILDAH[@]}" rm "$ctr" >/dev/null 2>&1 || true
}
trap cleanup EXIT
# shellcheck disable=SC2046 # the image's ENTRYPOINT and CMD, word by word, as a container runtime would run them
"${BUILDAH[@]}" run --isolation chroot --network host --user "$user" --env HOST=127.0.0.1 --env "PORT=$PORT" "$ctr" -- \
  $(node -e 'console.log([...JSON.parse(process.argv[1]), ...JSON.parse(process.argv[2])].join(" "))' "$entrypoint" "$cmd") \
  >/tmp/suanpan-run.log 2>&1 &
run_pid=$!

probe() { node -e "require('node:http').get('http://127.0.0.1:$PORT$1',(r)=>{let b='';r.on('data',(c)=>b+=c);r.on('end',()=>{console.log(r.statusCode,b);process.exit(r.statusCode===200?0:1)})}).on('error',(e)=>{console.log(e.code);process.exit(1)})"; }
ready=""
for _ in $(seq 1 60); do
  if out="$(probe /readyz)"; then ready="$out"; break; fi
  kill -0 "$run_pid" 2>/dev/null || { cat /tmp/suanpan-run.log; fail "the container exited"; }
  sleep 0.5
done
[ -n "$ready" ] || { cat /tmp/suanpan-run.log; fail "/readyz never answered 200"; }
echo "GET /readyz -> $ready"
echo "GET /livez -> $(probe /livez)"
quote='{"agreement":"chamber-baiyikang","channel":"chamber-supply","date":"2026-06-01","buyer":{"id":"C-1"},"lines":[{"sku":"BYK-H01","quantity":2}]}'
echo "POST /v1/quotes -> $(node -e "const r=require('node:http').request('http://127.0.0.1:$PORT/v1/quotes',{method:'POST',headers:{'content-type':'application/json'}},(res)=>{let b='';res.on('data',(c)=>b+=c);res.on('end',()=>console.log(res.statusCode,JSON.parse(b).totals))});r.end(process.argv[1])" "$quote")"

settlement_case=rules/chamber-baiyikang/cases/settlement-worked-example.json
if [ -f "$settlement_case" ]; then
  echo "POST /v1/settlements -> $(node -e "const body=JSON.stringify(JSON.parse(require('node:fs').readFileSync(process.argv[1],'utf8')).request);const r=require('node:http').request('http://127.0.0.1:$PORT/v1/settlements',{method:'POST',headers:{'content-type':'application/json'}},(res)=>{let b='';res.on('data',(c)=>b+=c);res.on('end',()=>{const s=JSON.parse(b);console.log(res.statusCode,JSON.stringify({supplyPayable:s.supplyPayable,commission:s.commission,chamberPaysSupplier:s.chamberPaysSupplier}))})});r.end(body)" "$settlement_case")"
fi

step "the image's HEALTHCHECK command, inside the image"
# shellcheck disable=SC2046
"${BUILDAH[@]}" run --isolation chroot --network host --user "$user" --env "PORT=$PORT" "$ctr" -- \
  node -e "$(node -e 'const t=JSON.parse(process.argv[1]); console.log(t[t.indexOf("-e")+1])' "$healthcheck")" \
  && echo "healthcheck: exit 0" || fail "healthcheck failed"

step "SIGTERM"
# The container's processes are descendants of our `buildah run`: find tini among them.
descendants() { local p; for p in $(ps -o pid= --ppid "$1"); do echo "$p"; descendants "$p"; done; }
tini_pid=""
for p in $(descendants "$run_pid"); do [ "$(ps -o comm= -p "$p")" = tini ] && tini_pid="$p" && break; done
[ -n "$tini_pid" ] || fail "cannot find tini under buildah run (pid $run_pid)"
server_pid="$(ps -o pid= --ppid "$tini_pid" | tr -d ' ')"
echo "tini pid $tini_pid (comm: $(ps -o comm= -p "$tini_pid")), server pid $server_pid"
kill -TERM "$tini_pid"
wait "$run_pid" && code=0 || code=$?
run_pid=""
echo "container exit code: $code"
tail -3 /tmp/suanpan-run.log
[ "$code" -eq 0 ] || fail "exit code $code after SIGTERM"
# Earlier builds of $IMAGE are left untagged: drop them (vfs keeps a full copy of each).
"${BUILDAH[@]}" rmi --prune >/dev/null 2>&1 || true
echo
echo "container check passed: $IMAGE (base: $node_repo:22-slim)"
