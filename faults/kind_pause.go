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
	reps, err := env.Replicas(p.Target)
	if err != nil {
		return nil, err
	}
	unfreeze := make([]func(), len(reps))
	for i, r := range reps {
		r.Pause()
		unfreeze[i] = env.Net().Apply(LinkRule{
			Match: LinkSpec{From: Any, To: Endpoint(r.Name()), Both: true}, Blackhole: true})
	}
	return func() error {
		for i, r := range reps {
			unfreeze[i]()
			r.Resume()
		}
		return nil
	}, nil
}

func (*Pause) Schema() sg.S { return sg.Describe(sg.String(), "the endpoint paused") }
