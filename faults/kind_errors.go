package faults

import (
	"fmt"

	"github.com/faultline-sim/faultline/topologies"
	sg "github.com/faultline-sim/faultline/topologies/schemagen"
)

func init() { Register("errors", func() Kind { return &Errors{} }) }

// Errors sets the error rate of a service's replicas while active.
type Errors struct {
	Target Endpoint
	Rate   float64 // in [0, 1]
	// Sticky: the rate follows the operation, drawn from (seed, operation,
	// service) alone, so every attempt of a failing operation fails;
	// default false: each attempt (retry, redelivery) draws afresh.
	Sticky bool
}

var errorsKeys = []string{"target", "rate", "sticky"}

func (*Errors) Key() string { return "errors" }

func (e *Errors) Name() string { return fmt.Sprintf("errors %s %g", e.Target, e.Rate) }

func (*Errors) Traits() Traits { return Traits{} }

func (e *Errors) Decode(d *topologies.Decoder, n topologies.Node) bool {
	m, _ := d.Mapping(n, errorsKeys...)
	topologies.Set(endpoint(d), m, "target", &e.Target)
	topologies.Set(d.Float, m, "rate", &e.Rate)
	topologies.Set(boolean(d), m, "sticky", &e.Sticky)
	return true
}

func (e *Errors) Check(c Checker) {
	checkEndpoint(c, "errors.target", e.Target, RoleService)
	switch {
	case c.Missing("errors.rate"):
		c.Fail("errors.rate", "required: the error rate in [0, 1] while active")
	case !(e.Rate >= 0 && e.Rate <= 1):
		c.Fail("errors.rate", "must be between 0 and 1, got %v", e.Rate)
	}
}

func (e *Errors) Endpoints() []Named {
	return []Named{{Field: "errors.target", Endpoint: e.Target, Role: RoleService}}
}

func (e *Errors) Apply(env Env) (func() error, error) {
	return onReplicas(env, e.Target, func(r Replica) func() {
		if e.Sticky {
			r.SetStickyErrorRate(e.Rate)
		} else {
			r.SetErrorRate(e.Rate)
		}
		return r.ClearErrorRate
	})
}

func (*Errors) Schema() sg.S {
	return sg.Object(errorsKeys, map[string]sg.S{"target": sg.String(), "rate": sg.Number(), "sticky": sg.Bool()})
}
