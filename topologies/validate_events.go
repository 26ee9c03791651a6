package topologies

import (
	"fmt"
	"strings"
)

// eventEdge is one way a service's handling leads to another service's
// handling through the broker: the handling (or a service it calls,
// directly or not) publishes Subject, which service To consumes with its
// Consume[Index].
type eventEdge struct {
	To, Index int
	Subject   string
	// Via are the services called on the way to the publisher, in order;
	// empty when the handling service publishes itself.
	Via []int
}

// eventCycles reports every cycle through events once, at the consume
// that closes it: a consumer whose handling publishes (itself or through
// its synchronous calls) what leads back to itself. Such a topology
// amplifies every event without end. The message lists the path, e.g.
// order -> "order.placed" -> billing -> ledger (call) -> "ledger.posted" -> order.
// The events of a choreographed saga lead nowhere here: a saga step
// publishes only the next event of its order, and the saga's table
// (SagaEvents) has no way back.
func (v *validator) eventCycles(first map[string]int) {
	ts := v.t.Services
	consumers := map[string][][2]int{} // subject -> (service, consume index)
	for i := range ts {
		if first[ts[i].Name] != i {
			continue
		}
		for j, c := range ts[i].Consume {
			consumers[c.Subject] = append(consumers[c.Subject], [2]int{i, j})
		}
	}
	edges := make([][]eventEdge, len(ts))
	for i := range ts {
		if first[ts[i].Name] != i || len(ts[i].Consume) == 0 {
			continue // only a consumer's handling starts from an event
		}
		for _, p := range v.publishers(i, first) {
			for _, pub := range ts[p.service].Publish {
				if v.t.sagaPublish(ts[p.service].Name, pub.Subject) {
					continue
				}
				for _, c := range consumers[pub.Subject] {
					edges[i] = append(edges[i], eventEdge{To: c[0], Index: c[1], Subject: pub.Subject, Via: p.via})
				}
			}
		}
	}
	const (
		unvisited = iota
		onStack
		done
	)
	state := make([]int, len(ts))
	var stack []eventEdge // stack[k] leads from path[k] to path[k+1]
	var path []int
	var visit func(i int)
	visit = func(i int) {
		state[i] = onStack
		path = append(path, i)
		for _, e := range edges[i] {
			switch state[e.To] {
			case unvisited:
				stack = append(stack, e)
				visit(e.To)
				stack = stack[:len(stack)-1]
			case onStack:
				pos := len(path) - 1
				for path[pos] != e.To {
					pos--
				}
				hops := append(append([]eventEdge(nil), stack[pos:]...), e)
				parts := []string{ts[e.To].Name}
				for _, h := range hops {
					for _, c := range h.Via {
						parts = append(parts, ts[c].Name+" (call)")
					}
					parts = append(parts, fmt.Sprintf("%q", h.Subject), ts[h.To].Name)
				}
				c := ts[e.To].Consume[e.Index]
				id := fmt.Sprintf("services[%d].consume[%d]", e.To, e.Index)
				v.fail(v.line(c.Line, id+".subject", id), fmt.Sprintf("%s.consume[%d].subject", ItemPath("services", e.To, ts[e.To].Name), e.Index),
					"cycle through events: %s: every event would lead to another without end", strings.Join(parts, " -> "))
			}
		}
		path = path[:len(path)-1]
		state[i] = done
	}
	for i := range ts {
		if first[ts[i].Name] == i && state[i] == unvisited {
			visit(i)
		}
	}
}

// publisher is a service whose publishes are part of another service's
// handling: the service itself (via empty) or one it reaches by the
// synchronous calls in via.
type publisher struct {
	service int
	via     []int
}

// publishers returns service i and every service its synchronous calls
// reach, directly or not, each once with the first path found (breadth
// first); unknown services and call cycles (reported elsewhere) are
// skipped.
func (v *validator) publishers(i int, first map[string]int) []publisher {
	out := []publisher{{service: i}}
	seen := map[int]bool{i: true}
	for n := 0; n < len(out); n++ {
		p := out[n]
		for _, c := range v.t.Services[p.service].Calls {
			k, ok := first[c.Service]
			if !ok || seen[k] {
				continue
			}
			seen[k] = true
			out = append(out, publisher{service: k, via: append(append([]int(nil), p.via...), k)})
		}
	}
	return out
}
