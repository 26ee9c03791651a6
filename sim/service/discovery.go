package service

import (
	"connectrpc.com/connect"

	"github.com/faultline-sim/faultline/sim/registry"
)

// outcomeOf classifies a call's error for the balancer and outlier
// detection: the codes that say the replica (or the way to it) failed count
// as failures; others, such as a cancellation by the caller, count as
// neither failure nor success.
func outcomeOf(err error) registry.Outcome {
	if err == nil {
		return registry.Succeeded
	}
	switch connect.CodeOf(err) {
	case connect.CodeUnavailable, connect.CodeDeadlineExceeded, connect.CodeInternal,
		connect.CodeUnknown, connect.CodeResourceExhausted:
		return registry.Failed
	}
	return registry.Ignored
}

// Ejections returns how many times the caller has ejected a replica from
// its choices (passive outlier detection), over its life.
func (c *Caller) Ejections() uint64 { return c.picker.Ejections() }

// Ejections returns how many times the replica's caller has ejected one of
// its callees' replicas.
func (r *Replica) Ejections() uint64 { return r.caller.Ejections() }

// register joins the registry; the session's heartbeats keep the entry
// alive under a detection delay. r.mu is held.
func (r *Replica) register() {
	r.session = r.cfg.Registry.Join(registry.Endpoint{Service: r.cfg.Service.Name, Replica: r.cfg.Replica, Addr: r.addr})
}

// unregister ends the replica's registration. A graceful stop deregisters at
// once (also a stale entry left by a crash). A crash only stops the
// heartbeats: the registry drops the entry after its detection delay (at
// once when it has none). r.mu is held.
func (r *Replica) unregister(crash bool) {
	s := r.session
	r.session = nil
	switch {
	case crash && s != nil:
		s.Lost()
	case crash:
	case s != nil:
		s.Leave()
	default:
		r.cfg.Registry.Deregister(r.cfg.Service.Name, r.cfg.Replica)
	}
}
