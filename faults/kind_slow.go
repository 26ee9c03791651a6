package faults

import (
	"fmt"
	"math"

	"github.com/faultline-sim/faultline/topologies"
	sg "github.com/faultline-sim/faultline/topologies/schemagen"
)

func init() { Register("slow", func() Kind { return &Slow{} }) }

// Slow multiplies the work time of a service's replicas by Factor.
type Slow struct {
	Target Endpoint
	Factor float64 // > 1 is slower
}

var slowKeys = []string{"target", "factor"}

func (*Slow) Key() string { return "slow" }

func (s *Slow) Name() string { return fmt.Sprintf("slow %s x%g", s.Target, s.Factor) }

func (*Slow) Traits() Traits { return Traits{} }

func (s *Slow) Decode(d *topologies.Decoder, n topologies.Node) bool {
	m, _ := d.Mapping(n, slowKeys...)
	topologies.Set(endpoint(d), m, "target", &s.Target)
	topologies.Set(d.Float, m, "factor", &s.Factor)
	return true
}

func (s *Slow) Check(c Checker) {
	checkEndpoint(c, "slow.target", s.Target, RoleService)
	switch {
	case s.Factor == 0 && c.Missing("slow.factor"):
		c.Fail("slow.factor", "required: the work time multiplier (> 1 is slower)")
	case !(s.Factor > 0) || math.IsInf(s.Factor, 0):
		c.Fail("slow.factor", "must be positive, got %v", s.Factor)
	}
}

func (s *Slow) Endpoints() []Named {
	return []Named{{Field: "slow.target", Endpoint: s.Target, Role: RoleService}}
}

func (s *Slow) Apply(env Env) (func() error, error) {
	return onReplicas(env, s.Target, func(r Replica) func() {
		r.SetSlow(s.Factor)
		return func() { r.SetSlow(1) }
	})
}

func (*Slow) Schema() sg.S {
	return sg.Object(slowKeys, map[string]sg.S{"target": sg.String(), "factor": sg.Number()})
}
