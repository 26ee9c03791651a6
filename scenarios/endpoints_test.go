package scenarios

import (
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

const (
	syncTopology   = "entry: a\nservices:\n  - {name: a, replicas: 2, calls: [b]}\n  - {name: b}\n"
	eventsTopology = "entry: a\nservices:\n  - {name: a, replicas: 2, publish: [{subject: x}]}\n  - {name: b, consume: [{subject: x}]}\n"
)

// endpointScenario is a scenario comparing s.yaml and e.yaml with the given
// lines added from line 12.
func endpointScenario(extra ...string) string {
	return doc(append([]string{
		"load: {rate: 10}",                     // 1
		"variants:",                            // 2
		"  - {name: sync, topology: s.yaml}",   // 3
		"  - {name: events, topology: e.yaml}", // 4
		"broker: {nodes: 3, replicas: 3}",      // 5
		"faults:",                              // 6
	}, extra...)...)
}

func TestReadFileFaultEndpoints(t *testing.T) {
	dir := write(t, map[string]string{"s.yaml": syncTopology, "e.yaml": eventsTopology, "q.yaml": endpointScenario(
		"  - {at: 1s, for: 1s, partition: [[a], [b, brokr]]}",                  // 7
		"  - {at: 1s, for: 1s, crash: broker}",                                 // 8
		"  - {at: 1s, for: 1s, latency: {from: gateway, to: a#2, mean: 1ms}}",  // 9
		"  - {at: 1s, for: 1s, request: {service: c, code: internal}}",         // 10
		"  - {at: 5s, for: 1s, pause: broker#leader}",                          // 11
		"  - {at: 1s, for: 1s, bandwidth: {from: '*', to: broker#1, rate: 1}}", // 12
		"  - {at: 1s, for: 1s, errors: {target: b#0, rate: 0.5}}",              // 13
		"  - {at: 1s, reset: {from: client, to: '*'}}",                         // 14
		"  - {at: 1s, for: 1s, partition: [[a], ['*', zz]]}",                   // 15
	)})
	file := filepath.Join(dir, "q.yaml")
	_, err := ReadFile(file)
	want := []problem{
		{7, "faults[0].partition", `variant sync has no endpoint "brokr" (services: a, b)`},
		{7, "faults[0].partition", `variant events has no endpoint "brokr"`},
		{8, "faults[1].crash", `variant sync has no endpoint "broker" (topology s has no events, so no broker)`},
		{9, "faults[2].latency.to", `variant sync has no endpoint "a#2" (a has 2 replica(s), numbered from 0)`},
		{9, "faults[2].latency.to", `variant events has no endpoint "a#2"`},
		{10, "faults[3].request.service", `variant sync has no endpoint "c"`},
		{10, "faults[3].request.service", `variant events has no endpoint "c"`},
		{11, "faults[4].pause", `variant sync has no endpoint "broker#leader"`},
		{12, "faults[5].bandwidth.to", `variant sync has no endpoint "broker#1"`},

		{15, "faults[8].partition", `variant sync has no endpoint "zz"`},
		{15, "faults[8].partition", `variant events has no endpoint "zz"`},
	}
	checkProblems(t, file, err, want...)
	if n := strings.Count(err.Error(), "\n") + 1; n != len(want) {
		t.Errorf("got %d problems, want %d:\n%v", n, len(want), err)
	}
}

// A variant whose topology failed to load is not checked against the
// faults; its own problems are reported.
func TestReadFileFaultEndpointsBadTopology(t *testing.T) {
	dir := write(t, map[string]string{"s.yaml": "entry: a\nservices: []\n", "e.yaml": eventsTopology,
		"q.yaml": endpointScenario("  - {at: 1s, for: 1s, crash: b#1}")})
	_, err := ReadFile(filepath.Join(dir, "q.yaml"))
	checkProblems(t, filepath.Join(dir, "q.yaml"), err, problem{7, "faults[0].crash", `variant events has no endpoint "b#1" (b has 1 replica(s)`})
	if strings.Contains(err.Error(), "variant sync") {
		t.Errorf("the broken sync topology was checked:\n%v", err)
	}
}

func TestReadFileShippedFaultScenarios(t *testing.T) {
	cases := []struct {
		file     string
		variants []string
		broker   BrokerSpec
		fault    string
		faults   int
	}{
		{"partition.yaml", []string{"sync", "events"}, BrokerSpec{Nodes: 1, Replicas: 1}, "partition [payment]|[*] at 8s for 5s", 2},
		{"broker-crash.yaml", []string{"events"}, BrokerSpec{Nodes: 1, Replicas: 1}, "crash broker at 8s for 3s", 1},
		{"broker-node-loss.yaml", []string{"events"}, BrokerSpec{Nodes: 3, Replicas: 3, Line: 33}, "crash broker#leader at 8s for 5s", 1},
	}
	for _, c := range cases {
		t.Run(c.file, func(t *testing.T) {
			s, err := ReadFile(c.file)
			if err != nil {
				t.Fatal(err)
			}
			var names []string
			for _, v := range s.Variants {
				names = append(names, v.Name)
			}
			if !slices.Equal(names, c.variants) || s.Broker != c.broker || len(s.Faults) != c.faults {
				t.Fatalf("variants %v, broker %+v, faults %+v", names, s.Broker, s.Faults)
			}
			f := s.Faults[0]
			if got := fmt.Sprintf("%s at %s for %s", f.Name(), f.At, f.For); got != c.fault || f.File != c.file || f.Line == 0 {
				t.Errorf("fault %q (%s:%d), want %q", got, f.File, f.Line, c.fault)
			}
			if s.Load.Rate != 200 || s.Duration != 20*time.Second || s.Warmup != 2*time.Second || s.Drain != 15*time.Second || s.Seed != 42 {
				t.Errorf("scenario %+v", s)
			}
		})
	}
}
