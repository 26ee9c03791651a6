package faults

import (
	"testing"
	"time"

	"github.com/faultline-sim/faultline/sim/simtest"
)

// Rules select directions by the Matches rule: a service name is every
// replica, "*" is anything, and the reverse flow is the reads of a conn.
func TestRuleSelection(t *testing.T) {
	for _, tc := range []struct {
		match   LinkSpec
		link    Link
		out, in bool
	}{
		{LinkSpec{From: "order", To: "payment"}, Link{"order#0", "payment#1"}, true, false},
		{LinkSpec{From: "order#0", To: "payment"}, Link{"order#1", "payment#1"}, false, false},
		{LinkSpec{From: "payment", To: "order"}, Link{"order#0", "payment#1"}, false, true},
		{LinkSpec{From: "order", To: "payment", Both: true}, Link{"order#0", "payment#1"}, true, true},
		{LinkSpec{From: "order", To: "payment", Both: true}, Link{"payment#0", "order#0"}, true, true},
		{LinkSpec{From: "*", To: "broker"}, Link{"order#0", "broker"}, true, false},
		{LinkSpec{From: "*", To: "broker"}, Link{"order#0", "broker#1"}, true, false},
		{LinkSpec{From: "*", To: "*"}, Link{"client", "gateway"}, true, true},
		{LinkSpec{From: "gateway", To: "order"}, Link{"client", "gateway"}, false, false},
	} {
		rules := []*rule{{LinkRule: LinkRule{Match: tc.match, Latency: LatencySpec{Mean: time.Millisecond}}}}
		out := shapeOf(rules, tc.link.From, tc.link.To, true)
		in := shapeOf(rules, tc.link.To, tc.link.From, false)
		if out.empty() == tc.out || in.empty() == tc.in {
			t.Errorf("%v on %v: out=%v in=%v, want out=%v in=%v", tc.match, tc.link, !out.empty(), !in.empty(), tc.out, tc.in)
		}
	}
}

// Shapes combine: latencies add up in rule order, the lowest bandwidth
// wins, any blackhole holds; rules with no effect select nothing.
func TestShapeCombines(t *testing.T) {
	m := LinkSpec{From: "a", To: "b"}
	rules := []*rule{
		{LinkRule: LinkRule{Match: m, Latency: LatencySpec{Mean: 1}, Bandwidth: 300}},
		{LinkRule: LinkRule{Match: m, Latency: LatencySpec{Mean: 2}, Bandwidth: 100}},
		{LinkRule: LinkRule{Match: m, Blackhole: true}},
		{LinkRule: LinkRule{Match: LinkSpec{From: "a", To: "c"}, Bandwidth: 1}},
	}
	s := shapeOf(rules, "a", "b", true)
	if len(s.lat) != 2 || s.lat[0].Mean != 1 || s.lat[1].Mean != 2 || s.rate != 100 || !s.hold {
		t.Fatalf("shape = %+v", s)
	}
	if s := shapeOf([]*rule{{LinkRule: LinkRule{Match: m}}}, "a", "b", true); !s.empty() {
		t.Fatalf("a rule with no effect gave %+v", s)
	}
}

// Apply reaches existing and future conns; remove is idempotent and
// leaves other rules in place.
func TestApplyAndRemove(t *testing.T) {
	n := NewNet()
	before, _ := pipeConn(t, n, Link{"a#0", "b#0"})
	r1 := n.Apply(LinkRule{Match: LinkSpec{From: "a", To: "b"}, Latency: LatencySpec{Mean: time.Hour}})
	r2 := n.Apply(LinkRule{Match: LinkSpec{From: "a", To: "b"}, Bandwidth: 10})
	after, _ := pipeConn(t, n, Link{"a#1", "b#0"})
	for _, c := range []*Conn{before, after} {
		if !attached(c, Outbound) || attached(c, Inbound) {
			t.Fatalf("%v: out=%v in=%v", c.Link(), attached(c, Outbound), attached(c, Inbound))
		}
	}
	r1()
	r1()
	if len(n.rules) != 1 || n.rules[0].Bandwidth != 10 {
		t.Fatalf("after removing r1 twice: %d rules", len(n.rules))
	}
	r2()
	if len(n.rules) != 0 {
		t.Fatalf("%d rules left", len(n.rules))
	}
	simtest.Eventually(t, "idle lines detach", func() bool { return !attached(before, Outbound) && !attached(after, Outbound) })
}

// A requests_only rule selects only bytes its From sends on connections it
// dialed to its To; without it, a rule selects the replies on connections
// the other side dialed too.
func TestRequestsOnly(t *testing.T) {
	for _, tc := range []struct {
		match   LinkSpec
		link    Link // as dialed: From is the caller
		out, in bool
	}{
		// * → payment: requests into payment, and replies payment gets
		// from its own callees.
		{LinkSpec{From: "*", To: "payment"}, Link{"order#0", "payment#0"}, true, false},
		{LinkSpec{From: "*", To: "payment"}, Link{"payment#0", "broker"}, false, true},
		{LinkSpec{From: "*", To: "payment", RequestsOnly: true}, Link{"order#0", "payment#0"}, true, false},
		{LinkSpec{From: "*", To: "payment", RequestsOnly: true}, Link{"payment#0", "broker"}, false, false},
		// Both: requests either way, never replies.
		{LinkSpec{From: "order", To: "payment", Both: true, RequestsOnly: true}, Link{"order#0", "payment#0"}, true, false},
		{LinkSpec{From: "order", To: "payment", Both: true, RequestsOnly: true}, Link{"payment#0", "order#0"}, true, false},
	} {
		n := NewNet()
		c, _ := pipeConn(t, n, tc.link)
		remove := n.Apply(LinkRule{Match: tc.match, Latency: LatencySpec{Mean: time.Millisecond}})
		if out, in := attached(c, Outbound), attached(c, Inbound); out != tc.out || in != tc.in {
			t.Errorf("%v on a connection %v dialed: out=%v in=%v, want out=%v in=%v", tc.match, tc.link, out, in, tc.out, tc.in)
		}
		remove()
	}
}
