// Builds the Pulumi CLI. pkg/v3 replaces sdk/v3 with a local path upstream, so `go install` refuses
// it; this module requires both at the same version and repeats pkg's and sdk's non-local replaces.
module syncwave.dev/toolchain/pulumi

go 1.26

require (
	github.com/pulumi/pulumi/pkg/v3 v3.259.0
	github.com/pulumi/pulumi/sdk/v3 v3.259.0
)

replace github.com/atotto/clipboard => github.com/tgummerer/clipboard v0.0.0-20241001131231-d02d263e614e

replace golang.org/x/text => golang.org/x/text v0.39.0
