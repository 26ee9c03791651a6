package faults

import (
	"strconv"
	"strings"
)

// MissingEndpoint is an endpoint a Fault names that a variant does not
// have, as found by CheckEndpoints.
type MissingEndpoint struct {
	// Field is where the fault names it, relative to the fault:
	// "latency.from", "partition", "crash", "request.service", "slow.target"…
	Field string
	// Endpoint is the name as written, e.g. "payment#3" or "broker".
	Endpoint string
}

// CheckEndpoints returns every endpoint named by f (link ends, partition
// members, process targets, the service of a request fault) for which has
// reports false, in the order f names them. "*" in a link fault's From or
// To means any endpoint and is never passed to has; an empty name is left
// to the caller's "required" check. Whether a name is well formed for its
// place (e.g. "broker#leader" only as a crash or pause target) is also the
// caller's concern. World.Has is a ready-made has.
func CheckEndpoints(f Fault, has func(endpoint string) bool) []MissingEndpoint {
	var out []MissingEndpoint
	check := func(field, e string) {
		if e != "" && !has(e) {
			out = append(out, MissingEndpoint{Field: field, Endpoint: e})
		}
	}
	link := func(field, e string) {
		if e != "*" {
			check(field, e)
		}
	}
	switch f.Kind {
	case KindLatency, KindBandwidth, KindReset, KindClose, KindLoss:
		link(string(f.Kind)+".from", f.Link.From)
		link(string(f.Kind)+".to", f.Link.To)
	case KindPartition:
		for _, g := range f.Groups {
			for _, e := range g {
				link(string(f.Kind), e)
			}
		}
	case KindRequest:
		check(string(f.Kind)+".service", f.Request.Service)
	case KindCrash, KindPause:
		check(string(f.Kind), f.Target)
	case KindSlow, KindErrors:
		check(string(f.Kind)+".target", f.Target)
	}
	return out
}

// World lists the endpoints of one variant, for CheckEndpoints. The zero
// value has only the gateway, the client and the registry.
type World struct {
	// Replicas is the number of replicas of each service, by name.
	Replicas map[string]int
	// BrokerNodes is the number of broker nodes; 0 when the variant has no
	// broker (no events).
	BrokerNodes int
}

// Has reports whether endpoint exists in w: "gateway", "client",
// "registry", a service
// name, "service#N" with N below its replicas, "broker" (when there is a
// broker), "broker#N" with N below BrokerNodes, and "broker#leader" when
// there are several nodes. "*" is not an endpoint.
func (w World) Has(endpoint string) bool {
	base, idx, indexed := strings.Cut(endpoint, "#")
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

// ReplicaIndex parses the N of "service#N": a non-negative decimal integer
// written without sign or leading zeros.
func ReplicaIndex(s string) (int, bool) {
	n, err := strconv.Atoi(s)
	if err != nil || n < 0 || strconv.Itoa(n) != s {
		return 0, false
	}
	return n, true
}
