package scenarios

import "testing"

// Scenario files share the topologies' decoder: syntax errors name the
// line of the mistake, and unknown keys get a suggestion.
func TestScenarioSyntaxLinesAndSuggestions(t *testing.T) {
	cases := []struct {
		name string
		src  string
		want problem
	}{
		{"tab", with(10, "\ttimeout: 5s"), problem{10, "", "invalid YAML: found a tab character that violates indentation"}},
		{"unclosed fault", doc(append(append([]string{}, valid...), "faults:", "  - {at: 4s, for: 3s", "  - {at: 9s, for: 1s, crash: a}")...),
			problem{17, "", "invalid YAML: did not find expected ',' or '}'"}},
		{"variant indented too far", with(14, "   - name: events"), problem{14, "", "invalid YAML: did not find expected '-' indicator"}},
		{"misspelt load key", with(10, "  timout: 5s"), problem{10, "load.timout", "unknown key (expected one of: arrival, rate, timeout, max_in_flight, to, steps, burst): did you mean timeout?"}},
		{"camel case", with(6, "Seed: 42"), problem{6, "Seed", "did you mean seed?"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := Parse("q.yaml", []byte(c.src))
			checkProblems(t, "q.yaml", err, c.want)
		})
	}
}
