package scenarios

import (
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/faultline-sim/faultline/faults"
)

// plus returns valid followed by extra, which starts at line 16; with
// "faults:" first, the first fault is at line 17.
func plus(extra ...string) string { return doc(append(slices.Clone(valid), extra...)...) }

// oneFault returns valid with a single fault entry (at line 17).
func oneFault(entry string) string { return plus("faults:", "  - "+entry) }

func TestParseFaultsEveryKind(t *testing.T) {
	src := plus(
		"faults:",                               // 16
		"  - {at: 8s, for: 5s, crash: payment}", // 17
		"  - {at: 4s, for: 3s, latency: {from: order, to: payment, mean: 50ms, jitter: 20ms, dist: normal, both: true}}",                        // 18
		"  - {at: 4s, for: 3s, latency: {from: order, to: payment, mean: 50ms}}",                                                                // 19
		"  - {at: 4s, for: 3s, latency: {from: gateway, to: '*', mean: 50ms, jitter: 20ms}}",                                                    // 20
		"  - {at: 5s, for: 3s, bandwidth: {from: order, to: broker#2, rate: 100000, both: true}}",                                               // 21
		"  - {at: 14s, for: 3s, partition: [[order], [payment, broker]]}",                                                                       // 22
		"  - {at: 6s, reset: {from: '*', to: payment}}",                                                                                         // 23
		"  - {at: 6s, for: 4s, request: {service: payment, share: 0.5, code: unavailable, method: Handle, header: 'x-canary: 1', delay: 10ms}}", // 24
		"  - {at: 6s, for: 4s, request: {service: payment#1, delay: 10ms, sticky: true, method: orders.placed}}",                                // 25
		"  - {at: 3s, for: 2s, pause: payment#0}",                                                                                               // 26
		"  - {at: 3s, for: 2s, slow: {target: payment, factor: 3}}",                                                                             // 27
		"  - {at: 3s, for: 2s, errors: {target: inventory, rate: 0.5, sticky: true}}",                                                           // 28
		"  - {at: 10s, for: 2s, crash: broker#leader}",                                                                                          // 29
		"broker: {nodes: 3, replicas: 3}",                                                                                                       // 30
	)
	s, err := Parse("q.yaml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	if want := (BrokerSpec{Nodes: 3, Replicas: 3, Line: 30}); s.Broker != want {
		t.Errorf("broker = %+v, want %+v", s.Broker, want)
	}
	sec := func(n float64) time.Duration { return time.Duration(n * float64(time.Second)) }
	ms := time.Millisecond
	fault := func(line int, kind faults.Kind, at, dur float64) faults.Fault {
		return faults.Fault{Kind: kind, At: sec(at), For: sec(dur), File: "q.yaml", Line: line}
	}
	want := []faults.Fault{
		fault(17, &faults.Crash{Target: "payment"}, 8, 5),
		fault(18, &faults.Latency{Link: faults.LinkSpec{From: "order", To: "payment", Both: true},
			Delay: faults.LatencySpec{Mean: 50 * ms, Jitter: 20 * ms, Dist: faults.DistNormal}}, 4, 3),
		fault(19, &faults.Latency{Link: faults.LinkSpec{From: "order", To: "payment"},
			Delay: faults.LatencySpec{Mean: 50 * ms, Dist: faults.DistFixed}}, 4, 3),
		fault(20, &faults.Latency{Link: faults.LinkSpec{From: "gateway", To: "*"},
			Delay: faults.LatencySpec{Mean: 50 * ms, Jitter: 20 * ms, Dist: faults.DistUniform}}, 4, 3),
		fault(21, &faults.Bandwidth{Link: faults.LinkSpec{From: "order", To: "broker#2", Both: true}, Rate: 100000}, 5, 3),
		fault(22, &faults.Partition{Groups: [][]faults.Endpoint{{"order"}, {"payment", "broker"}}}, 14, 3),
		fault(23, &faults.Reset{Link: faults.LinkSpec{From: "*", To: "payment"}}, 6, 0),
		fault(24, &faults.Request{Service: "payment", Method: "Handle", Header: "x-canary: 1", Share: 0.5, Code: "unavailable", Delay: 10 * ms}, 6, 4),
		fault(25, &faults.Request{Service: "payment#1", Share: 1, Delay: 10 * ms, Sticky: true, Method: "orders.placed"}, 6, 4),
		fault(26, &faults.Pause{Target: "payment#0"}, 3, 2),
		fault(27, &faults.Slow{Target: "payment", Factor: 3}, 3, 2),
		fault(28, &faults.Errors{Target: "inventory", Rate: 0.5, Sticky: true}, 3, 2),
		fault(29, &faults.Crash{Target: "broker#leader"}, 10, 2),
	}
	if len(s.Faults) != len(want) {
		t.Fatalf("got %d faults, want %d: %+v", len(s.Faults), len(want), s.Faults)
	}
	for i := range want {
		if !reflect.DeepEqual(s.Faults[i], want[i]) {
			t.Errorf("faults[%d]:\n got %+v\nwant %+v", i, s.Faults[i], want[i])
		}
	}
}

