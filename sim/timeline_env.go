package sim

import (
	"fmt"

	"github.com/faultline-sim/faultline/faults"
	"github.com/faultline-sim/faultline/sim/service"
)

// faultEnv is the world as one fault acts on it (faults.Env): the fault
// layer, the replicas it names (recorded as the fault's processes) and the
// broker.
type faultEnv struct {
	w    *world
	obs  observer
	seed uint64
}

var _ faults.Env = faultEnv{}

func (e faultEnv) Net() *faults.Net { return e.w.net }

func (e faultEnv) Seed() uint64 { return e.seed }

func (e faultEnv) Replicas(target faults.Endpoint) ([]faults.Replica, error) {
	reps, err := e.w.replicasOf(target)
	if err != nil {
		return nil, err
	}
	e.obs.processes(reps)
	out := make([]faults.Replica, len(reps))
	for i, r := range reps {
		out[i] = r
	}
	return out, nil
}

func (e faultEnv) CrashBroker(target faults.Endpoint) (func() error, error) {
	return e.w.crashBroker(target, e.obs)
}

// replicasOf returns the replicas a process-fault target names: "service"
// (all) or "service#N".
func (w *world) replicasOf(target faults.Endpoint) ([]*service.Replica, error) {
	var out []*service.Replica
	for _, r := range w.replicas {
		if target.Matches(r.Name()) {
			out = append(out, r)
		}
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("no replica %q", target)
	}
	return out, nil
}

// applyFault applies f to the world, its draws from seed, and returns what
// removes it (nil for an instant fault).
func (w *world) applyFault(f faults.Fault, seed uint64, obs observer) (remove func() error, err error) {
	if f.Kind == nil {
		return nil, fmt.Errorf("fault at line %d has no kind", f.Line)
	}
	return f.Kind.Apply(faultEnv{w: w, obs: obs, seed: seed ^ uint64(f.Line)})
}
