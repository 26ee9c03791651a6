package faults

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/faultline-sim/faultline/topologies"
)

// Endpoint names a part of a variant as a fault names it: a service (every
// replica of it), "service#N" (one replica), "gateway", "client",
// "registry", "broker" (every node), "broker#N", "broker#leader" (the node
// leading the first stream when the fault starts) or "*" (any endpoint).
// The syntax of these names is known here only: every other package asks
// an Endpoint what it is.
type Endpoint string

// Endpoint names of the parts of a variant that are not services.
const (
	EndpointBroker  = "broker"
	EndpointGateway = "gateway"
	EndpointClient  = "client"
	// EndpointRegistry is the service registry: every replica's
	// heartbeats flow replica → registry (under a detection delay).
	EndpointRegistry = "registry"
	// EndpointLeader, as a crash target ("broker#leader"), is the broker
	// node leading the first stream when the fault starts.
	EndpointLeader = "leader"
	// Any, as a link end or a partition member, is any endpoint.
	Any Endpoint = "*"
)

// Leader is the broker node leading the first stream.
const Leader Endpoint = EndpointBroker + "#" + EndpointLeader

// split returns the name before "#", the index after it, and whether there
// is one.
func (e Endpoint) split() (base, index string, indexed bool) {
	return strings.Cut(string(e), "#")
}

// Base returns the name without "#N": the service, or "broker".
func (e Endpoint) Base() string {
	base, _, _ := e.split()
	return base
}

// Indexed reports whether e names one replica or node ("name#N").
func (e Endpoint) Indexed() bool {
	_, _, indexed := e.split()
	return indexed
}

// IsBroker reports whether e is the broker or one of its nodes.
func (e Endpoint) IsBroker() bool { return e.Base() == EndpointBroker }

// Matches reports whether e, used as a pattern, selects the endpoint name
// of a live part (e.g. "payment#1", "broker", "gateway"): "" and "*" select
// anything, a name selects itself, and a name without "#N" selects every
// replica of it.
func (e Endpoint) Matches(name string) bool {
	if e == "" || e == Any || string(e) == name {
		return true
	}
	if i := strings.IndexByte(name, '#'); i >= 0 && !strings.Contains(string(e), "#") {
		return name[:i] == string(e)
	}
	return false
}

// Covers reports whether e, as a link end, takes part in the traffic of
// service or endpoint name, any replica of it included: "*", or e's base
// equal to name. It is coarser than Matches: a link end "payment#1" covers
// the calls to "payment".
func (e Endpoint) Covers(name string) bool {
	return e == Any || e.Base() == name
}

// Overlaps reports whether e and o can name the same process: equal, a
// service and one of its replicas, or the broker's leader and any broker
// node.
func (e Endpoint) Overlaps(o Endpoint) bool {
	if e.Matches(string(o)) || o.Matches(string(e)) {
		return true
	}
	return e.IsBroker() && o.IsBroker() && (e == Leader || o == Leader)
}

// Role is the place an endpoint has in a fault; it decides which names
// fit.
type Role int

// Roles of endpoints.
const (
	RoleLink    Role = iota // from or to of a link fault: anything, "*" too
	RoleGroup               // partition member: anything, "*" (everyone else) too
	RoleProcess             // crash or pause target: a service or the broker
	RoleService             // slow, errors or request target: a service
)

// forms lists the endpoint names that fit each role, for messages.
var forms = map[Role]string{
	RoleLink:    "a service, service#N, gateway, client, broker, broker#N, registry or *",
	RoleGroup:   "a service, service#N, gateway, client, broker, broker#N, registry or * for every endpoint not named",
	RoleProcess: "a service, service#N, broker, broker#N or broker#leader",
	RoleService: "a service or service#N",
}

