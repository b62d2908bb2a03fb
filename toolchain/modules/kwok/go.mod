// Builds kwok and kwokctl (their module has no replaces; a module keeps the go.sum pinned).
module syncwave.dev/toolchain/kwok

go 1.26

require sigs.k8s.io/kwok v0.8.0
