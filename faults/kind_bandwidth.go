package faults

import (
	"fmt"

	"github.com/faultline-sim/faultline/topologies"
	sg "github.com/faultline-sim/faultline/topologies/schemagen"
)

func init() { Register("bandwidth", func() Kind { return &Bandwidth{} }) }

// Bandwidth paces the bytes of a link to Rate bytes per second.
type Bandwidth struct {
	Link LinkSpec
	Rate int64 // bytes per second
}

var bandwidthKeys = []string{"from", "to", "rate", "both", "requests_only"}

func (*Bandwidth) Key() string { return "bandwidth" }

func (b *Bandwidth) Name() string { return fmt.Sprintf("bandwidth %s %dB/s", b.Link, b.Rate) }

func (*Bandwidth) Traits() Traits { return Traits{Delays: true} }

func (b *Bandwidth) Decode(d *topologies.Decoder, n topologies.Node) bool {
	m, _ := d.Mapping(n, bandwidthKeys...)
	decodeLink(d, m, &b.Link)
	var rate int
	topologies.Set(d.Int, m, "rate", &rate)
	b.Rate = int64(rate)
	return true
}

func (b *Bandwidth) Check(c Checker) {
	b.Link.check(c, "bandwidth")
	switch {
	case b.Rate == 0 && c.Missing("bandwidth.rate"):
		c.Fail("bandwidth.rate", "required: bytes per second")
	case b.Rate <= 0:
		c.Fail("bandwidth.rate", "must be positive (bytes per second), got %d", b.Rate)
	}
}

func (b *Bandwidth) Endpoints() []Named { return b.Link.endpoints("bandwidth") }

func (b *Bandwidth) Selects(link Link) bool { return b.Link.selectsBytes(link) }

func (b *Bandwidth) Unmatched() string { return "no connection between " + b.Link.String() }

func (b *Bandwidth) Apply(env Env) (func() error, error) {
	return applyRule(env, LinkRule{Match: b.Link, Bandwidth: b.Rate})
}

func (*Bandwidth) Schema() sg.S {
	return linkSchema(bandwidthKeys, map[string]sg.S{"rate": sg.Describe(sg.Integer(), "bytes per second")})
}
