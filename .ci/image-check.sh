#!/usr/bin/env bash
# Proves the operator image runs: builds it with jib against a JRE base made from Debian packages
# (no registry is reachable in CI), unpacks it, and starts the operator from the image's own
# filesystem and entrypoint (chroot, /proc mounted) against the mock API server
# (lan.homelab.pxe.chart.ImageCheckApi) until it reconciles a ProvisioningSlot.
# Needs root (chroot, mount) and mmdebstrap. With CI=true a missing prerequisite fails; otherwise
# it skips with a message. Usage: .ci/image-check.sh (from anywhere). Measured on 2 shared cores:
# about 4.5 minutes cold (mmdebstrap about 3.3 of them), 30-60 s with the base image cached.
set -euo pipefail
cd "$(dirname "$0")/.."
root_dir=$(pwd)
work="$root_dir/operator/target/image-check"
cache="${PXE_IMAGE_BASE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/pxe-operator}"
base_tar="$cache/debian-bookworm-jre17-docker.tar"
timeout_s="${PXE_IMAGE_CHECK_TIMEOUT:-120}"

skip_or_fail() {
  if [[ "${CI:-}" == "true" ]]; then
    echo "image-check: FAIL: $1" >&2
    exit 1
  fi
  echo "image-check: SKIPPED: $1 (run as root with mmdebstrap installed: sudo .ci/image-check.sh)" >&2
  exit 0
}
[[ $(id -u) -eq 0 ]] || skip_or_fail "needs root (chroot and mount)"
for tool in mmdebstrap python3 tar chroot mount; do
  command -v "$tool" >/dev/null || skip_or_fail "$tool is not installed"
done

start=$(date +%s)
step() { echo "image-check: [$(($(date +%s) - start))s] $*"; }

# 1. A docker-archive base image: Debian bookworm minbase + openjdk-17-jre-headless (cached).
if [[ ! -s "$base_tar" ]]; then
  step "building the base image with mmdebstrap (a few minutes; cached afterwards in $cache)"
  mkdir -p "$cache"
  tmp=$(mktemp -d "$cache/base.XXXXXX")
  mmdebstrap --quiet --variant=minbase --include=openjdk-17-jre-headless \
    --setup-hook='mkdir -p "$1/usr/share/man/man1"' \
    --dpkgopt='path-exclude=/usr/share/doc/*' --dpkgopt='path-exclude=/usr/share/man/*' \
    --dpkgopt='path-exclude=/usr/share/locale/*' \
    bookworm "$tmp/layer.tar"
  digest=$(sha256sum "$tmp/layer.tar" | cut -d' ' -f1)
  cat >"$tmp/config.json" <<JSON
{"architecture":"amd64","os":"linux","config":{"Env":["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin","JAVA_HOME=/usr/lib/jvm/java-17-openjdk-amd64"]},"rootfs":{"type":"layers","diff_ids":["sha256:$digest"]}}
JSON
  echo '[{"Config":"config.json","RepoTags":["local/debian-jre17:bookworm"],"Layers":["layer.tar"]}]' >"$tmp/manifest.json"
  tar -C "$tmp" -cf "$base_tar.tmp" manifest.json config.json layer.tar
  mv "$base_tar.tmp" "$base_tar"
  rm -rf "$tmp"
fi

# 2. The operator image (jib) and the test classpath for the API server.
step "building the image with jib:buildTar"
./mvnw -B -q -pl operator -DskipTests -Dspotless.check.skip=true test-compile \
  dependency:build-classpath -Dmdep.includeScope=test -Dmdep.outputFile=target/image-check-cp.txt
./mvnw -B -q -pl operator -DskipTests -Dspotless.check.skip=true compile jib:buildTar \
  "-Djib.from.image=tar://$base_tar" -Djib.to.image=pxe-operator:image-check
image_tar="$root_dir/operator/target/jib-image.tar"
step "image: $(du -h "$image_tar" | cut -f1)"

# 3. Unpack the layers in order into a root filesystem; read the entrypoint from the config.
unmount_proc() {
  for _ in 1 2 3 4 5; do
    mountpoint -q "$work/rootfs/proc" || return 0
    umount "$work/rootfs/proc" 2>/dev/null || umount -l "$work/rootfs/proc" || true
  done
  ! mountpoint -q "$work/rootfs/proc"
}
unmount_proc || { echo "image-check: FAIL: $work/rootfs/proc stays mounted" >&2; exit 1; }
rm -rf --one-file-system "$work"
mkdir -p "$work/image" "$work/rootfs"
tar -C "$work/image" -xf "$image_tar"
python3 - "$work/image" >"$work/layers.txt" <<'PY'
import json, sys
m = json.load(open(sys.argv[1] + "/manifest.json"))[0]
for layer in m["Layers"]:
    print(layer)
PY
while read -r layer; do
  tar --warning=no-unknown-keyword -C "$work/rootfs" -xf "$work/image/$layer"
