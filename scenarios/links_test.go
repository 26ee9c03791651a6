package scenarios

import (
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/faultline-sim/faultline/faults"
)

// A link fault between a and b acts on the sync variant (a calls b) and
// on nothing in the events variant (a and b only meet through the
// broker): Warnings names it once, for that variant, at its line.
func TestWarningsLinkFaultMatchesNothing(t *testing.T) {
	dir := write(t, map[string]string{"s.yaml": syncTopology, "e.yaml": eventsTopology, "q.yaml": endpointScenario(
		"  - {at: 1s, for: 1s, latency: {from: a, to: b, mean: 1ms}}",      // 7
		"  - {at: 1s, for: 1s, latency: {from: client, to: b, mean: 1ms}}", // 8
		"  - {at: 1s, for: 1s, partition: [[a], [b]]}",                     // 9
		"  - {at: 1s, reset: {from: b, to: a}}",                            // 10
	)})
	file := filepath.Join(dir, "q.yaml")
	s, err := ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, w := range s.LinkWarnings() {
		got = append(got, w.String())
	}
	want := []string{
		// The client talks only to the gateway; a reset b->a closes only
		// connections b dials, and b dials nobody in sync.
		file + ":8: faults[1].latency: variant sync: latency client->b 1ms matches no link",
		file + ":10: faults[3].reset: variant sync: reset b->a matches no link",
		file + ":7: faults[0].latency: variant events: latency a->b 1ms matches no link",
		file + ":8: faults[1].latency: variant events: latency client->b 1ms matches no link",
		file + ":9: faults[2].partition: variant events: partition [a]|[b] matches no link",
		file + ":10: faults[3].reset: variant events: reset b->a matches no link",
	}
	if len(got) != len(want) {
		t.Fatalf("got %d warnings, want %d:\n%s", len(got), len(want), strings.Join(got, "\n"))
	}
	for i := range want {
		if !strings.HasPrefix(got[i], want[i]) {
			t.Errorf("warning %d:\n got %s\nwant %s…", i, got[i], want[i])
		}
	}
}

// Links lists the connections of a variant as the fault layer names them,
// and Selects picks the ones a fault acts on, both directions of a
// latency included.
func TestLinksAndSelects(t *testing.T) {
	dir := write(t, map[string]string{"s.yaml": syncTopology, "e.yaml": eventsTopology, "q.yaml": endpointScenario()})
	s, err := ReadFile(filepath.Join(dir, "q.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	str := func(ls []faults.Link) []string {
		var out []string
		for _, l := range ls {
			out = append(out, l.String())
		}
		return out
	}
	sync := Links(s.Variants[0].Topology, s.Broker.Nodes)
	if got, want := str(sync), []string{"client->gateway#0", "gateway#0->a#0", "gateway#0->a#1", "a#0->b#0", "a#1->b#0"}; !slices.Equal(got, want) {
		t.Errorf("sync links %v, want %v", got, want)
	}
	events := Links(s.Variants[1].Topology, s.Broker.Nodes)
	if len(events) != 3+3*3+6 { // client, gateway×2; 3 replicas × 3 nodes; 3×2 routes
		t.Errorf("events links %v", str(events))
	}
	// b -> a: bytes b sends to a are the replies on a's connections to b.
	f := faults.Fault{Kind: &faults.Latency{Link: faults.LinkSpec{From: "b", To: "a"}}}
	if got, want := str(f.SelectedLinks(sync)), []string{"a#0->b#0", "a#1->b#0"}; !slices.Equal(got, want) {
		t.Errorf("latency b->a selects %v, want %v", got, want)
	}
	if got := f.SelectedLinks(events); len(got) != 0 {
		t.Errorf("latency b->a in events selects %v, want none", str(got))
	}
	// Under a detection delay every replica and the gateway heartbeat to
	// the registry, so a fault on those links matches something.
	top := *s.Variants[0].Topology
	top.Discovery.DetectionDelay = time.Second
	beats := Links(&top, s.Broker.Nodes)
	if got, want := str(beats[len(sync):]), []string{"gateway#0->registry", "a#0->registry", "a#1->registry", "b#0->registry"}; !slices.Equal(got, want) {
		t.Errorf("heartbeat links %v, want %v", got, want)
	}
	cut := faults.Fault{Kind: &faults.Partition{Groups: [][]faults.Endpoint{{"b"}, {faults.EndpointRegistry}}}}
	if got := cut.SelectedLinks(sync); len(got) != 0 {
		t.Errorf("partition b|registry without a detection delay selects %v, want none", str(got))
	}
	if got, want := str(cut.SelectedLinks(beats)), []string{"b#0->registry"}; !slices.Equal(got, want) {
		t.Errorf("partition b|registry selects %v, want %v", got, want)
	}
}
