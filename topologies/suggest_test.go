package topologies

import (
	"strings"
	"testing"
)

func TestSuggest(t *testing.T) {
	retry := []string{"max_attempts", "backoff", "max_backoff", "budget", "codes"}
	service := []string{"name", "replicas", "work", "error_rate", "capacity", "calls", "parallel", "publish", "consume"}
	for _, c := range []struct {
		got   string
		known []string
		want  string
	}{
		{"max_attemps", retry, "max_attempts"}, // one letter left out
		{"errorRate", service, "error_rate"},   // camel case
		{"Error-Rate", service, "error_rate"},  // case and dash
		{"replica", service, "replicas"},
		{"paralel", service, "parallel"},
		{"calss", service, "calls"},  // transposition: distance 2
		{"timeout", service, ""},     // nothing close
		{"x", service, ""},           // too short to guess
		{"budgets", retry, "budget"}, //
		{"backof", retry, "backoff"}, // closer to backoff than max_backoff
		{"max_backof", retry, "max_backoff"},
		{"name", service, ""}, // known: nothing to suggest
	} {
		if got := Suggest(c.got, c.known); got != c.want {
			t.Errorf("Suggest(%q) = %q, want %q", c.got, got, c.want)
		}
	}
	// Two equally close keys: no guess.
	if got := Suggest("ab", []string{"ac", "ad"}); got != "" {
		t.Errorf("tie: got %q, want none", got)
	}
}

// TestUnknownKeySuggestion checks the message in both decoders' files: the
// topology's (here) and the scenario's (scenarios use the same Decoder).
func TestUnknownKeySuggestion(t *testing.T) {
	for _, c := range []struct {
		name, yaml, key, hint string
	}{
		{"retry", doc("entry: a", "services:", "  - name: a", "    calls:", "      - service: b",
			"        policy: {timeout: 1s, retry: {max_attemps: 3}}", "  - name: b"),
			"t.yaml:6: services.a.calls[0].policy.retry.max_attemps:", "did you mean max_attempts?"},
		{"camel", doc("entry: a", "services:", "  - name: a", "    errorRate: 0.1"),
			"t.yaml:4: services.a.errorRate:", "did you mean error_rate?"},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := Parse("t.yaml", []byte(c.yaml))
			if err == nil {
				t.Fatal("no error")
			}
			var found bool
			for _, line := range strings.Split(err.Error(), "\n") {
				if strings.HasPrefix(line, c.key) && strings.Contains(line, "unknown key") && strings.HasSuffix(line, c.hint) {
					found = true
				}
			}
			if !found {
				t.Errorf("want %q ... %q in:\n%v", c.key, c.hint, err)
			}
		})
	}
}
