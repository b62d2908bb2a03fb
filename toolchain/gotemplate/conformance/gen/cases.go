package main

// The cases: templates as ApplicationSet users write them, with parameters shaped like the ones
// Argo CD's generators produce (cluster, git and list generators), written as JSON because that is
// how parameters reach both Argo CD's templates and syncwave-gotemplate (numbers are float64).

type testCase struct {
	name     string
	template string
	params   string
	options  []string
}

const clusterParams = `{
  "name": "prod-eu", "nameNormalized": "prod-eu", "server": "https://10.0.0.1:6443",
  "metadata": {
    "labels": {"env": "prod", "region": "eu-west-1", "my-label": "x"},
    "annotations": {"team.example.com/owner": "payments"}
  }
}`

const gitParams = `{
  "path": {
    "path": "apps/guestbook/overlays", "basename": "overlays", "basenameNormalized": "overlays",
    "filename": "config.json", "filenameNormalized": "config.json",
    "segments": ["apps", "guestbook", "overlays"]
  }
}`

const listParams = `{
  "name": "My_App.Name", "branch": "feature/JIRA-123_add Thing", "env": "prod",
  "replicas": 3, "ratio": 0.5, "big": 1e21, "enabled": true, "empty": "", "nothing": null,
  "version": "1.4.2", "list": ["a", "b", "c"],
  "values": {"image": {"repo": "nginx", "tag": "1.2.3"}, "ports": [80, 443]},
  "doc": "b: [x, y]\na: 1\n", "docList": "- a\n- b: 2\n"
}`

var missingKeyError = []string{"missingkey=error"}

