package faults

import (
	"github.com/faultline-sim/faultline/topologies"
	sg "github.com/faultline-sim/faultline/topologies/schemagen"
)

func init() { Register("pause", func() Kind { return &Pause{} }) }

// Pause freezes the replicas of a service until the fault ends: their
// work waits and their links hold every byte both ways (new dials to them
// hang), as a stopped process answers nothing, not even pings.
type Pause struct {
	Target Endpoint
}

func (*Pause) Key() string { return "pause" }

func (p *Pause) Name() string { return "pause " + string(p.Target) }

func (*Pause) Traits() Traits { return Traits{} }

func (p *Pause) Decode(d *topologies.Decoder, n topologies.Node) bool {
	p.Target, _ = endpoint(d)(n)
	return true
}

func (p *Pause) Check(c Checker) { checkEndpoint(c, "pause", p.Target, RoleProcess) }

func (p *Pause) Endpoints() []Named {
	return []Named{{Field: "pause", Endpoint: p.Target, Role: RoleProcess}}
}

func (p *Pause) Stops() Endpoint { return p.Target }

func (p *Pause) Apply(env Env) (func() error, error) {
	return onReplicas(env, p.Target, func(r Replica) func() {
		r.Pause()
		hold := env.Net().Apply(LinkRule{Match: LinkSpec{From: Any, To: Endpoint(r.Name()), Both: true}, Blackhole: true})
		return func() { hold(); r.Resume() }
	})
}

func (*Pause) Schema() sg.S { return sg.Describe(sg.String(), "the endpoint paused") }
