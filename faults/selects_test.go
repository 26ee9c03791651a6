package faults

import "testing"

// Selects follows the layer: a latency or bandwidth acts on a connection
// whichever side dialed (bytes from→to are writes one way, reads the
// other); a reset closes only connections dialed from→to; a partition
// cuts links across its groups; process faults select no link.
func TestFaultSelects(t *testing.T) {
	call := Link{From: "order#0", To: "payment#1"} // order dialed payment
	cases := []struct {
		name string
		f    Fault
		want bool
	}{
		{"latency order->payment", Fault{Kind: &Latency{Link: LinkSpec{From: "order", To: "payment"}}}, true},
		{"latency payment->order: the replies", Fault{Kind: &Latency{Link: LinkSpec{From: "payment", To: "order"}}}, true},
		{"latency *->payment", Fault{Kind: &Latency{Link: LinkSpec{From: "*", To: "payment"}}}, true},
		{"bandwidth order->inventory", Fault{Kind: &Bandwidth{Link: LinkSpec{From: "order", To: "inventory"}}}, false},
		{"reset order->payment", Fault{Kind: &Reset{Link: LinkSpec{From: "order", To: "payment"}}}, true},
		{"reset payment->order", Fault{Kind: &Reset{Link: LinkSpec{From: "payment", To: "order"}}}, false},
		{"reset payment<->order", Fault{Kind: &Reset{Link: LinkSpec{From: "payment", To: "order", Both: true}}}, true},
		{"partition [payment]|[*]", Fault{Kind: &Partition{Groups: [][]Endpoint{{"payment"}, {"*"}}}}, true},
		{"partition [payment#0]|[order]", Fault{Kind: &Partition{Groups: [][]Endpoint{{"payment#0"}, {"order"}}}}, false},
		{"loss order->payment", Fault{Kind: &Loss{Link: LinkSpec{From: "order", To: "payment"}}}, true},
		{"loss payment->order: the replies", Fault{Kind: &Loss{Link: LinkSpec{From: "payment", To: "order"}}}, true},
		{"latency payment->order requests only: order dialed", Fault{Kind: &Latency{Link: LinkSpec{From: "payment", To: "order", RequestsOnly: true}}}, false},
		{"latency order->payment requests only", Fault{Kind: &Latency{Link: LinkSpec{From: "order", To: "payment", RequestsOnly: true}}}, true},
		{"latency payment<->order requests only", Fault{Kind: &Latency{Link: LinkSpec{From: "payment", To: "order", Both: true, RequestsOnly: true}}}, true},
		{"close order->payment", Fault{Kind: &Close{Link: LinkSpec{From: "order", To: "payment"}}}, true},
		{"close payment->order", Fault{Kind: &Close{Link: LinkSpec{From: "payment", To: "order"}}}, false},
		{"crash payment", Fault{Kind: &Crash{Target: "payment"}}, false},
	}
	for _, c := range cases {
		if got := c.f.Selects(call); got != c.want {
			t.Errorf("%s selects %s: %v, want %v", c.name, call, got, c.want)
		}
	}
}
