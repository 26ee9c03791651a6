package faults

import (
	"context"
	"time"

	"github.com/faultline-sim/faultline/topologies"
	"github.com/faultline-sim/faultline/topologies/schemagen"
)

// A Kind is what one fault does: latency, a partition, a crash… Each kind
// is a type in its own file (kind_*.go) that registers itself (Register)
// under the key that names it in a scenario's faults list. It decodes its
// value, validates it, names the endpoints it targets and applies itself
// to a variant's world through Env, which package sim implements. Adding a
// kind is one new file; nothing else switches on kinds.
type Kind interface {
	// Key is the kind's key in a faults entry ("latency").
	Key() string
	// Name is a short human name for reports ("latency order->payment 20ms").
	Name() string
	// Traits says how the timeline and the checks treat faults of the kind.
	Traits() Traits
	// Decode reads the kind's value n (the node under its key), reporting
	// problems to d with their lines. It returns false when the value did
	// not decode whole, so that checks of its shape would repeat d's
	// problems.
	Decode(d *topologies.Decoder, n topologies.Node) (whole bool)
	// Check validates the decoded value on its own, whatever the variant.
	Check(c Checker)
	// Endpoints lists every endpoint the fault names, in the order it names
	// them, with where and in which role.
	Endpoints() []Named
	// Apply applies the fault to env and returns what removes it; an
	// Instant kind returns a nil remove.
	Apply(env Env) (remove func() error, err error)
	// Schema is the JSON Schema of the kind's value.
	Schema() schemagen.S
}

// Traits are what the timeline and the checks need to know of a kind
// without knowing which kind it is.
type Traits struct {
	// Instant kinds act once, at their start, and take no for (reset,
	// close).
	Instant bool
	// Delays: the kind delays or holds bytes on links, which needs the
	// fault layer's timers (a descriptor each, on Linux).
	Delays bool
	// Holds: the kind holds bytes until removed; the timeline records when
	// bytes actually stopped and flowed again.
	Holds bool
	// Lateness: the kind draws delays whose lateness the fault layer
	// measures (Net.LatenessSince).
	Lateness bool
}

// LinkKind is a Kind acting on connections between endpoints rather than
// on processes.
type LinkKind interface {
	Kind
	// Selects reports whether the fault acts on a connection dialed on
	// link (From the dialer, To the listener).
	Selects(link Link) bool
	// Unmatched says what the fault would miss in a variant where it
	// selects no link ("no connection between a->b").
	Unmatched() string
}

// Stopper is a Kind that stops a process (crash, pause): one target cannot
// be stopped by two such faults at once.
type Stopper interface {
	Kind
	// Stops is the endpoint stopped.
	Stops() Endpoint
}

// Warner is a Kind that can warn of a value that defeats itself, such as a
// delay at least as long as the timeout of everything it delays.
type Warner interface {
	Kind
	// Warn returns a warning about key (relative to the fault, e.g.
	// "latency.mean"), or msg "" when there is none.
	Warn(t Timeouts) (key, msg string)
}

// Timeouts are the timeouts of what crosses a variant's links, for Warn.
type Timeouts struct {
	// Load is the client's timeout; 0 when none.
	Load time.Duration
	// Edges are the synchronous call edges of every variant.
	Edges []CallEdge
}

// CallEdge is a synchronous call edge of a variant, the gateway's
// included.
type CallEdge struct {
	Variant, From, To string
	// Timeout is the call's timeout; 0: none beyond the caller's deadline.
	Timeout time.Duration
}

// Named is an endpoint a fault names.
type Named struct {
	// Field is where the fault names it, relative to the fault:
	// "latency.from", "partition", "crash", "request.service"…
	Field string
	// Endpoint is the name as written, e.g. "payment#3" or "broker".
	Endpoint Endpoint
	// Role is the place it has.
	Role Role
}

// Checker receives the problems a Kind finds in itself (Kind.Check).
// Keys are relative to the fault: "latency.mean", "" for the fault entry.
type Checker interface {
	// Fail reports a problem with key, at key's line.
	Fail(key, format string, args ...any)
	// FailAt reports a problem with key at the line of another key, at
	// (e.g. a partition's problem at the line of its group).
	FailAt(at, key, format string, args ...any)
	// Missing reports whether key was left out of the file.
	Missing(key string) bool
	// BrokerNodes is the scenario's number of broker nodes.
	BrokerNodes() int
}

// checkEndpoint reports to c what is wrong with endpoint e at key for a
// place of role r; it returns false when something is.
func checkEndpoint(c Checker, key string, e Endpoint, r Role) bool {
	if p := e.Problem(r, c.BrokerNodes()); p != "" {
		c.Fail(key, "%s", p)
		return false
	}
	return true
}

// applyRule applies r to env's fault layer; the remove it returns lifts it.
func applyRule(env Env, r LinkRule) (remove func() error, err error) {
	lift := env.Net().Apply(r)
	return func() error { lift(); return nil }, nil
}

// onReplicas applies on to every replica target names; on returns what
// undoes it on that replica, and the remove returned undoes them all.
func onReplicas(env Env, target Endpoint, on func(Replica) (undo func())) (remove func() error, err error) {
	reps, err := env.Replicas(target)
	if err != nil {
		return nil, err
	}
	undo := make([]func(), len(reps))
	for i, r := range reps {
		undo[i] = on(r)
	}
	return func() error {
		for _, u := range undo {
			u()
		}
		return nil
	}, nil
}

// Env is the world of one variant as a fault acts on it. Package sim
// implements it, one Env per applied fault.
type Env interface {
	// Net is the fault layer every connection of the world goes through.
	Net() *Net
	// Replicas returns the service replicas target names ("service" for
	// all of them, or "service#N") and records them as the processes the
	// fault acts on.
	Replicas(target Endpoint) ([]Replica, error)
	// CrashBroker crashes the broker node target names ("broker",
	// "broker#N", "broker#leader") and returns what restarts it.
	CrashBroker(target Endpoint) (restart func() error, err error)
	// Seed is the fault's own seed, for the draws it makes.
	Seed() uint64
}

// Replica is one replica of a service as faults act on it.
type Replica interface {
	// Name is "service#N".
	Name() string
	// Crash stops the replica at once: its listener and connections
	// close, its work in flight is lost.
	Crash()
	// Restart starts a crashed replica again on the same address.
	Restart(ctx context.Context) error
	// Pause freezes the replica's work until Resume.
	Pause()
	Resume()
	// SetSlow multiplies the replica's work time by factor (1: normal).
	SetSlow(factor float64)
	// SetErrorRate fails a share of handlings, drawn afresh per attempt;
	// SetStickyErrorRate draws it per operation; ClearErrorRate restores
	// the topology's rate.
	SetErrorRate(rate float64)
	SetStickyErrorRate(rate float64)
	ClearErrorRate()
	// AddRequestFault answers matching handlings as r says, drawing from
	// seed, until remove is called.
	AddRequestFault(r Request, seed uint64) (remove func())
}
