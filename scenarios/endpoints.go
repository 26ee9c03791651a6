package scenarios

import (
	"errors"
	"fmt"
	"strings"

	"github.com/faultline-sim/faultline/faults"
	"github.com/faultline-sim/faultline/topologies"
)

// checkEndpoints returns a problem for every endpoint a fault names that
// the topology of a variant lacks, naming the variant. Variants whose
// topology is not loaded are skipped, and so are endpoints Validate already
// rejects. The problems match topologies.ErrInvalid.
func (s *Scenario) checkEndpoints() error {
	var errs []error
	for _, v := range s.Variants {
		if v.Topology == nil {
			continue
		}
		w := world(v.Topology, s.Broker.Nodes)
		for i, f := range s.Faults {
			if s.broken[i] {
				continue
			}
			for _, m := range w.Missing(f) {
				if m.Endpoint.Problem(m.Role, s.Broker.Nodes) != "" {
					continue
				}
				errs = append(errs, &topologies.FieldError{
					File: s.File, Line: s.faultLine(i, m.Field), Key: fmt.Sprintf("faults[%d].%s", i, m.Field),
					Msg: fmt.Sprintf("variant %s has no endpoint %q%s", v.Name, m.Endpoint, hint(v.Topology, w, m.Endpoint)),
				})
			}
		}
	}
	return errors.Join(errs...)
}

// world returns the endpoints of a variant of topology t with a broker of
// nodes nodes (when t has events).
func world(t *topologies.Topology, nodes int) faults.World {
	w := faults.World{Replicas: map[string]int{}}
	for _, svc := range t.Services {
		w.Replicas[svc.Name] = max(svc.Replicas, 1)
		if len(svc.Publish) > 0 || len(svc.Consume) > 0 {
			w.BrokerNodes = max(nodes, 1)
		}
	}
	return w
}

// hint explains why endpoint e is missing from w, the world of t.
func hint(t *topologies.Topology, w faults.World, e faults.Endpoint) string {
	base, indexed := e.Base(), e.Indexed()
	switch r, ok := w.Replicas[base]; {
	case base == faults.EndpointBroker && w.BrokerNodes == 0:
		return fmt.Sprintf(" (topology %s has no events, so no broker)", t.Name)
	case ok && indexed:
		return fmt.Sprintf(" (%s has %d replica(s), numbered from 0)", base, r)
	case !ok:
		names := make([]string, len(t.Services))
		for i, svc := range t.Services {
			names[i] = svc.Name
		}
		return fmt.Sprintf(" (services: %s)", strings.Join(names, ", "))
	}
	return ""
}
