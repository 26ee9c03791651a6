package faults

import (
	"github.com/faultline-sim/faultline/topologies"
	sg "github.com/faultline-sim/faultline/topologies/schemagen"
)

func init() { Register("close", func() Kind { return &Close{} }) }

// Close closes the connections dialed on a link with a FIN, once, at its
// start: the peer sees EOF.
type Close struct {
	Link LinkSpec
}

func (*Close) Key() string { return "close" }

func (c *Close) Name() string { return "close " + c.Link.String() }

func (*Close) Traits() Traits { return Traits{Instant: true} }

func (c *Close) Decode(d *topologies.Decoder, n topologies.Node) bool {
	return decodeEnds(d, n, &c.Link)
}

func (c *Close) Check(ch Checker) { c.Link.check(ch, "close") }

func (c *Close) Endpoints() []Named { return c.Link.endpoints("close") }

// Selects reports whether link was dialed From → To (or To → From when
// Both): the connections Net.CloseConns ends.
func (c *Close) Selects(link Link) bool { return c.Link.flows(link.From, link.To) }

func (c *Close) Unmatched() string { return "no connection between " + c.Link.String() }

func (c *Close) Apply(env Env) (func() error, error) {
	return endConns(env, c.Link, (*Net).CloseConns)
}

func (*Close) Schema() sg.S { return linkSchema(endKeys, nil) }
