package topologies

import (
	"strings"
	"testing"
)

// Syntax errors name the line of the mistake, not where the enclosing
// block starts (the library's line for most of these).
func TestSyntaxErrorLines(t *testing.T) {
	cases := []struct {
		name string
		src  string
		line int
		msg  string
	}{
		{"tab in indentation", doc(
			"entry: a",
			"services:",
			"  - name: a",
			"\treplicas: 2", // 4
		), 4, "found a tab character that violates indentation"},
		{"unclosed flow map", doc(
			"entry: a",
			"services:",
			"  - name: a",
			"    consume: [{subject: x, concurrency: 2", // 4
			"  - name: b",
			"    publish: [x]",
		), 4, "did not find expected ',' or '}'"},
		{"item indented too far", doc(
			"entry: a",
			"services:",
			"  - name: a",
			"    replicas: 2",
			"   - name: b", // 5
		), 5, "did not find expected '-' indicator"},
		{"key among items", doc(
			"entry: a",
			"services:",
			"  - name: a",
			"  replicas: 2", // 4
		), 4, "did not find expected '-' indicator"},
		{"key indented too far", doc(
			"entry: a",
			"services:",
			"  - name: a",
			"    replicas: 2",
			"     capacity: 3", // 5
		), 5, "mapping values are not allowed in this context"},
		{"unclosed quote", doc(
			`entry: "a`, // 1
			"services:",
			"  - name: a",
		), 1, "found unexpected end of stream"},
		{"unclosed quote after a closed one", doc(
			`description: "two`,
			`  lines"`,
			`entry: "a`, // 3
			"services:",
			"  - name: a",
		), 3, "found unexpected end of stream"},
		{"tab after a multi-line flow map", doc(
			"entry: a",
			"services: [{name: a,",
			"  replicas: 2}, {name: b}]",
			"wire:",
			"  protocol: connect",
			"\thttp: h2c", // 6
		), 6, "found a tab character that violates indentation"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := Parse("t.yaml", []byte(c.src))
			checkProblems(t, err, problem{c.line, "", "invalid YAML: " + c.msg})
			if n := strings.Count(err.Error(), "invalid YAML"); n != 1 {
				t.Errorf("%d syntax errors, want 1:\n%v", n, err)
			}
		})
	}
}
