// Package argofuncs holds the template functions that Argo CD's ApplicationSet controller adds to
// sprig's, and the function map it builds from both.
//
// Reference: argo-cd applicationset/utils/utils.go (init: sprigFuncMap) and
// applicationset/utils/template_functions.go. The functions here are written for this project from
// the behaviour those files describe; they are not copies.
package argofuncs

import (
	"text/template"

	"github.com/Masterminds/sprig/v3"
)

// FuncMap returns the functions an ApplicationSet template may call: the whole sprig library except
// the ones that would let a template learn about the controller's environment, plus Argo CD's own.
func FuncMap() template.FuncMap {
	functions := sprig.TxtFuncMap() // a fresh copy on every call
	for _, environmental := range []string{"env", "expandenv", "getHostByName"} {
		delete(functions, environmental)
	}
	functions["normalize"] = Normalize
	functions["slugify"] = Slugify
	functions["toYaml"] = ToYAML
	functions["fromYaml"] = FromYAML
	functions["fromYamlArray"] = FromYAMLArray
	return functions
}
