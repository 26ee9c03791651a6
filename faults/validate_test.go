package faults

import (
	"reflect"
	"testing"
)

func TestWorldHas(t *testing.T) {
	events := World{Replicas: map[string]int{"order": 2, "payment": 1}, BrokerNodes: 3}
	single := World{Replicas: map[string]int{"order": 2}, BrokerNodes: 1}
	sync := World{Replicas: map[string]int{"order": 2}}
	cases := []struct {
		w    World
		e    string
		want bool
	}{
		{events, "order", true},
		{events, "order#1", true},
		{events, "order#2", false},
		{events, "order#01", false},
		{events, "order#-1", false},
		{events, "order#", false},
		{events, "order#x", false},
		{events, "payment#0", true},
		{events, "inventory", false},
		{events, "gateway", true},
		{events, "client", true},
		{events, "gateway#0", false},
		{events, "broker", true},
		{events, "broker#2", true},
		{events, "broker#3", false},
		{events, "broker#leader", true},
		{single, "broker#leader", false},
		{single, "broker#0", true},
		{sync, "broker", false},
		{sync, "broker#0", false},
		{sync, "gateway", true},
		{sync, "*", false},
		{World{}, "client", true},
		{World{}, "registry", true},
		{events, "registry#0", false},
		{World{}, "", false},
	}
	for _, c := range cases {
		if got := c.w.Has(c.e); got != c.want {
			t.Errorf("%+v.Has(%q) = %v, want %v", c.w, c.e, got, c.want)
		}
	}
}

func TestCheckEndpoints(t *testing.T) {
	w := World{Replicas: map[string]int{"order": 2, "payment": 2}}
	cases := []struct {
		name string
		f    Fault
		want []MissingEndpoint
	}{
		{"latency", Fault{Kind: KindLatency, Link: LinkSpec{From: "*", To: "payment#2"}},
			[]MissingEndpoint{{"latency.to", "payment#2"}}},
		{"bandwidth", Fault{Kind: KindBandwidth, Link: LinkSpec{From: "ordr", To: "broker"}},
			[]MissingEndpoint{{"bandwidth.from", "ordr"}, {"bandwidth.to", "broker"}}},
		{"reset any", Fault{Kind: KindReset, Link: LinkSpec{From: "*", To: "*"}}, nil},
		{"close", Fault{Kind: KindClose, Link: LinkSpec{From: "order#2", To: "registry"}}, []MissingEndpoint{{"close.from", "order#2"}}},
		{"loss", Fault{Kind: KindLoss, Link: LinkSpec{From: "order", To: "inventory"}}, []MissingEndpoint{{"loss.to", "inventory"}}},
		{"partition", Fault{Kind: KindPartition, Groups: [][]string{{"order", "x"}, {"payment#1", "broker", "*"}}},
			[]MissingEndpoint{{"partition", "x"}, {"partition", "broker"}}},
		{"request", Fault{Kind: KindRequest, Request: RequestSpec{Service: "inventory"}},
			[]MissingEndpoint{{"request.service", "inventory"}}},
		{"crash", Fault{Kind: KindCrash, Target: "broker#leader"}, []MissingEndpoint{{"crash", "broker#leader"}}},
		{"pause", Fault{Kind: KindPause, Target: "order#1"}, nil},
		{"slow", Fault{Kind: KindSlow, Target: "order#2"}, []MissingEndpoint{{"slow.target", "order#2"}}},
		{"errors", Fault{Kind: KindErrors, Target: "gateway"}, nil},
		{"empty left to the caller", Fault{Kind: KindCrash}, nil},
		{"unknown kind", Fault{Kind: "melt", Target: "x"}, nil},
	}
	for _, c := range cases {
		if got := CheckEndpoints(c.f, w.Has); !reflect.DeepEqual(got, c.want) {
			t.Errorf("%s: CheckEndpoints = %v, want %v", c.name, got, c.want)
		}
	}
}

func TestReplicaIndex(t *testing.T) {
	for s, want := range map[string]int{"0": 0, "7": 7, "12": 12} {
		if n, ok := ReplicaIndex(s); !ok || n != want {
			t.Errorf("ReplicaIndex(%q) = %d, %v", s, n, ok)
		}
	}
	for _, s := range []string{"", "-1", "+1", "01", "1x", "leader", "99999999999999999999"} {
		if _, ok := ReplicaIndex(s); ok {
			t.Errorf("ReplicaIndex(%q) accepted", s)
		}
	}
}
