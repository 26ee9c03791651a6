package scenarios

import (
	"errors"
	"fmt"
	"strings"

	"github.com/faultline-sim/faultline/faults"
	"github.com/faultline-sim/faultline/topologies"
)

// role is the place an endpoint has in a fault; it decides which names fit.
type role int

const (
	roleLink    role = iota // from or to of a link fault: anything, "*" too
	roleGroup               // partition member: anything, "*" (everyone else) too
	roleProcess             // crash or pause target: a service or the broker
	roleService             // slow, errors or request target: a service
)

// forms lists the endpoint names that fit each role, for messages.
var forms = map[role]string{
	roleLink:    "a service, service#N, gateway, client, broker, broker#N, registry or *",
	roleGroup:   "a service, service#N, gateway, client, broker, broker#N, registry or * for every endpoint not named",
	roleProcess: "a service, service#N, broker, broker#N or broker#leader",
	roleService: "a service or service#N",
}

// endpointProblem says what is wrong with endpoint e in a place of role r,
// whatever the variant: a malformed name, a name that cannot take that
// place, a broker node the broker does not have. It returns "" when e is
// fine so far; whether e exists in a variant is checkEndpoints' job.
func (s *Scenario) endpointProblem(e string, r role) string {
	leader := faults.EndpointBroker + "#" + faults.EndpointLeader
	base, idx, indexed := strings.Cut(e, "#")
	switch {
	case e == "":
		return "required: " + forms[r]
	case e == "*" && (r == roleLink || r == roleGroup):
		return ""
	case e == "*":
		return `"*" (any endpoint) is only for the from and to of link faults and partition groups`
	case !topologies.ValidName(base):
		return fmt.Sprintf("%q is not an endpoint (%s)", e, forms[r])
	case base == faults.EndpointGateway || base == faults.EndpointClient || base == faults.EndpointRegistry:
		if indexed {
			return fmt.Sprintf("%q is not an endpoint (%s)", e, forms[r])
		}
		if r == roleProcess || r == roleService {
			return fmt.Sprintf("%q cannot be a target here (%s)", e, forms[r])
		}
	case base == faults.EndpointBroker:
		if r == roleService {
			return fmt.Sprintf("%q cannot be a target here (%s)", e, forms[r])
		}
		if e == leader {
			if r != roleProcess {
				return fmt.Sprintf("%q is only a crash or pause target", e)
			}
			if s.Broker.Nodes <= 1 {
				return fmt.Sprintf("%q needs a broker of several nodes (broker: {nodes: 3, replicas: 3})", e)
			}
			return ""
		}
		if !indexed {
			return ""
		}
		n, ok := faults.ReplicaIndex(idx)
		if !ok {
			return fmt.Sprintf("%q is not an endpoint (%s)", e, forms[r])
		}
		if s.Broker.Nodes > 0 && n >= s.Broker.Nodes {
			return fmt.Sprintf("%q does not exist: the broker has %d node(s), numbered from 0", e, s.Broker.Nodes)
		}
	case indexed:
		if _, ok := faults.ReplicaIndex(idx); !ok {
			return fmt.Sprintf("%q is not an endpoint (%s)", e, forms[r])
		}
	}
	return ""
}

// targetsOverlap reports whether endpoints a and b can name the same
// process: equal, a service and one of its replicas, or the broker's
// leader and any broker node.
func targetsOverlap(a, b string) bool {
	if faults.Matches(a, b) || faults.Matches(b, a) {
		return true
	}
	leader := faults.EndpointBroker + "#" + faults.EndpointLeader
	ab, _, _ := strings.Cut(a, "#")
	bb, _, _ := strings.Cut(b, "#")
	return ab == faults.EndpointBroker && bb == faults.EndpointBroker && (a == leader || b == leader)
}

// roleOf returns the role of the endpoint a fault names at field (a
// faults.MissingEndpoint Field).
func roleOf(field string) role {
	switch {
	case strings.HasSuffix(field, ".from") || strings.HasSuffix(field, ".to"):
		return roleLink
	case field == string(faults.KindPartition):
		return roleGroup
	case field == string(faults.KindCrash) || field == string(faults.KindPause):
		return roleProcess
	}
	return roleService
}

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
			for _, m := range faults.CheckEndpoints(f, w.Has) {
				if s.endpointProblem(m.Endpoint, roleOf(m.Field)) != "" {
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
func hint(t *topologies.Topology, w faults.World, e string) string {
	base, _, indexed := strings.Cut(e, "#")
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