var goTemplateCases = []testCase{
	// Plain lookups and nesting.
	{name: "field", template: "{{.name}}", params: clusterParams},
	{name: "field with spaces", template: "{{ .name }}-app", params: clusterParams},
	{name: "no actions", template: "plain text with } and { but no action", params: clusterParams},
	{name: "empty template", template: "", params: clusterParams},
	{name: "nested field", template: "{{ .path.basename }}", params: gitParams},
	{name: "nested label via field", template: "{{ .metadata.labels.env }}", params: clusterParams},
	{name: "index label", template: `{{ index .metadata.labels "env" }}`, params: clusterParams},
	{name: "index label with dash", template: `{{ index .metadata.labels "my-label" }}`, params: clusterParams},
	{name: "index annotation with slash", template: `{{ index .metadata.annotations "team.example.com/owner" }}`, params: clusterParams},
	{name: "index segment", template: "{{ index .path.segments 1 }}", params: gitParams},
	{name: "index out of range", template: "{{ index .path.segments 5 }}", params: gitParams},
	{name: "dash in field name is a parse error", template: "{{ .metadata.labels.my-label }}", params: clusterParams},
	{name: "whole params as json", template: "{{ toJson . }}", params: gitParams},
	{name: "object printed", template: "{{ .values.image }}", params: listParams},
	{name: "list printed", template: "{{ .list }}", params: listParams},
	{name: "number printed", template: "{{ .replicas }}/{{ .ratio }}/{{ .big }}", params: listParams},
	{name: "bool printed", template: "{{ .enabled }}", params: listParams},
	{name: "null printed", template: "{{ .nothing }}", params: listParams},
	{name: "len", template: "{{ len .list }}", params: listParams},
	{name: "comment", template: "a{{/* a comment */}}b", params: listParams},

	// Missing keys: the default prints "<no value>", missingkey=error fails, zero is like default for interfaces.
	{name: "missing key default", template: "{{ .missing }}", params: clusterParams},
	{name: "missing key error", template: "{{ .missing }}", params: clusterParams, options: missingKeyError},
	{name: "missing key zero", template: "{{ .missing }}", params: clusterParams, options: []string{"missingkey=zero"}},
	{name: "missing key invalid", template: "{{ .missing }}", params: clusterParams, options: []string{"missingkey=invalid"}},
	{name: "missing nested key default", template: "{{ .metadata.labels.team }}", params: clusterParams},
	{name: "missing nested key error", template: "{{ .metadata.labels.team }}", params: clusterParams, options: missingKeyError},
	{name: "field of missing default", template: "{{ .missing.team }}", params: clusterParams},
	{name: "field of missing error", template: "{{ .missing.team }}", params: clusterParams, options: missingKeyError},
	{name: "field of a string", template: "{{ .name.first }}", params: clusterParams},
	{name: "index missing label default", template: `{{ index .metadata.labels "team" }}`, params: clusterParams},
	{name: "index missing label error", template: `{{ index .metadata.labels "team" }}`, params: clusterParams, options: missingKeyError},
	{name: "present key with missingkey=error", template: "{{ .path.basename }}", params: gitParams, options: missingKeyError},
	{name: "unknown option", template: "{{ .name }}", params: clusterParams, options: []string{"missingkey=error", "missingkey=bogus"}},

	// default, required, ternary, coalesce.
	{name: "default on missing", template: `{{ .branch | default "main" }}`, params: clusterParams},
	{name: "default on missing with missingkey=error", template: `{{ .branch | default "main" }}`, params: clusterParams, options: missingKeyError},
	{name: "default on empty", template: `{{ default "main" .empty }}`, params: listParams},
	{name: "default on set", template: `{{ default "main" .env }}`, params: listParams},
	{name: "default on zero number", template: `{{ default 1 .zero }}`, params: `{"zero": 0}`},
	{name: "coalesce", template: `{{ coalesce .empty .nothing .env }}`, params: listParams},
	{name: "ternary", template: `{{ ternary "on" "off" .enabled }}`, params: listParams},
	{name: "helm's required is not there", template: `{{ required "env is required" .env }}`, params: listParams},
	{name: "fail", template: `{{ fail "not here" }}`, params: clusterParams},
	{name: "empty", template: `{{ empty .empty }} {{ empty .env }}`, params: listParams},

	// Strings.
	{name: "lower", template: "{{ lower .name }}", params: listParams},
	{name: "upper", template: "{{ upper .name }}", params: listParams},
	{name: "upper sharp s", template: "{{ upper .word }}", params: `{"word": "straße"}`},
	{name: "title", template: `{{ title "hello wide world" }}`, params: listParams},
	{name: "replace", template: `{{ replace "/" "-" .path.path }}`, params: gitParams},
	{name: "replace piped", template: `{{ .path.path | replace "/" "-" }}`, params: gitParams},
	{name: "trunc", template: "{{ trunc 5 .branch }}", params: listParams},
	{name: "trunc negative", template: "{{ trunc -5 .branch }}", params: listParams},
	{name: "trunc longer than text", template: "{{ trunc 100 .env }}", params: listParams},
	{name: "quote", template: "{{ quote .name }}", params: listParams},
	{name: "quote number", template: "{{ quote .replicas }}", params: listParams},
	{name: "quote missing", template: "{{ quote .missing }}", params: listParams},
	{name: "squote", template: "{{ squote .name }}", params: listParams},
	{name: "trim functions", template: `{{ trimPrefix "apps/" .path.path }}|{{ trimSuffix "/overlays" .path.path }}|{{ trim "  x  " }}`, params: gitParams},
	{name: "contains hasPrefix hasSuffix", template: `{{ contains "guest" .path.path }} {{ hasPrefix "apps" .path.path }} {{ hasSuffix "x" .path.path }}`, params: gitParams},
	{name: "split join", template: `{{ splitList "/" .path.path | join "," }}`, params: gitParams},
	{name: "join segments", template: `{{ join "-" .path.segments }}`, params: gitParams},
	{name: "cat", template: `{{ cat .name .env }}`, params: listParams},
	{name: "kebabcase snakecase camelcase", template: `{{ kebabcase "MyAppName" }} {{ snakecase "MyAppName" }} {{ camelcase "my_app_name" }}`, params: listParams},
	{name: "regexReplaceAll", template: `{{ regexReplaceAll "[^a-z0-9]+" (lower .branch) "-" }}`, params: listParams},
	{name: "regexFind", template: `{{ regexFind "[A-Z]+-[0-9]+" .branch }}`, params: listParams},
	{name: "sha256sum trunc", template: `{{ .name | sha256sum | trunc 8 }}`, params: listParams},
	{name: "b64enc", template: `{{ b64enc .env }}`, params: listParams},
	{name: "repeat nindent", template: `x:{{ "a" | repeat 3 | nindent 2 }}`, params: listParams},
	{name: "semverCompare", template: `{{ semverCompare ">=1.4.0" .version }} {{ semverCompare "<1.0.0" .version }}`, params: listParams},

	// printf and numbers (parameters are float64).
	{name: "printf strings", template: `{{ printf "%s-%s" .name .metadata.labels.env }}`, params: clusterParams},
	{name: "printf %d with float64", template: `{{ printf "%d" .replicas }}`, params: listParams},
	{name: "printf %v number", template: `{{ printf "%v" .replicas }}`, params: listParams},
	{name: "printf missing", template: `{{ printf "%s" .missing }}`, params: listParams},
	{name: "int conversion", template: `{{ int .replicas }} {{ .ratio | int }} {{ atoi "42" }}`, params: listParams},
	{name: "add", template: `{{ add .replicas 1 }}`, params: listParams},
	{name: "eq float with int literal", template: `{{ eq .replicas 3 }}`, params: listParams},
	{name: "eq float with float literal", template: `{{ eq .replicas 3.0 }}`, params: listParams},

	// Argo CD's own functions.
	{name: "normalize", template: "{{ normalize .name }}", params: listParams},
	{name: "normalize branch", template: "{{ normalize .branch }}", params: listParams},
	{name: "normalize trims dots and dashes", template: "{{ normalize .text }}", params: `{"text": "--.Hello World!.--"}`},
	{name: "normalize long", template: "{{ normalize .text }}", params: `{"text": "` + long + `"}`},
	{name: "slugify", template: "{{ slugify .branch }}", params: listParams},
	{name: "slugify max length", template: "{{ slugify 10 .branch }}", params: listParams},
	{name: "slugify piped", template: "{{ cat .branch | slugify 23 }}", params: listParams},
	{name: "slugify no smart truncate", template: "{{ slugify 10 false .branch }}", params: listParams},
	{name: "slugify smart truncate single word", template: "{{ slugify 5 .text }}", params: `{"text": "abcdefghij"}`},
	{name: "slugify dots and underscores", template: "{{ slugify .text }}", params: `{"text": "v1.2.3_release..candidate"}`},
	{name: "slugify cut ends on dash", template: "{{ slugify 8 false .text }}", params: `{"text": "abcdefg-hijk"}`},
	{name: "slugify max zero without smart", template: "{{ slugify 0 false .text }}", params: `{"text": "abc"}`},
	{name: "slugify long default", template: "{{ slugify .text }}", params: `{"text": "` + longWords + `"}`},
	{name: "slugify number argument from params", template: "{{ slugify .max .text }}", params: `{"max": 5, "text": "abc"}`},
	{name: "slugify without text", template: "{{ slugify }}", params: `{}`},
	{name: "toYaml map", template: "{{ toYaml .values }}", params: listParams},
	{name: "toYaml list", template: "{{ toYaml .list }}", params: listParams},
	{name: "toYaml string", template: "{{ toYaml .version }}", params: listParams},
	{name: "toYaml nindent", template: "values:{{ .values | toYaml | nindent 2 }}", params: listParams},
	{name: "toYaml indent", template: "{{ toYaml .values.image | indent 4 }}", params: listParams},
	{name: "fromYaml", template: "{{ (fromYaml .doc).a }} {{ index (fromYaml .doc) \"b\" | join \",\" }}", params: listParams},
	{name: "fromYaml bad", template: "{{ fromYaml \"a: [\" }}", params: listParams},
	{name: "fromYamlArray", template: "{{ fromYamlArray .docList | toJson }}", params: listParams},
	{name: "toJson toPrettyJson", template: "{{ toJson .values.image }}|{{ toPrettyJson .values.ports }}", params: listParams},
	{name: "toRawJson", template: `{{ toRawJson .s }}`, params: `{"s": "<a&b>"}`},

	// Collections.
	{name: "dict get hasKey keys", template: `{{ $d := dict "b" 1 "a" 2 }}{{ get $d "a" }} {{ hasKey $d "c" }} {{ keys $d | sortAlpha | join "," }}`, params: listParams},
	{name: "dig", template: `{{ dig "image" "tag" "latest" .values }} {{ dig "image" "digest" "none" .values }}`, params: listParams},
	{name: "list first last", template: `{{ first .list }}{{ last .list }}{{ rest .list | join "" }}`, params: listParams},
	{name: "has", template: `{{ has "b" .list }}`, params: listParams},
	{name: "until", template: `{{ range until 3 }}{{ . }}{{ end }}`, params: listParams},

	// Control structures.
	{name: "if eq", template: `{{ if eq .env "prod" }}production{{ else }}other{{ end }}`, params: listParams},
	{name: "if else if", template: `{{ if eq .env "dev" }}d{{ else if eq .env "prod" }}p{{ else }}x{{ end }}`, params: listParams},
	{name: "if on missing", template: `{{ if .missing }}yes{{ else }}no{{ end }}`, params: listParams},
	{name: "if on missing with missingkey=error", template: `{{ if .missing }}yes{{ else }}no{{ end }}`, params: listParams, options: missingKeyError},
	{name: "and or not", template: `{{ if and .enabled (not .empty) }}a{{ end }}{{ if or .empty .env }}b{{ end }}`, params: listParams},
	{name: "range list with index", template: `{{ range $i, $s := .path.segments }}{{ if $i }}-{{ end }}{{ $s }}{{ end }}`, params: gitParams},
	{name: "range map sorted keys", template: `{{ range $k, $v := .metadata.labels }}{{ $k }}={{ $v }};{{ end }}`, params: clusterParams},
	{name: "range else", template: `{{ range .none }}x{{ else }}empty{{ end }}`, params: `{"none": []}`},
	{name: "with", template: `{{ with .metadata.labels.region }}{{ . }}{{ else }}none{{ end }}`, params: clusterParams},
	{name: "with missing", template: `{{ with .metadata.labels.zone }}{{ . }}{{ else }}none{{ end }}`, params: clusterParams},
	{name: "variables and root", template: `{{ $env := .metadata.labels.env }}{{ range .list }}{{ $env }}-{{ . }} {{ end }}{{ $.name }}`, params: `{"list": ["a", "b"], "name": "n", "metadata": {"labels": {"env": "prod"}}}`},
	{name: "pipeline chain", template: `{{ .name | lower | replace "_" "-" | replace "." "-" | trunc 6 | trimSuffix "-" }}`, params: listParams},

	// Whitespace trimming.
	{name: "trim both sides", template: "a  {{- .env -}}  b", params: listParams},
	{name: "trim left only", template: "a\n  {{- .env }}  b", params: listParams},
	{name: "trim across newlines in range", template: "items:\n{{- range .list }}\n  - {{ . }}\n{{- end }}", params: listParams},
	{name: "minus without space is a number", template: "{{-3}}", params: listParams},

	// Errors.
	{name: "undefined function", template: "{{ nope .name }}", params: listParams},
	{name: "env is removed", template: `{{ env "HOME" }}`, params: listParams},
	{name: "expandenv is removed", template: `{{ expandenv "$HOME" }}`, params: listParams},
	{name: "getHostByName is removed", template: `{{ getHostByName "localhost" }}`, params: listParams},
	{name: "helm's include is not there", template: `{{ include "x" . }}`, params: listParams},
	{name: "unclosed action", template: "{{ .name ", params: listParams},
	{name: "unclosed if", template: "{{ if .enabled }}x", params: listParams},
	{name: "unexpected end", template: "{{ end }}", params: listParams},
	{name: "range across fields is not possible", template: "{{range .list}}", params: listParams},
	{name: "missing key passed to a string function", template: "{{ upper .missing }}", params: listParams},
	{name: "missing key passed to toYaml", template: "{{ toYaml .missing }}", params: listParams},
	{name: "wrong argument type", template: "{{ upper .replicas }}", params: listParams},
	{name: "calling a non-function", template: "{{ .name 1 }}", params: listParams},
}

