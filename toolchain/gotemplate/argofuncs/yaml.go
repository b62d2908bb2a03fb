package argofuncs

import (
	"strings"

	"sigs.k8s.io/yaml"
)

// The YAML functions of applicationset/utils/template_functions.go (which Argo CD took from Helm).
// sigs.k8s.io/yaml goes through JSON, so maps come out with sorted keys and numbers read back as
// float64, exactly as in Argo CD. Unlike Helm's, errors are returned, so a template fails on them.

// ToYAML is `toYaml`: the value as YAML, without the final newline.
func ToYAML(value any) (string, error) {
	data, err := yaml.Marshal(value)
	if err != nil {
		return "", err
	}
	return strings.TrimSuffix(string(data), "\n"), nil
}

// FromYAML is `fromYaml`: a YAML mapping as a map.
func FromYAML(text string) (map[string]any, error) {
	mapping := map[string]any{}
	if err := yaml.Unmarshal([]byte(text), &mapping); err != nil {
		return nil, err
	}
	return mapping, nil
}

// FromYAMLArray is `fromYamlArray`: a YAML sequence as a slice.
func FromYAMLArray(text string) ([]any, error) {
	sequence := []any{}
	if err := yaml.Unmarshal([]byte(text), &sequence); err != nil {
		return nil, err
	}
	return sequence, nil
}
