# Shared by the toolchain scripts: where the cache is and where each versioned piece lives in it.
# Source it; it defines variables only.

TOOLCHAIN_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
PROJECT_DIR="$(dirname "$TOOLCHAIN_DIR")"
# shellcheck source=versions.env
source "$TOOLCHAIN_DIR/versions.env"

# The cache lives outside the clone so that fresh clones (CI) and later checkouts reuse it.
SYNCWAVE_CACHE="${SYNCWAVE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/syncwave}"

NODE_DIR="$SYNCWAVE_CACHE/node-v$NODE_VERSION"
PULUMI_DIR="$SYNCWAVE_CACHE/pulumi-$PULUMI_VERSION"
LANGUAGE_HOST_DIR="$SYNCWAVE_CACHE/language-nodejs-$PULUMI_VERSION-$(cat "$TOOLCHAIN_DIR"/language-host/*.go "$TOOLCHAIN_DIR"/language-host/go.mod | sha256sum | cut -c1-12)"
# syncwave-gotemplate (Go's text/template with Argo CD's ApplicationSet functions), keyed by its sources.
GOTEMPLATE_DIR="$SYNCWAVE_CACHE/gotemplate-$(cd "$TOOLCHAIN_DIR/gotemplate" && find . -name '*.go' -o -name 'go.mod' -o -name 'go.sum' | LC_ALL=C sort | xargs cat | sha256sum | cut -c1-12)"
# syncwave-registry (distribution's OCI registry, filesystem storage only: the tests' image registry), keyed by its sources.
REGISTRY_DIR="$SYNCWAVE_CACHE/registry-$(cat "$TOOLCHAIN_DIR"/registry/*.go "$TOOLCHAIN_DIR"/registry/go.mod "$TOOLCHAIN_DIR"/registry/go.sum | sha256sum | cut -c1-12)"
# syncwave-s3 (versitygw's S3 API over its POSIX backend: the shared Pulumi state backend), keyed by its sources.
S3_DIR="$SYNCWAVE_CACHE/s3-$(cat "$TOOLCHAIN_DIR"/s3/*.go "$TOOLCHAIN_DIR"/s3/go.mod "$TOOLCHAIN_DIR"/s3/go.sum | sha256sum | cut -c1-12)"
KUBERNETES_PROVIDER_DIR="$SYNCWAVE_CACHE/kubernetes-provider-$KUBERNETES_PROVIDER_VERSION-${KUBERNETES_PROVIDER_MODULE_VERSION##*-}"
KUBERNETES_DIR="$SYNCWAVE_CACHE/kubernetes-$KUBERNETES_VERSION"
ETCD_DIR="$SYNCWAVE_CACHE/etcd-$ETCD_VERSION"
KWOK_DIR="$SYNCWAVE_CACHE/kwok-$KWOK_VERSION"
# Benchmark peers (optional, `setup --only peers`): Carvel kapp and a gitops-engine sync, keyed by their wrappers.
PEERS_DIR="$SYNCWAVE_CACHE/peers-$(cat "$TOOLCHAIN_DIR"/peers/*/go.mod "$TOOLCHAIN_DIR"/peers/*/*.go | sha256sum | cut -c1-12)"
# Plugins are installed per provider build, so a new provider never meets a stale plugin cache.
PULUMI_HOME_DIR="$SYNCWAVE_CACHE/pulumi-home-$PULUMI_VERSION-kubernetes-$KUBERNETES_PROVIDER_VERSION"

# Per-clone state: local stacks and the local cluster belong to this checkout.
SYNCWAVE_HOME="${SYNCWAVE_HOME:-$PROJECT_DIR/.syncwave}"

TOOLCHAIN_PATH="$NODE_DIR/bin:$PULUMI_DIR/bin:$GOTEMPLATE_DIR/bin:$KUBERNETES_DIR/bin:$ETCD_DIR/bin:$KWOK_DIR/bin:$PROJECT_DIR/node_modules/.bin"