// Problem says what is wrong with e in a place of role r, whatever the
// variant, for a broker of brokerNodes nodes (0: not known): a malformed
// name, a name that cannot take that place, a broker node the broker does
// not have. It returns "" when e is fine so far; whether e exists in a
// variant is World.Has's job.
func (e Endpoint) Problem(r Role, brokerNodes int) string {
	base, idx, indexed := e.split()
	switch {
	case e == "":
		return "required: " + forms[r]
	case e == Any && (r == RoleLink || r == RoleGroup):
		return ""
	case e == Any:
		return `"*" (any endpoint) is only for the from and to of link faults and partition groups`
	case !topologies.ValidName(base):
		return fmt.Sprintf("%q is not an endpoint (%s)", e, forms[r])
	case base == EndpointGateway || base == EndpointClient || base == EndpointRegistry:
		if indexed {
			return fmt.Sprintf("%q is not an endpoint (%s)", e, forms[r])
		}
		if r == RoleProcess || r == RoleService {
			return fmt.Sprintf("%q cannot be a target here (%s)", e, forms[r])
		}
	case base == EndpointBroker:
		if r == RoleService {
			return fmt.Sprintf("%q cannot be a target here (%s)", e, forms[r])
		}
		if e == Leader {
			if r != RoleProcess {
				return fmt.Sprintf("%q is only a crash or pause target", e)
			}
			if brokerNodes <= 1 {
				return fmt.Sprintf("%q needs a broker of several nodes (broker: {nodes: 3, replicas: 3})", e)
			}
			return ""
		}
		if !indexed {
			return ""
		}
		n, ok := ReplicaIndex(idx)
		if !ok {
			return fmt.Sprintf("%q is not an endpoint (%s)", e, forms[r])
		}
		if brokerNodes > 0 && n >= brokerNodes {
			return fmt.Sprintf("%q does not exist: the broker has %d node(s), numbered from 0", e, brokerNodes)
		}
	case indexed:
		if _, ok := ReplicaIndex(idx); !ok {
			return fmt.Sprintf("%q is not an endpoint (%s)", e, forms[r])
		}
	}
	return ""
}

// World lists the endpoints of one variant, for Has. The zero value has
// only the gateway, the client and the registry.
type World struct {
	// Replicas is the number of replicas of each service, by name.
	Replicas map[string]int
	// BrokerNodes is the number of broker nodes; 0 when the variant has no
	// broker (no events).
	BrokerNodes int
}

// Has reports whether endpoint e exists in w: "gateway", "client",
// "registry", a service name, "service#N" with N below its replicas,
// "broker" (when there is a broker), "broker#N" with N below BrokerNodes,
// and "broker#leader" when there are several nodes. "*" is not an
// endpoint.
func (w World) Has(e Endpoint) bool {
	base, idx, indexed := e.split()
	switch base {
	case EndpointGateway, EndpointClient, EndpointRegistry:
		return !indexed
	case EndpointBroker:
		switch {
		case !indexed:
			return w.BrokerNodes > 0
		case idx == EndpointLeader:
			return w.BrokerNodes > 1
		}
		n, ok := ReplicaIndex(idx)
		return ok && n < w.BrokerNodes
	}
	r := w.Replicas[base]
	if !indexed {
		return r > 0
	}
	n, ok := ReplicaIndex(idx)
	return ok && n < r
}

// Missing returns every endpoint f names (Fault.Endpoints) that w lacks,
// in the order f names them. An empty name is left to the fault's Check
// ("required"), and so is whether a name fits its place.
func (w World) Missing(f Fault) []Named {
	var out []Named
	for _, n := range f.Endpoints() {
		if n.Endpoint != "" && !w.Has(n.Endpoint) {
			out = append(out, n)
		}
	}
	return out
}

// ReplicaIndex parses the N of "service#N": a non-negative decimal integer
// written without sign or leading zeros.
func ReplicaIndex(s string) (int, bool) {
	n, err := strconv.Atoi(s)
	if err != nil || n < 0 || strconv.Itoa(n) != s {
		return 0, false
	}
	return n, true
}