func TestParseFaultsDefaults(t *testing.T) {
	s, err := Parse("q.yaml", []byte(doc(valid...)))
	if err != nil {
		t.Fatal(err)
	}
	if want := (BrokerSpec{Nodes: 1, Replicas: 1}); s.Broker != want || s.Faults != nil {
		t.Errorf("broker = %+v, faults = %+v", s.Broker, s.Faults)
	}
}

// Block style: nested keys are located on their own lines.
func TestParseFaultBlockLines(t *testing.T) {
	_, err := Parse("q.yaml", []byte(plus(
		"faults:",           // 16
		"  - at: 1s",        // 17
		"    for: 2s",       // 18
		"    latency:",      // 19
		"      from: order", // 20
		"      to: payment", // 21
		"      mean: -1ms",  // 22
		"  - at: 1s",        // 23
		"    partition:",    // 24
		"      - [order]",   // 25
		"      - []",        // 26
	)))
	checkProblems(t, "q.yaml", err,
		problem{22, "faults[0].latency.mean", "must not be negative, got -1ms"},
		problem{23, "faults[1].for", "required"},
		problem{26, "faults[1].partition", "group 1 is empty"},
	)
}

// Faults that must be accepted: edges of the ranges, and neighbours that do
// not overlap.
func TestParseFaultsAccepted(t *testing.T) {
	for _, entries := range [][]string{
		{"{at: 0s, for: 22s, crash: payment}"},
		{"{at: 22s, reset: {from: client, to: gateway, both: true}}"},
		{"{at: 1s, for: 1s, errors: {target: payment#1, rate: 0}}", "{at: 1s, for: 1s, errors: {target: payment, rate: 1}}"},
		{"{at: 1s, for: 5s, crash: payment#0}", "{at: 1s, for: 5s, crash: payment#1}"},
		{"{at: 1s, for: 5s, crash: payment}", "{at: 6s, for: 5s, pause: payment}"},
		{"{at: 1s, for: 5s, crash: payment}", "{at: 1s, for: 5s, pause: order}", "{at: 1s, for: 5s, crash: broker}"},
		{"{at: 1s, for: 1s, latency: {from: '*', to: '*', mean: 0s, jitter: 5ms, dist: normal}}"},
		{"{at: 1s, for: 1s, request: {service: payment, code: internal, share: 1}}"},
		{"{at: 1s, for: 1s, partition: [[order, gateway], [payment#0], [broker, client]]}"},
		{"{at: 1s, for: 1s, partition: [[payment], ['*']]}"},
	} {
		src := plus(append([]string{"faults:"}, prefix("  - ", entries)...)...)
		if _, err := Parse("q.yaml", []byte(src)); err != nil {
			t.Errorf("%v: %v", entries, err)
		}
	}
}

func prefix(p string, lines []string) []string {
	out := make([]string, len(lines))
	for i, l := range lines {
		out[i] = p + l
	}
	return out
}

// Every fault problem is reported at once, next to the others.
func TestParseEveryFaultProblem(t *testing.T) {
	_, err := Parse("q.yaml", []byte(plus(
		"faults:",
		"  - {at: -1s, for: 1s, crash: order}",                    // 17
		"  - {at: 1s, for: 0s, pause: order}",                     // 18
		"  - {at: 1s, for: 1s, errors: {target: order, rate: 2}}", // 19
		"  - {at: 1s, for: 1s}",                                   // 20
		"broker: {nodes: 4}",                                      // 21
	)))
	want := []problem{
		{17, "faults[0].at", "must not be negative"},
		{18, "faults[1].for", "must be positive"},
		{19, "faults[2].errors.rate", "between 0 and 1"},
		{20, "faults[3]", "needs one kind key"},
		{21, "broker.nodes", "must be 1, 3 or 5"},
	}
	checkProblems(t, "q.yaml", err, want...)
	if n := strings.Count(err.Error(), "\n") + 1; n != len(want) {
		t.Errorf("got %d problems, want %d:\n%v", n, len(want), err)
	}
}

// Scenarios built in code are located by Fault.Line.
func TestValidateFaultsBuiltInCode(t *testing.T) {
	s := &Scenario{
		File: "code.yaml", Duration: time.Second, Seed: 1,
		Load:     Load{Arrival: ArrivalConstant, Rate: 1, Timeout: time.Second},
		Variants: []Variant{{Name: "a", TopologyPath: "a.yaml"}},
		Broker:   BrokerSpec{Nodes: 1, Replicas: 1},
		Faults: []faults.Fault{
			{For: time.Second, Line: 7, Kind: &faults.Crash{Target: "a"}},
			{Line: 8, Kind: &faults.Reset{Link: faults.LinkSpec{From: "*", To: "a"}}},
			{For: time.Second, Line: 9},
		},
	}
	err := s.Validate()
	checkProblems(t, "code.yaml", err, problem{9, "faults[2]", "a fault needs one kind key"})
	if n := strings.Count(err.Error(), "\n") + 1; n != 1 {
		t.Errorf("got %d problems, want 1:\n%v", n, err)
	}
}
