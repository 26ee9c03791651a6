package topologies

import (
	"strings"
	"testing"
)

func TestEventCycles(t *testing.T) {
	cases := []struct {
		name string
		src  string
		want []problem
	}{
		{"self", doc(
			"entry: a",
			"services:",
			"  - name: a",
			"    publish: [x]",
			"    consume: [x]", // 5: a handles x by publishing x again
		), []problem{{5, "services.a.consume[0].subject", `cycle through events: a -> "x" -> a`}}},
		{"through a call", doc(
			"entry: a",
			"services:",
			"  - name: a",
			"    publish: [x]",
			"  - name: s",
			"    calls: [l]",
			"    consume: [x]", // 7: s's handling calls l, which publishes x
			"  - name: l",
			"    publish: [x]",
		), []problem{{7, "services.s.consume[0].subject", `cycle through events: s -> l (call) -> "x" -> s`}}},
		{"through consumers", doc(
			"entry: a",
			"services:",
			"  - name: a",
			"    publish: [x]",
			"  - name: t",
			"    consume: [x]",
			"    publish: [y]",
			"  - name: s",
			"    consume:",
			"      - subject: y", // 10
			"    publish: [x]",
		), []problem{{6, "services.t.consume[0].subject", `cycle through events: t -> "y" -> s -> "x" -> t`}}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := Parse("t.yaml", []byte(c.src))
			checkProblems(t, err, c.want...)
			if n := strings.Count(err.Error(), "cycle through events"); n != 1 {
				t.Errorf("cycle reported %d times, want once:\n%v", n, err)
			}
		})
	}
}

// A chain of events without a way back is no cycle, even when a consumer
// publishes and calls.
func TestEventChainIsNoCycle(t *testing.T) {
	src := doc(
		"entry: a",
		"services:",
		"  - name: a",
		"    calls: [l]",
		"    publish: [x]",
		"  - name: s",
		"    calls: [l]",
		"    consume: [x]",
		"    publish: [y]",
		"  - name: l",
		"  - name: u",
		"    consume: [y, x]",
	)
	if _, err := Parse("t.yaml", []byte(src)); err != nil {
		t.Fatal(err)
	}
}
