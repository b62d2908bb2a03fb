package main

import (
	"bytes"
	"fmt"
	"text/template"

	"syncwave.dev/toolchain/syncwave-gotemplate/argofuncs"
)

// baseTemplate carries the function map; each item is parsed into a clone of it, as Argo CD's
// Render.Replace does (applicationset/utils/utils.go). Its name is Argo CD's too, so Go's messages
// read the same ("template: base:1:3: executing \"base\" at <.x>: ...").
var baseTemplate = template.New("base").Funcs(argofuncs.FuncMap())

// render is the Go-template branch of Argo CD's Render.Replace: clone, apply each goTemplateOption
// with template.Option, parse, execute with the parameters as data. Its error messages are Argo CD's.
func render(text string, params map[string]any, options []string) (string, error) {
	cloned, err := baseTemplate.Clone()
	if err != nil {
		return "", fmt.Errorf("failed to clone base template: %w", err)
	}
	if err := applyOptions(cloned, options); err != nil {
		return "", err
	}
	parsed, err := cloned.Parse(text)
	if err != nil {
		return "", fmt.Errorf("failed to parse template %s: %w", text, err)
	}
	var out bytes.Buffer
	if err := parsed.Execute(&out, params); err != nil {
		return "", fmt.Errorf("failed to execute go template %s: %w", text, err)
	}
	return out.String(), nil
}

// applyOptions calls template.Option for each option in order, as Argo CD does. Option panics on an
// option it does not know (in Argo CD the reconcile fails); here that becomes this item's error.
func applyOptions(t *template.Template, options []string) (err error) {
	defer func() {
		if recovered := recover(); recovered != nil {
			err = fmt.Errorf("invalid goTemplateOptions %q: %v", options, recovered)
		}
	}()
	for _, option := range options {
		t.Option(option)
	}
	return nil
}
