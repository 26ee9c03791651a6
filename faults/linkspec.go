package faults

import (
	"slices"

	"github.com/faultline-sim/faultline/topologies"
	sg "github.com/faultline-sim/faultline/topologies/schemagen"
)

// LinkSpec selects the connections a link fault acts on: bytes flowing from
// From to To, and also back when Both. Each end is an Endpoint pattern
// (Endpoint.Matches).
type LinkSpec struct {
	From, To Endpoint
	Both     bool
	// RequestsOnly restricts the fault to bytes flowing From → To on
	// connections From dialed to To (requests into To's server), leaving
	// alone the replies To receives on connections it dialed itself. With
	// Both, bytes flowing To → From on connections To dialed are affected
	// too. Default false: either side's connections.
	RequestsOnly bool
}

// String returns "from->to", or "from<->to" when Both, followed by
// " (requests only)" when RequestsOnly.
func (l LinkSpec) String() string {
	s := string(l.From) + "->" + string(l.To)
	if l.Both {
		s = string(l.From) + "<->" + string(l.To)
	}
	if l.RequestsOnly {
		s += " (requests only)"
	}
	return s
}

// flows reports whether bytes flowing from endpoint from to endpoint to are
// selected, in either direction when Both.
func (l LinkSpec) flows(from, to string) bool {
	return l.From.Matches(from) && l.To.Matches(to) || l.Both && l.To.Matches(from) && l.From.Matches(to)
}

// selectsBytes reports whether a fault acting on the bytes l selects (as
// latency, bandwidth and loss do) acts on a connection dialed on link: its
// writes flow From → To, its reads To → From, so either direction of its
// bytes counts; with RequestsOnly only connections dialed From → To (To →
// From too when Both) do.
func (l LinkSpec) selectsBytes(link Link) bool {
	if l.RequestsOnly {
		return l.flows(link.From, link.To)
	}
	return l.flows(link.From, link.To) || l.flows(link.To, link.From)
}

// decodeLink decodes from, to, both and requests_only of a link fault's
// mapping m (its allowed keys decide whether requests_only may appear).
func decodeLink(d *topologies.Decoder, m map[string]topologies.Node, l *LinkSpec) {
	topologies.Set(endpoint(d), m, "from", &l.From)
	topologies.Set(endpoint(d), m, "to", &l.To)
	topologies.Set(boolean(d), m, "both", &l.Both)
	topologies.Set(boolean(d), m, "requests_only", &l.RequestsOnly)
}

// decodeEnds decodes the value of a kind that ends connections (reset,
// close): from, to and both.
func decodeEnds(d *topologies.Decoder, n topologies.Node, l *LinkSpec) bool {
	m, _ := d.Mapping(n, endKeys...)
	decodeLink(d, m, l)
	return true
}

// endKeys are the keys of the kinds that end connections (reset, close).
var endKeys = []string{"from", "to", "both"}

// endConns ends, with end, the connections dialed on l (both ways when
// Both): an instant fault, with nothing to remove.
func endConns(env Env, l LinkSpec, end func(*Net, Link) int) (func() error, error) {
	end(env.Net(), Link{From: string(l.From), To: string(l.To)})
	if l.Both {
		end(env.Net(), Link{From: string(l.To), To: string(l.From)})
	}
	return nil, nil
}

// check reports malformed ends of the link of the fault of kind key.
func (l LinkSpec) check(c Checker, key string) {
	checkEndpoint(c, key+".from", l.From, RoleLink)
	checkEndpoint(c, key+".to", l.To, RoleLink)
}

// endpoints names the ends of the link of the fault of kind key; "*" is
// any endpoint, not one, and is left out.
func (l LinkSpec) endpoints(key string) []Named {
	var out []Named
	if l.From != Any {
		out = append(out, Named{Field: key + ".from", Endpoint: l.From, Role: RoleLink})
	}
	if l.To != Any {
		out = append(out, Named{Field: key + ".to", Endpoint: l.To, Role: RoleLink})
	}
	return out
}

// linkSchema is the schema of a link fault's mapping of keys: the link's
// own fields among keys, and more.
func linkSchema(keys []string, more map[string]sg.S) sg.S {
	fields := map[string]sg.S{}
	for k, v := range map[string]sg.S{"from": sg.String(), "to": sg.String(), "both": sg.Bool(), "requests_only": sg.Bool()} {
		if slices.Contains(keys, k) {
			fields[k] = v
		}
	}
	for k, v := range more {
		fields[k] = v
	}
	return sg.Object(keys, fields)
}
