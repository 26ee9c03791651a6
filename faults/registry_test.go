package faults

import (
	"encoding/json"
	"slices"
	"testing"
	"time"
)

// Every kind registers itself once under its own key, and New returns a
// fresh value each time.
func TestKindsRegistered(t *testing.T) {
	want := []string{"bandwidth", "close", "crash", "errors", "latency", "loss", "partition", "pause", "request", "reset", "slow"}
	if got := Keys(); !slices.Equal(got, want) {
		t.Fatalf("Keys() = %v, want %v", got, want)
	}
	for _, k := range want {
		a, b := New(k), New(k)
		if a == nil || a.Key() != k {
			t.Errorf("New(%q) = %v", k, a)
			continue
		}
		if a == b {
			t.Errorf("New(%q) returned one value twice", k)
		}
		if a.Schema() == nil {
			t.Errorf("%s has no schema", k)
		}
	}
	if New("melt") != nil {
		t.Error(`New("melt") is not nil`)
	}
	defer func() {
		if recover() == nil {
			t.Error("registering latency twice did not panic")
		}
	}()
	Register("latency", func() Kind { return &Latency{} })
}

// Traits and the optional interfaces are what the timeline and the checks
// read instead of kinds: they must say what each kind does.
func TestKindTraits(t *testing.T) {
	link := map[string]bool{"latency": true, "bandwidth": true, "loss": true, "partition": true, "reset": true, "close": true}
	instant := map[string]bool{"reset": true, "close": true}
	delays := map[string]bool{"latency": true, "bandwidth": true, "loss": true, "partition": true}
	stops := map[string]bool{"crash": true, "pause": true}
	warns := map[string]bool{"latency": true, "request": true}
	for _, k := range Keys() {
		kind := New(k)
		tr := kind.Traits()
		_, isLink := kind.(LinkKind)
		_, isStopper := kind.(Stopper)
		_, isWarner := kind.(Warner)
		if isLink != link[k] || tr.Instant != instant[k] || tr.Delays != delays[k] || isStopper != stops[k] || isWarner != warns[k] ||
			tr.Holds != (k == "partition") || tr.Lateness != (k == "latency") {
			t.Errorf("%s: traits %+v, link %v, stopper %v, warner %v", k, tr, isLink, isStopper, isWarner)
		}
	}
}

// A fault's JSON is its scenario entry: at, for and the kind's value under
// its key, without where it was written.
func TestFaultJSON(t *testing.T) {
	f := Fault{At: time.Second, For: 2 * time.Second, File: "a.yaml", Line: 9, Kind: &Crash{Target: "payment#1"}}
	raw, err := json.Marshal(f)
	if err != nil {
		t.Fatal(err)
	}
	if want := `{"at":1000000000,"crash":{"Target":"payment#1"},"for":2000000000}`; string(raw) != want {
		t.Errorf("JSON %s, want %s", raw, want)
	}
}

func TestEndpointRelations(t *testing.T) {
	overlaps := []struct {
		a, b Endpoint
		want bool
	}{
		{"payment", "payment#1", true},
		{"payment#1", "payment#1", true},
		{"payment#0", "payment#1", false},
		{"payment", "order", false},
		{"broker#leader", "broker#2", true},
		{"broker", "broker#leader", true},
		{"broker#0", "broker#1", false},
	}
	for _, c := range overlaps {
		if got := c.a.Overlaps(c.b); got != c.want {
			t.Errorf("%s.Overlaps(%s) = %v, want %v", c.a, c.b, got, c.want)
		}
	}
	covers := []struct {
		e    Endpoint
		name string
		want bool
	}{
		{"*", "payment", true},
		{"payment#1", "payment", true},
		{"payment", "payment", true},
		{"pay", "payment", false},
	}
	for _, c := range covers {
		if got := c.e.Covers(c.name); got != c.want {
			t.Errorf("%s.Covers(%s) = %v, want %v", c.e, c.name, got, c.want)
		}
	}
}
