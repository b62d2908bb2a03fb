package notify

import (
	"bytes"
	"fmt"
	"maps"
	"text/template"

	"github.com/Masterminds/sprig/v3"
	"github.com/expr-lang/expr"
)

// Condition is one expression to evaluate with its variables (a trigger's `when` or `oncePer`).
type Condition struct {
	Expression string         `json:"expression"`
	Vars       map[string]any `json:"vars"`
}

// ConditionResult is the expression's value, and its text as notifications-engine formats an
// oncePer value (fmt "%v"); or why it could not be evaluated.
type ConditionResult struct {
	Value any    `json:"value"`
	Text  string `json:"text"`
	Error string `json:"error,omitempty"`
}

// Evaluate compiles and runs one expression, as notifications-engine's trigger service does (an
// empty `when` is "false"). A panic in a helper (time.Parse of a bad timestamp) is this item's error.
func Evaluate(c Condition) (res ConditionResult) {
	defer func() {
		if recovered := recover(); recovered != nil {
			res = ConditionResult{Error: fmt.Sprintf("%v", recovered)}
		}
	}()
	source := c.Expression
	if source == "" {
		source = "false"
	}
	program, err := expr.Compile(source)
	if err != nil {
		return ConditionResult{Error: err.Error()}
	}
	value, err := expr.Run(program, withHelpers(c.Vars))
	if err != nil {
		return ConditionResult{Error: err.Error()}
	}
	return ConditionResult{Value: value, Text: fmt.Sprintf("%v", value)}
}

// Rendering is one notification's template fields (message, title, webhook.<service>.body, ...),
// each a Go template rendered with the same variables.
type Rendering struct {
	Fields map[string]string `json:"fields"`
	Vars   map[string]any    `json:"vars"`
}

type RenderingResult struct {
	Fields map[string]string `json:"fields,omitempty"`
	Error  string            `json:"error,omitempty"`
}

// Render renders every field; the first failure fails the whole notification, as in Argo CD.
func Render(r Rendering) (res RenderingResult) {
	defer func() {
		if recovered := recover(); recovered != nil {
			res = RenderingResult{Error: fmt.Sprintf("%v", recovered)}
		}
	}()
	vars := withHelpers(r.Vars)
	out := map[string]string{}
	for name, text := range r.Fields {
		parsed, err := template.New(name).Funcs(funcMap()).Parse(text)
		if err != nil {
			return RenderingResult{Error: fmt.Sprintf("field %s: %v", name, err)}
		}
		var buffer bytes.Buffer
		if err := parsed.Execute(&buffer, vars); err != nil {
			return RenderingResult{Error: fmt.Sprintf("field %s: %v", name, err)}
		}
		out[name] = buffer.String()
	}
	return RenderingResult{Fields: out}
}

// funcMap is notifications-engine's: sprig's text functions without env and expandenv.
func funcMap() template.FuncMap {
	functions := sprig.TxtFuncMap()
	delete(functions, "env")
	delete(functions, "expandenv")
	return functions
}

func withHelpers(vars map[string]any) map[string]any {
	out := map[string]any{}
	maps.Copy(out, vars)
	maps.Copy(out, Helpers())
	return out
}
