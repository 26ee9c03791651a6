package faults

import (
	"fmt"

	"github.com/faultline-sim/faultline/topologies"
	sg "github.com/faultline-sim/faultline/topologies/schemagen"
)

func init() { Register("loss", func() Kind { return &Loss{} }) }

// Loss loses a Share of a link's segments, emulated as TCP shows it: as
// retransmission delay (see LinkRule.Loss).
type Loss struct {
	Link  LinkSpec
	Share float64 // in (0, 1]
}

var lossKeys = []string{"from", "to", "share", "both", "requests_only"}

func (*Loss) Key() string { return "loss" }

func (l *Loss) Name() string { return fmt.Sprintf("loss %s %g", l.Link, l.Share) }

func (*Loss) Traits() Traits { return Traits{Delays: true} }

func (l *Loss) Decode(d *topologies.Decoder, n topologies.Node) bool {
	m, _ := d.Mapping(n, lossKeys...)
	decodeLink(d, m, &l.Link)
	topologies.Set(d.Float, m, "share", &l.Share)
	return true
}

func (l *Loss) Check(c Checker) {
	l.Link.check(c, "loss")
	switch {
	case c.Missing("loss.share"):
		c.Fail("loss.share", "required: the share of segments lost, in (0, 1]")
	case !(l.Share > 0 && l.Share <= 1):
		c.Fail("loss.share", "must be in (0, 1], got %v", l.Share)
	}
}

func (l *Loss) Endpoints() []Named { return l.Link.endpoints("loss") }

func (l *Loss) Selects(link Link) bool { return l.Link.selectsBytes(link) }

func (l *Loss) Unmatched() string { return "no connection between " + l.Link.String() }

func (l *Loss) Apply(env Env) (func() error, error) {
	return applyRule(env, LinkRule{Match: l.Link, Loss: l.Share})
}

func (*Loss) Schema() sg.S {
	return linkSchema(lossKeys, map[string]sg.S{"share": sg.Number()})
}
