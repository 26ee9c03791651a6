package scenarios

import (
	"reflect"
	"testing"
	"time"

	"github.com/faultline-sim/faultline/faults"
)

// close, loss, requests_only and the registry endpoint decode.
func TestParseNetFaults(t *testing.T) {
	src := plus(
		"faults:", // 16
		"  - {at: 6s, close: {from: '*', to: payment, both: true}}",                                 // 17
		"  - {at: 4s, for: 3s, loss: {from: order, to: payment, share: 0.01, requests_only: true}}", // 18
		"  - {at: 4s, for: 3s, latency: {from: '*', to: payment, mean: 20ms, requests_only: true}}", // 19
		"  - {at: 4s, for: 3s, bandwidth: {from: order, to: registry, rate: 1000}}",                 // 20
		"  - {at: 9s, for: 3s, partition: [[payment#0], [registry]]}",                               // 21
	)
	s, err := Parse("q.yaml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	sec := func(n float64) time.Duration { return time.Duration(n * float64(time.Second)) }
	want := []faults.Fault{
		{At: sec(6), Line: 17, Kind: &faults.Close{Link: faults.LinkSpec{From: "*", To: "payment", Both: true}}},
		{At: sec(4), For: sec(3), Line: 18, Kind: &faults.Loss{Link: faults.LinkSpec{From: "order", To: "payment", RequestsOnly: true}, Share: 0.01}},
		{At: sec(4), For: sec(3), Line: 19, Kind: &faults.Latency{Link: faults.LinkSpec{From: "*", To: "payment", RequestsOnly: true}, Delay: faults.LatencySpec{Mean: 20 * time.Millisecond, Dist: faults.DistFixed}}},
		{At: sec(4), For: sec(3), Line: 20, Kind: &faults.Bandwidth{Link: faults.LinkSpec{From: "order", To: "registry"}, Rate: 1000}},
		{At: sec(9), For: sec(3), Line: 21, Kind: &faults.Partition{Groups: [][]faults.Endpoint{{"payment#0"}, {"registry"}}}},
	}
	for i := range want {
		want[i].File = "q.yaml"
	}
	if !reflect.DeepEqual(s.Faults, want) {
		t.Fatalf("faults =\n%+v\nwant\n%+v", s.Faults, want)
	}
	if got := s.Faults[0].Name(); got != "close *<->payment" {
		t.Errorf("name %q", got)
	}
	if got := s.Faults[1].Name(); got != "loss order->payment (requests only) 0.01" {
		t.Errorf("name %q", got)
	}
}

func TestParseNetFaultProblems(t *testing.T) {
	cases := []struct {
		name string
		src  string
		want []problem
	}{
		{"close with for", oneFault("{at: 1s, for: 1s, close: {from: order, to: payment}}"), []problem{{17, "faults[0].for", "a close is instantaneous"}}},
		{"loss share missing", oneFault("{at: 1s, for: 1s, loss: {from: order, to: payment}}"), []problem{{17, "faults[0].loss.share", "required"}}},
		{"loss share above 1", oneFault("{at: 1s, for: 1s, loss: {from: order, to: payment, share: 1.5}}"), []problem{{17, "faults[0].loss.share", "must be in (0, 1], got 1.5"}}},
		{"loss share zero", oneFault("{at: 1s, for: 1s, loss: {from: order, to: payment, share: 0}}"), []problem{{17, "faults[0].loss.share", "must be in (0, 1], got 0"}}},
		{"requests_only text", oneFault("{at: 1s, for: 1s, latency: {from: order, to: payment, mean: 1ms, requests_only: yes}}"), []problem{{17, "faults[0].latency.requests_only", `"yes" is not a boolean`}}},
		{"requests_only on reset", oneFault("{at: 1s, reset: {from: order, to: payment, requests_only: true}}"), []problem{{17, "faults[0].reset.requests_only", "unknown key"}}},
		{"registry indexed", oneFault("{at: 1s, for: 1s, latency: {from: order, to: 'registry#0', mean: 1ms}}"), []problem{{17, "faults[0].latency.to", `"registry#0" is not an endpoint`}}},
		{"registry crash", oneFault("{at: 1s, for: 1s, crash: registry}"), []problem{{17, "faults[0].crash", `"registry" cannot be a target here`}}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Parse("q.yaml", []byte(tc.src))
			checkProblems(t, "q.yaml", err, tc.want...)
		})
	}
}
