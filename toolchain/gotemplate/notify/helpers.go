// Package notify evaluates Argo CD Notifications' trigger conditions (expr-lang expressions) and
// renders its notification templates (Go text/template), with the variables and helpers Argo CD's
// notifications controller gives both.
//
// References: argo-cd util/notification/expression (expr.go Spawn: the `time`, `strings` and `repo`
// namespaces), notifications-engine pkg/triggers/service.go (conditions, oncePer) and
// pkg/templates/service.go (sprig without env and expandenv). Written for this project from the
// behaviour those files describe; not copies.
package notify

import (
	"fmt"
	"net/url"
	"regexp"
	"strings"
	"time"
)

// Helpers returns the namespaces Argo CD adds to every trigger's and template's variables. The
// repo functions that ask Argo CD's repo server (GetCommitMetadata, GetAppDetails) have no
// counterpart here: calling one fails the condition or template, naming it.
func Helpers() map[string]any {
	return map[string]any{
		"time":    timeHelpers(),
		"strings": map[string]any{"ReplaceAll": strings.ReplaceAll, "ToUpper": strings.ToUpper, "ToLower": strings.ToLower},
		"repo": map[string]any{
			"RepoURLToHTTPS":    RepoURLToHTTPS,
			"FullNameByRepoURL": FullNameByRepoURL,
			"QueryEscape":       url.QueryEscape,
			"GetCommitMetadata": func(string) any { panic(notProvided("repo.GetCommitMetadata")) },
			"GetAppDetails":     func() any { panic(notProvided("repo.GetAppDetails")) },
		},
	}
}

func notProvided(name string) error {
	return fmt.Errorf("%s is not provided by SyncWave (it asks Argo CD's repo server, which SyncWave does not run)", name)
}

func timeHelpers() map[string]any {
	return map[string]any{
		// Argo CD's time.Parse reads RFC 3339 only and panics otherwise (expression/time/time.go).
		"Parse": func(timestamp string) time.Time {
			parsed, err := time.Parse(time.RFC3339, timestamp)
			if err != nil {
				panic(err)
			}
			return parsed
		},
		"Now":         time.Now,
		"Nanosecond":  time.Nanosecond,
		"Microsecond": time.Microsecond,
		"Millisecond": time.Millisecond,
		"Second":      time.Second,
		"Minute":      time.Minute,
		"Hour":        time.Hour,
		"Layout":      time.Layout,
		"ANSIC":       time.ANSIC,
		"UnixDate":    time.UnixDate,
		"RubyDate":    time.RubyDate,
		"RFC822":      time.RFC822,
		"RFC822Z":     time.RFC822Z,
		"RFC850":      time.RFC850,
		"RFC1123":     time.RFC1123,
		"RFC1123Z":    time.RFC1123Z,
		"RFC3339":     time.RFC3339,
		"RFC3339Nano": time.RFC3339Nano,
		"Kitchen":     time.Kitchen,
		"Stamp":       time.Stamp,
		"StampMilli":  time.StampMilli,
		"StampMicro":  time.StampMicro,
		"StampNano":   time.StampNano,
	}
}

// scpLike matches git's scp-style addresses (git@github.com:org/repo.git), which url.Parse cannot read.
var scpLike = regexp.MustCompile(`^(?:([^@/]+)@)?([^:/]+):(.*)$`)
var gitSuffix = regexp.MustCompile(`\.git$`)

func parseRepoURL(raw string) *url.URL {
	if !strings.Contains(raw, "://") {
		if m := scpLike.FindStringSubmatch(raw); m != nil {
			parsed := &url.URL{Scheme: "ssh", Host: m[2], Path: "/" + strings.TrimPrefix(m[3], "/")}
			if m[1] != "" {
				parsed.User = url.User(m[1])
			}
			return parsed
		}
	}
	parsed, err := url.Parse(raw)
	if err != nil {
		panic(err)
	}
	return parsed
}

// RepoURLToHTTPS is Argo CD's repo.RepoURLToHTTPS: the same address over https, without credentials.
func RepoURLToHTTPS(raw string) string {
	parsed := parseRepoURL(raw)
	parsed.Scheme = "https"
	parsed.User = nil
	return parsed.String()
}

// FullNameByRepoURL is Argo CD's repo.FullNameByRepoURL: "org/repo" of a repository address.
func FullNameByRepoURL(raw string) string {
	path := gitSuffix.ReplaceAllString(parseRepoURL(raw).Path, "")
	var parts []string
	for _, part := range strings.Split(path, "/") {
		if part != "" {
			parts = append(parts, part)
		}
	}
	if len(parts) >= 2 {
		return strings.Join(parts[:2], "/")
	}
	return path
}