const long = "Aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa" +
	"bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb.-cccc"

const longWords = "the quick brown fox jumps over the lazy dog and keeps running far away"

// Argo CD's default mode: the cases of applicationset/utils/utils_test.go (TestRenderTemplateParams)
// in spirit, plus the edges of its isTemplatedRegex and of fasttemplate's tag scanning.
var fasttemplateCases = []testCase{
	{name: "simple", template: "{{one}}", params: `{"one": "two"}`},
	{name: "tag with spaces", template: "{{ one }}", params: `{"one": "two"}`},
	{name: "braces out of order", template: "}} {{", params: `{"one": "two"}`},
	{name: "empty tag", template: "{{ }}", params: `{" ": "two", "": "three"}`},
	{name: "unknown tag kept", template: "{{ONE}} {{ two }}", params: `{"one": "x"}`},
	{name: "value is not re-rendered", template: "{{one}}", params: `{"one": "{{two}}", "two": "three"}`},
	{name: "several tags", template: "{{one}}{{one}} {{three}}", params: `{"one": "two", "three": "\"four\""}`},
	{name: "dotted flat keys", template: "{{path.basename}}-{{metadata.labels.env}}", params: `{"path.basename": "guestbook", "metadata.labels.env": "prod"}`},
	{name: "non-string value kept", template: "{{n}} {{b}} {{o}}", params: `{"n": 3, "b": true, "o": {"x": "y"}}`},
	{name: "unclosed tag after a tag", template: "{{one}} {{two", params: `{"one": "x"}`},
	{name: "tags only on different lines are not rendered", template: "{{one\n}}", params: `{"one": "x"}`},
	{name: "one tag on a line renders the others", template: "{{one}}\n{{one\n}}", params: `{"one": "x"}`},
	{name: "carriage return inside a tag", template: "{{one\r}}", params: `{"one": "x"}`},
	{name: "triple braces", template: "{{{one}}}", params: `{"one": "x", "{one": "y"}`},
	{name: "go syntax is just a tag", template: "{{ .one }}", params: `{"one": "x", ".one": "y"}`},
	{name: "unicode spaces are trimmed as Go does", template: "{{\u00a0one\u0085}} {{\ufeffone}}", params: `{"one": "x"}`},
	{name: "no tags", template: "plain", params: `{"one": "x"}`},
}
