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

// A field added to the model later, left unset, keeps older digests; set,
// it changes them.
func TestDigestIgnoresUnsetFields(t *testing.T) {
	type before struct {
		Rate float64
		Line int
	}
	type after struct {
		Rate  float64
		Line  int
		Extra struct{ Share float64 }
		Note  string
	}
	b := digest(before{Rate: 0.5, Line: 3})
	if a := digest(after{Rate: 0.5, Line: 9}); a != b {
		t.Errorf("an unset new field changed the digest")
	}
	set := after{Rate: 0.5}
	set.Extra.Share = 0.1
	if a := digest(set); a == b {
		t.Errorf("a set new field kept the digest")
	}
}
