// syncwave-gotemplate: Go text/template with the function map of Argo CD's ApplicationSet controller.
module syncwave.dev/toolchain/syncwave-gotemplate

go 1.26

// sprig and sigs.k8s.io/yaml at the versions Argo CD's go.mod names; gosimple/slug and fasttemplate
// are used only by conformance/gen, as the references the table is made from. expr-lang/expr, at the
// version Argo CD's go.mod names, evaluates Argo CD Notifications' trigger conditions (package notify).
require (
	github.com/Masterminds/sprig/v3 v3.3.0
	github.com/expr-lang/expr v1.17.8
	github.com/gosimple/slug v1.15.0
	github.com/valyala/fasttemplate v1.2.2
	sigs.k8s.io/yaml v1.6.0
)

// Where Argo CD's go.mod raises one of sprig's dependencies (mergo, semver, cast, yaml/v2, x/crypto),
// the same version is required here, so functions such as merge and semverCompare behave alike.
require (
	dario.cat/mergo v1.0.2 // indirect
	github.com/Masterminds/goutils v1.1.1 // indirect
	github.com/Masterminds/semver/v3 v3.4.0 // indirect
	github.com/google/uuid v1.6.0 // indirect
	github.com/gosimple/unidecode v1.0.1 // indirect
	github.com/huandu/xstrings v1.5.0 // indirect
	github.com/mitchellh/copystructure v1.2.0 // indirect
	github.com/mitchellh/reflectwalk v1.0.2 // indirect
	github.com/shopspring/decimal v1.4.0 // indirect
	github.com/spf13/cast v1.7.1 // indirect
	github.com/valyala/bytebufferpool v1.0.0 // indirect
	go.yaml.in/yaml/v2 v2.4.4 // indirect
	golang.org/x/crypto v0.55.0 // indirect
)
