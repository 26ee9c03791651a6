package faults

import (
	"github.com/faultline-sim/faultline/topologies"
	sg "github.com/faultline-sim/faultline/topologies/schemagen"
)

func init() { Register("reset", func() Kind { return &Reset{} }) }

// Reset aborts the connections dialed on a link with a TCP RST, once, at
// its start: the peer sees ECONNRESET.
type Reset struct {
	Link LinkSpec
}

func (*Reset) Key() string { return "reset" }

func (r *Reset) Name() string { return "reset " + r.Link.String() }

func (*Reset) Traits() Traits { return Traits{Instant: true} }

func (r *Reset) Decode(d *topologies.Decoder, n topologies.Node) bool {
	return decodeEnds(d, n, &r.Link)
}

func (r *Reset) Check(c Checker) { r.Link.check(c, "reset") }

func (r *Reset) Endpoints() []Named { return r.Link.endpoints("reset") }

// Selects reports whether link was dialed From → To (or To → From when
// Both): the connections Net.Reset ends.
func (r *Reset) Selects(link Link) bool { return r.Link.flows(link.From, link.To) }

func (r *Reset) Unmatched() string { return "no connection between " + r.Link.String() }

func (r *Reset) Apply(env Env) (func() error, error) {
	return endConns(env, r.Link, (*Net).Reset)
}

func (*Reset) Schema() sg.S { return linkSchema(endKeys, nil) }
