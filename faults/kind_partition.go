package faults

import (
	"fmt"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/faultline-sim/faultline/topologies"
	sg "github.com/faultline-sim/faultline/topologies/schemagen"
)

func init() { Register("partition", func() Kind { return &Partition{} }) }

// Partition splits endpoints into groups that cannot reach each other
// (Net.Partition): bytes between groups are held until it heals.
type Partition struct {
	Groups [][]Endpoint
}

func (*Partition) Key() string { return "partition" }

func (p *Partition) Name() string {
	parts := make([]string, len(p.Groups))
	for i, g := range p.Groups {
		names := make([]string, len(g))
		for j, e := range g {
			names[j] = string(e)
		}
		parts[i] = "[" + strings.Join(names, ",") + "]"
	}
	return "partition " + strings.Join(parts, "|")
}

func (*Partition) Traits() Traits { return Traits{Delays: true, Holds: true} }

// Decode reads a list of lists of endpoints; it is whole when every group
// is a list and every member a string.
func (p *Partition) Decode(d *topologies.Decoder, n topologies.Node) bool {
	whole := isList(n)
	for _, g := range d.List(n) {
		whole = whole && isList(g)
		group := []Endpoint{}
		for _, e := range d.List(g) {
			s, ok := d.String(e)
			whole = whole && ok
			group = append(group, Endpoint(s))
		}
		p.Groups = append(p.Groups, group)
	}
	return whole
}

// isList reports whether n is a list or null (an empty list).
func isList(n topologies.Node) bool {
	return n.Value != nil && (n.Value.Kind == yaml.SequenceNode || n.IsScalar() && n.Value.ShortTag() == "!!null")
}

// Check needs two groups or more, each endpoint in one group only, once,
// and "*" (everyone not named) in one group at most. Problems name the
// partition key, at the line of their group.
func (p *Partition) Check(c Checker) {
	if len(p.Groups) < 2 {
		c.Fail("partition", "needs at least 2 groups of endpoints, got %d", len(p.Groups))
	}
	var seen []Endpoint
	star := false
	for gi, group := range p.Groups {
		at := fmt.Sprintf("partition[%d]", gi)
		if len(group) == 0 {
			c.FailAt(at, "partition", "group %d is empty", gi)
		}
		for _, e := range group {
			if prob := e.Problem(RoleGroup, c.BrokerNodes()); prob != "" {
				c.FailAt(at, "partition", "%s", prob)
				continue
			}
			if e == Any {
				if star {
					c.FailAt(at, "partition", `"*" may be in one group only, once`)
				}
				star = true
				continue
			}
			for _, prev := range seen {
				if prev.Overlaps(e) {
					c.FailAt(at, "partition", "%q overlaps %q: an endpoint may be in one group only, once", e, prev)
					break
				}
			}
			seen = append(seen, e)
		}
	}
}

func (p *Partition) Endpoints() []Named {
	var out []Named
	for _, g := range p.Groups {
		for _, e := range g {
			if e != Any {
				out = append(out, Named{Field: "partition", Endpoint: e, Role: RoleGroup})
			}
		}
	}
	return out
}

// names returns the groups as the fault layer takes them.
func (p *Partition) names() [][]string {
	out := make([][]string, len(p.Groups))
	for i, g := range p.Groups {
		out[i] = make([]string, len(g))
		for j, e := range g {
			out[i][j] = string(e)
		}
	}
	return out
}

// Selects reports whether the partition puts link's ends in different
// groups (Cuts).
func (p *Partition) Selects(link Link) bool { return Cuts(p.names(), link) }

func (p *Partition) Unmatched() string { return "no connection crosses its groups" }

func (p *Partition) Apply(env Env) (func() error, error) {
	heal := env.Net().Partition(p.names())
	return func() error { heal(); return nil }, nil
}

func (*Partition) Schema() sg.S {
	return sg.Describe(sg.List(sg.List(sg.String())), "groups of endpoints that cannot reach each other")
}
