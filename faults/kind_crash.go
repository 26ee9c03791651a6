package faults

import (
	"context"
	"errors"
	"time"

	"github.com/faultline-sim/faultline/topologies"
	sg "github.com/faultline-sim/faultline/topologies/schemagen"
)

func init() { Register("crash", func() Kind { return &Crash{} }) }

// Crash stops a process at once and restarts it when the fault ends: the
// replicas of a service (a listener and connections closed, work in
// flight lost) or a broker node.
type Crash struct {
	Target Endpoint
}

// restartTimeout bounds the restart of crashed replicas.
const restartTimeout = 10 * time.Second

func (*Crash) Key() string { return "crash" }

func (c *Crash) Name() string { return "crash " + string(c.Target) }

func (*Crash) Traits() Traits { return Traits{} }

func (c *Crash) Decode(d *topologies.Decoder, n topologies.Node) bool {
	c.Target, _ = endpoint(d)(n)
	return true
}

func (c *Crash) Check(ch Checker) { checkEndpoint(ch, "crash", c.Target, RoleProcess) }

func (c *Crash) Endpoints() []Named {
	return []Named{{Field: "crash", Endpoint: c.Target, Role: RoleProcess}}
}

func (c *Crash) Stops() Endpoint { return c.Target }

func (c *Crash) Apply(env Env) (func() error, error) {
	if c.Target.IsBroker() {
		return env.CrashBroker(c.Target)
	}
	reps, err := env.Replicas(c.Target)
	if err != nil {
		return nil, err
	}
	for _, r := range reps {
		r.Crash()
	}
	return func() error {
		ctx, cancel := context.WithTimeout(context.Background(), restartTimeout)
		defer cancel()
		var errs []error
		for _, r := range reps {
			if err := r.Restart(ctx); err != nil {
				errs = append(errs, err)
			}
		}
		return errors.Join(errs...)
	}, nil
}

func (*Crash) Schema() sg.S {
	return sg.Describe(sg.String(), "the endpoint crashed: svc, svc#N, broker#N, broker#leader")
}
