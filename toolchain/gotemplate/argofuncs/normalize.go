package argofuncs

import (
	"regexp"
	"strings"
)

// notDNSLabelChar is every character a DNS subdomain name may not hold (after lowercasing).
var notDNSLabelChar = regexp.MustCompile(`[^-a-z0-9.]`)

// maxDNSSubdomainLength is the Kubernetes limit on an object name (RFC 1123 subdomain).
const maxDNSSubdomainLength = 253

// Normalize is Argo CD's `normalize` (SanitizeName in applicationset/utils/template_functions.go):
// lowercase, every other character than [-a-z0-9.] becomes '-', cut to 253 bytes, and then (after
// the cut, so the result may be shorter than 253) leading and trailing '-' and '.' are removed.
func Normalize(name string) string {
	lowered := strings.ToLower(name)
	replaced := notDNSLabelChar.ReplaceAllString(lowered, "-")
	if len(replaced) > maxDNSSubdomainLength {
		replaced = replaced[:maxDNSSubdomainLength]
	}
	return strings.Trim(replaced, "-.")
}
