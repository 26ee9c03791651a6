package sim

import (
	"sync"
	"time"

	"github.com/faultline-sim/faultline/reports/result"
	"github.com/faultline-sim/faultline/sim/registry"
)

// members is the log of the registry's membership changes during a run,
// to tell, per fault, which replicas left the registry and when they came
// back. Safe for concurrent use; add is called with the registry's lock
// held, so it takes only its own.
type members struct {
	mu  sync.Mutex
	log []registry.Change
}

func (m *members) add(c registry.Change) {
	m.mu.Lock()
	m.log = append(m.log, c)
	m.mu.Unlock()
}

// during returns, for a fault applied at started and removed at ended,
// every drop of a replica from the registry from started until ttl+grace
// after ended, each with the replica's next registration if any.
func (m *members) during(started, ended time.Time, ttl, grace time.Duration) []result.RegistryChange {
	if started.IsZero() {
		return nil
	}
	if ended.IsZero() {
		ended = started
	}
	until := ended.Add(ttl + grace)
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []result.RegistryChange
	for i, c := range m.log {
		if c.Joined || c.At.Before(started) || c.At.After(until) {
			continue
		}
		rc := result.RegistryChange{Replica: c.Name(), Left: c.At.UTC(), LeftAfterS: c.At.Sub(started).Seconds()}
		for _, b := range m.log[i+1:] {
			if b.Joined && b.Service == c.Service && b.Replica == c.Replica {
				back, after := b.At.UTC(), b.At.Sub(ended).Seconds()
				rc.Back, rc.BackAfterS = &back, &after
				break
			}
		}
		out = append(out, rc)
	}
	return out
}
