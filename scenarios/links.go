package scenarios

import (
	"fmt"
	"strconv"

	"github.com/faultline-sim/faultline/faults"
	"github.com/faultline-sim/faultline/topologies"
)

// Links returns every connection a variant of topology t can open, each
// as (dialer, listener) replica names as the fault layer names them at run
// time: client → gateway#0, gateway#0 → each replica of the entry service,
// each replica of a caller → each replica of every service it calls, and,
// when t has events, each replica of every service that publishes or
// consumes → the broker ("broker"
// with one node, each "broker#N" of a cluster, since a client may connect
// to any node) and the routes between broker nodes, and, under a
// discovery detection delay, each replica and the gateway → "registry"
// (their heartbeats). A link appears once,
// in that order. Every part of the world that dials through the fault
// layer is listed here, so this is the one place to extend.
func Links(t *topologies.Topology, brokerNodes int) []faults.Link {
	var out []faults.Link
	seen := map[faults.Link]bool{}
	add := func(l faults.Link) {
		if !seen[l] {
			seen[l] = true
			out = append(out, l)
		}
	}
	replicas := func(svc string) []string {
		s := t.Service(svc)
		if s == nil {
			return nil
		}
		names := make([]string, max(s.Replicas, 1))
		for i := range names {
			names[i] = svc + "#" + strconv.Itoa(i)
		}
		return names
	}
	gateway := faults.EndpointGateway + "#0"
	add(faults.Link{From: faults.EndpointClient, To: gateway})
	for _, r := range replicas(t.Entry) {
		add(faults.Link{From: gateway, To: r})
	}
	for _, s := range t.Services {
		for _, c := range s.Calls {
			for _, from := range replicas(s.Name) {
				for _, to := range replicas(c.Service) {
					add(faults.Link{From: from, To: to})
				}
			}
		}
	}
	if t.Discovery.DetectionDelay > 0 {
		add(faults.Link{From: gateway, To: faults.EndpointRegistry})
		for _, s := range t.Services {
			for _, r := range replicas(s.Name) {
				add(faults.Link{From: r, To: faults.EndpointRegistry})
			}
		}
	}
	if len(t.Subjects()) == 0 {
		return out
	}
	brokers := []string{faults.EndpointBroker}
	if brokerNodes > 1 {
		brokers = make([]string, brokerNodes)
		for i := range brokers {
			brokers[i] = faults.EndpointBroker + "#" + strconv.Itoa(i)
		}
	}
	for _, s := range t.Services {
		if len(s.Publish) == 0 && len(s.Consume) == 0 {
			continue // it never connects to the broker
		}
		for _, from := range replicas(s.Name) {
			for _, b := range brokers {
				add(faults.Link{From: from, To: b})
			}
		}
	}
	for _, a := range brokers {
		for _, b := range brokers {
			if a != b {
				add(faults.Link{From: a, To: b})
			}
		}
	}
	return out
}

// LinkWarnings returns, per variant with a loaded topology, every link fault
// that selects none of the variant's Links (faults.Fault.Selects): it would
// change nothing in that variant, e.g. a latency between two services that
// never talk there. Faults that failed validation are skipped.
func (s *Scenario) LinkWarnings() []topologies.Warning {
	var out []topologies.Warning
	for _, v := range s.Variants {
		if v.Topology == nil {
			continue
		}
		links := Links(v.Topology, s.Broker.Nodes)
		for i, f := range s.Faults {
			if s.broken[i] || !f.IsLink() {
				continue
			}
			if len(f.SelectedLinks(links)) > 0 {
				continue
			}
			key := f.Key()
			what := f.Kind.(faults.LinkKind).Unmatched()
			out = append(out, topologies.Warning{
				File: s.File, Line: s.faultLine(i, key), Key: fmt.Sprintf("faults[%d].%s", i, key),
				Msg: fmt.Sprintf("variant %s: %s matches no link: %s in this variant (topology %s)", v.Name, f.Name(), what, v.Topology.Name),
			})
		}
	}
	return out
}
