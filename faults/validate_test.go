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
		e    Endpoint
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

func TestWorldMissing(t *testing.T) {
	w := World{Replicas: map[string]int{"order": 2, "payment": 2}}
	cases := []struct {
		name string
		f    Fault
		want [][2]string
	}{
		{"latency", Fault{Kind: &Latency{Link: LinkSpec{From: "*", To: "payment#2"}}},
			[][2]string{{"latency.to", "payment#2"}}},
		{"bandwidth", Fault{Kind: &Bandwidth{Link: LinkSpec{From: "ordr", To: "broker"}}},
			[][2]string{{"bandwidth.from", "ordr"}, {"bandwidth.to", "broker"}}},
		{"reset any", Fault{Kind: &Reset{Link: LinkSpec{From: "*", To: "*"}}}, nil},
		{"close", Fault{Kind: &Close{Link: LinkSpec{From: "order#2", To: "registry"}}}, [][2]string{{"close.from", "order#2"}}},
		{"loss", Fault{Kind: &Loss{Link: LinkSpec{From: "order", To: "inventory"}}}, [][2]string{{"loss.to", "inventory"}}},
		{"partition", Fault{Kind: &Partition{Groups: [][]Endpoint{{"order", "x"}, {"payment#1", "broker", "*"}}}},
			[][2]string{{"partition", "x"}, {"partition", "broker"}}},
		{"request", Fault{Kind: &Request{Service: "inventory"}},
			[][2]string{{"request.service", "inventory"}}},
		{"crash", Fault{Kind: &Crash{Target: "broker#leader"}}, [][2]string{{"crash", "broker#leader"}}},
		{"pause", Fault{Kind: &Pause{Target: "order#1"}}, nil},
		{"slow", Fault{Kind: &Slow{Target: "order#2"}}, [][2]string{{"slow.target", "order#2"}}},
		{"errors", Fault{Kind: &Errors{Target: "gateway"}}, nil},
		{"empty left to the caller", Fault{Kind: &Crash{}}, nil},
		{"no kind", Fault{}, nil},
	}
	for _, c := range cases {
		var got [][2]string
		for _, n := range w.Missing(c.f) {
			got = append(got, [2]string{n.Field, string(n.Endpoint)})
		}
		if !reflect.DeepEqual(got, c.want) {
			t.Errorf("%s: Missing = %v, want %v", c.name, got, c.want)
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
