package notify

import (
	"strings"
	"testing"
)

// The repository helpers on the address forms Argo CD's tests use (util/notification/expression/repo).
func TestRepoHelpers(t *testing.T) {
	cases := map[string][2]string{
		"git@github.com:argoproj/argo-cd.git":     {"https://github.com/argoproj/argo-cd.git", "argoproj/argo-cd"},
		"https://github.com/argoproj/argo-cd.git": {"https://github.com/argoproj/argo-cd.git", "argoproj/argo-cd"},
		"ssh://git@gitlab.com/group/sub/repo":     {"https://gitlab.com/group/sub/repo", "group/sub"},
		"https://user:token@example.com/a/b":      {"https://example.com/a/b", "a/b"},
	}
	for in, want := range cases {
		if got := RepoURLToHTTPS(in); got != want[0] {
			t.Errorf("RepoURLToHTTPS(%q) = %q, want %q", in, got, want[0])
		}
		if got := FullNameByRepoURL(in); got != want[1] {
			t.Errorf("FullNameByRepoURL(%q) = %q, want %q", in, got, want[1])
		}
	}
}

// Conditions: nil-safe navigation, Argo CD's time helpers, an empty `when` is false, a panic is an error.
func TestEvaluate(t *testing.T) {
	vars := map[string]any{"app": map[string]any{"status": map[string]any{"operationState": map[string]any{"startedAt": "2026-01-01T10:00:00Z", "finishedAt": "2026-01-01T10:00:30Z"}}}}
	check := func(expression string, want string) {
		t.Helper()
		res := Evaluate(Condition{Expression: expression, Vars: vars})
		if res.Error != "" || res.Text != want {
			t.Errorf("%s = %q (error %q), want %q", expression, res.Text, res.Error, want)
		}
	}
	check("time.Parse(app.status.operationState.startedAt).Add(1 * time.Minute).After(time.Parse(app.status.operationState.finishedAt))", "true")
	check("app.status.operationState?.syncResult?.revision", "<nil>")
	check("", "false")
	check("strings.ToUpper('web')", "WEB")
	if res := Evaluate(Condition{Expression: "time.Parse('x')", Vars: vars}); !strings.Contains(res.Error, "parsing time") {
		t.Errorf("a bad timestamp should fail the condition, got %+v", res)
	}
}

// Templates: sprig without env and expandenv, as notifications-engine's template service.
func TestRender(t *testing.T) {
	res := Render(Rendering{Fields: map[string]string{"message": "{{ .app.name | upper }} {{ call .strings.ReplaceAll .app.name \"w\" \"W\" }}"}, Vars: map[string]any{"app": map[string]any{"name": "web"}}})
	if res.Error != "" || res.Fields["message"] != "WEB Web" {
		t.Errorf("got %+v", res)
	}
	if res := Render(Rendering{Fields: map[string]string{"message": "{{ env \"HOME\" }}"}}); !strings.Contains(res.Error, `function "env" not defined`) {
		t.Errorf("env must not be defined, got %+v", res)
	}
}
