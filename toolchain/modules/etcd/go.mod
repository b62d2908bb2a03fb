// Builds etcd from its server module: the etcd repository's root module (the upstream main) replaces
// its sibling modules with local paths, so this module requires them all at one version instead.
module syncwave.dev/toolchain/etcd

go 1.26

require (
	go.etcd.io/etcd/api/v3 v3.6.16
	go.etcd.io/etcd/client/pkg/v3 v3.6.16
	go.etcd.io/etcd/client/v3 v3.6.16
	go.etcd.io/etcd/pkg/v3 v3.6.16
	go.etcd.io/etcd/server/v3 v3.6.16
)
