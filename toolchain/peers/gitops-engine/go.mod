// A one-shot sync driven by Argo CD's gitops-engine, a benchmark peer (`npm run setup -- --only
// peers`); never needed by npm test. The engine's own replace lines (k8s.io/* pinned to one release)
// are appended when it is built: a dependency's replace lines do not apply to the module using it.
module syncwave.dev/peers/gitops-engine

go 1.26

require github.com/argoproj/gitops-engine v0.7.1-0.20260512161450-ff8d2f5207dc