done <"$work/layers.txt"
python3 - "$work/image" >"$work/entrypoint.txt" <<'PY'
import json, sys
d = sys.argv[1]
m = json.load(open(d + "/manifest.json"))[0]
c = json.load(open(d + "/" + m["Config"]))["config"]
print("\n".join(c["Entrypoint"]))
print("USER=" + c.get("User", ""))
PY
user=$(grep '^USER=' "$work/entrypoint.txt" | cut -d= -f2)
mapfile -t entrypoint < <(grep -v '^USER=' "$work/entrypoint.txt")
step "entrypoint: ${entrypoint[*]} (user ${user:-root})"

operator_pid=""
api_pid=""
# Every process whose root is our chroot (exact path): the operator and anything it started.
chrooted_pids() {
  local p
  for p in /proc/[0-9]*; do
    [[ "$(readlink "$p/root" 2>/dev/null)" == "$work/rootfs" ]] && echo "${p#/proc/}"
  done
  return 0
}
# TERM, then KILL after 5 s: the mock API's JVM may not finish on TERM alone.
stop() {
  local pid=$1
  kill "$pid" 2>/dev/null || return 0
  for _ in $(seq 1 20); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.25
  done
  kill -9 "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
}
cleanup() {
  [[ -n "$operator_pid" ]] && stop "$operator_pid"
  for pid in $(chrooted_pids); do stop "$pid"; done
  [[ -n "$api_pid" ]] && stop "$api_pid"
  unmount_proc || echo "image-check: could not unmount $work/rootfs/proc" >&2
}
trap cleanup EXIT
mount -t proc proc "$work/rootfs/proc"
# chroot execs env, env execs java: one PID, as in a container. MaxRAM stands in for the pod's
# memory limit (192Mi in the chart), which the JVM would read from its cgroup.
in_image=(chroot --userspec="${user:-0:0}" "$work/rootfs" /usr/bin/env -i
  PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin HOME=/tmp
  JAVA_TOOL_OPTIONS="${PXE_IMAGE_CHECK_JAVA_OPTS:--XX:MaxRAM=192m}")

# 4. The image's own java and classpath run the command line.
version=$("${in_image[@]}" "${entrypoint[@]}" --version 2>/dev/null)
step "in the image: $version"
[[ "$version" == pxe-operator* ]] || { echo "image-check: FAIL: unexpected --version output" >&2; exit 1; }

# 5. The operator from the image against the mock API, until it reconciles a slot.
mkdir -p "$work/rootfs/etc/pxe-operator"
java -cp "operator/target/test-classes:operator/target/classes:$(cat operator/target/image-check-cp.txt)" \
  -Dpxe.repoRoot="$root_dir" lan.homelab.pxe.chart.ImageCheckApi \
  "$work/api-url" "$work/rootfs/etc/pxe-operator/settings.yaml" "$timeout_s" >"$work/api.log" 2>&1 &
api_pid=$!
for _ in $(seq 1 240); do
  [[ -s "$work/api-url" ]] && break
  kill -0 "$api_pid" 2>/dev/null || break
  sleep 0.5
done
[[ -s "$work/api-url" ]] || { cat "$work/api.log" >&2; echo "image-check: FAIL: the API did not start" >&2; exit 1; }
api_url=$(cat "$work/api-url")
step "API at $api_url; starting the operator from the image"
"${in_image[@]}" KUBERNETES_MASTER="$api_url" KUBERNETES_NAMESPACE=pxe-system \
  KUBERNETES_AUTH_TRYKUBECONFIG=false KUBERNETES_AUTH_TRYSERVICEACCOUNT=false \
  "${entrypoint[@]}" run --config /etc/pxe-operator/settings.yaml >"$work/operator.log" 2>&1 &
operator_pid=$!
# Until the API server decides (it exits within its timeout); an operator that dies fails early.
api_rc=""
for _ in $(seq 1 $((timeout_s * 4 + 40))); do
  if ! kill -0 "$api_pid" 2>/dev/null; then
    set +e; wait "$api_pid"; api_rc=$?; set -e
    api_pid=""
    break
  fi
  if ! kill -0 "$operator_pid" 2>/dev/null; then
    set +e; wait "$operator_pid"; rc=$?; set -e
    operator_pid=""
    echo "image-check: FAIL: the operator exited ($rc) before it reconciled a slot:" >&2
    tail -n 20 "$work/operator.log" >&2
    exit 1
  fi
  sleep 0.25
done
[[ -n "$api_rc" ]] || { echo "image-check: FAIL: the API server did not finish" >&2; exit 1; }
grep -E '^(API|operator used|reconciled|FAIL|OK)' "$work/api.log" || true
if [[ $api_rc -ne 0 ]]; then
  echo "image-check: FAIL (operator log: $work/operator.log):" >&2
  tail -n 20 "$work/operator.log" >&2
  exit 1
fi
rss=$(awk '/^VmRSS/ {printf "%d MiB", $2 / 1024}' "/proc/$operator_pid/status" 2>/dev/null || true)
step "PASS: the operator from the image reconciled a slot (its RSS: ${rss:-unknown})"
