// Command syncwave-gotemplate renders Go text/templates with the functions and options of Argo CD's
// ApplicationSet controller, so that SyncWave's goTemplate rendering is Go's own rather than an
// imitation. It reads one JSON request on stdin and writes one JSON response on stdout:
//
//	request:  {"options": ["missingkey=error"], "items": [{"template": "...", "params": {...}}, ...]}
//	response: {"results": [{"text": "..."} or {"error": "..."}, ...]}   (one per item, in order)
//
// Two more request modes serve SyncWave's Argo CD Notifications (package notify):
//
//	{"mode": "notification-conditions", "conditions": [{"expression": "...", "vars": {...}}]}
//	  -> {"conditions": [{"value": ..., "text": "..."} or {"error": "..."}]}
//	{"mode": "notification-templates", "renderings": [{"fields": {"message": "..."}, "vars": {...}}]}
//	  -> {"renderings": [{"fields": {...}} or {"error": "..."}]}
//
// A failing item does not stop the others. The exit status is 0 unless the request itself cannot
// be read (then 2, with the reason on stderr).
//
// `go test ./...` checks Argo CD's extra functions (argofuncs) against the libraries Argo CD calls;
// conformance/gen writes the table that SyncWave's TypeScript tests check this command against.
package main

import (
	"encoding/json"
	"fmt"
	"io"
	"os"

	"syncwave.dev/toolchain/syncwave-gotemplate/notify"
)

type request struct {
	// Absent for ApplicationSet templates (the original request); see the modes above.
	Mode       string             `json:"mode"`
	Options    []string           `json:"options"`
	Items      []item             `json:"items"`
	Conditions []notify.Condition `json:"conditions"`
	Renderings []notify.Rendering `json:"renderings"`
}

type item struct {
	Template *string `json:"template"`
	// Decoded as encoding/json decodes any value, so numbers are float64 as in the parameters Argo
	// CD's generators produce (they too come from JSON or YAML).
	Params map[string]any `json:"params"`
}

type result struct {
	Text  *string `json:"text,omitempty"`
	Error string  `json:"error,omitempty"`
}

type response struct {
	Results []result `json:"results"`
}

type conditionsResponse struct {
	Conditions []notify.ConditionResult `json:"conditions"`
}

type renderingsResponse struct {
	Renderings []notify.RenderingResult `json:"renderings"`
}

func main() {
	req, err := readRequest(os.Stdin)
	if err != nil {
		fmt.Fprintf(os.Stderr, "syncwave-gotemplate: %v\n", err)
		os.Exit(2)
	}
	encoder := json.NewEncoder(os.Stdout)
	encoder.SetEscapeHTML(false)
	if err := encoder.Encode(answer(req)); err != nil {
		fmt.Fprintf(os.Stderr, "syncwave-gotemplate: writing the response: %v\n", err)
		os.Exit(1)
	}
}

func answer(req *request) any {
	switch req.Mode {
	case "notification-conditions":
		out := make([]notify.ConditionResult, len(req.Conditions))
		for i, c := range req.Conditions {
			out[i] = notify.Evaluate(c)
		}
		return conditionsResponse{Conditions: out}
	case "notification-templates":
		out := make([]notify.RenderingResult, len(req.Renderings))
		for i, r := range req.Renderings {
			out[i] = notify.Render(r)
		}
		return renderingsResponse{Renderings: out}
	}
	results := make([]result, len(req.Items))
	for i, it := range req.Items {
		results[i] = renderItem(*it.Template, it.Params, req.Options)
	}
	return response{Results: results}
}

func readRequest(in io.Reader) (*request, error) {
	data, err := io.ReadAll(in)
	if err != nil {
		return nil, fmt.Errorf("reading the request: %w", err)
	}
	var req request
	if err := json.Unmarshal(data, &req); err != nil {
		return nil, fmt.Errorf("the request is not valid JSON of the form "+
			`{"options": [...], "items": [{"template": "...", "params": {...}}]}: %w`, err)
	}
	switch req.Mode {
	case "", "notification-conditions", "notification-templates":
	default:
		return nil, fmt.Errorf("unknown request mode %q (expected notification-conditions or notification-templates, or none)", req.Mode)
	}
	for i, it := range req.Items {
		if it.Template == nil {
			return nil, fmt.Errorf("item %d has no \"template\" string", i)
		}
	}
	return &req, nil
}

// renderItem renders one item; a panic escaping text/template (which recovers its functions' own)
// is reported as that item's error instead of losing the whole batch.
func renderItem(text string, params map[string]any, options []string) (res result) {
	defer func() {
		if recovered := recover(); recovered != nil {
			res = result{Error: fmt.Sprintf("failed to execute go template %s: panic: %v", text, recovered)}
		}
	}()
	out, err := render(text, params, options)
	if err != nil {
		return result{Error: err.Error()}
	}
	return result{Text: &out}
}
