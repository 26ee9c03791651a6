package sim

import (
	"strings"
	"testing"

	"github.com/faultline-sim/faultline/topologies"
)

// The topology digest follows the content, not the file's layout: a
// comment and a blank line keep it, a changed value changes it.
func TestTopologyDigest(t *testing.T) {
	parse := func(src string) string {
		t.Helper()
		top, err := topologies.Parse("coin.yaml", []byte(src))
		if err != nil {
			t.Fatal(err)
		}
		d := digest(top)
		if len(d) != 64 {
			t.Fatalf("digest %q is not a hex SHA-256", d)
		}
		return d
	}
	base := parse(coinTopology)
	if d := parse("# a comment\n\n" + coinTopology); d != base {
		t.Errorf("a comment changed the digest")
	}
	if d := parse(strings.Replace(coinTopology, "error_rate: 0.5", "error_rate: 0.4", 1)); d == base {
		t.Errorf("a changed error rate kept the digest")
	}
	if d := parse(strings.Replace(coinTopology, "work: 1ms", "work: 2ms", 1)); d == base {
		t.Errorf("a changed work time kept the digest")
	}
}
