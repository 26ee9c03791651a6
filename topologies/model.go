// Package topologies describes the services of one variant: who calls whom,
// who publishes and consumes which events, replicas, work times, error rates
// and capacities. It is pure data plus decoding and validation; nothing here
// opens a socket.
package topologies

import "time"

// Topology is one variant's world: services wired by synchronous calls and by
// events through the broker. Values are read-only after ReadFile/Parse.
type Topology struct {
	// File is the path the topology was read from ("" when parsed from bytes
	// without a name).
	File string
	// Name is the topology's name; defaults to the file's base name without
	// extension.
	Name        string
	Description string
	// Entry is the service the gateway routes client requests to.
	Entry string
	// Wire is how every Connect client in the variant talks.
	Wire Wire
	// Services in file order.
	Services []Service
	// Policies are the named resilience policies calls refer to, by name.
	Policies map[string]*Policy
	// Gateway configures the gateway's edge to the entry service.
	Gateway Gateway
	// Discovery applies to the gateway and every caller.
	Discovery Discovery
	// State makes three of the services stateful and says how their saga
	// runs; nil (no state block) for a stateless topology.
	State *State

	// lines maps paths with list items written by index
	// (services[1].replicas) to their line in File; nil when built in code.
	lines map[string]int
}

// Wire protocol and HTTP version used by every Connect client of a variant.
type Wire struct {
	// Protocol is ProtocolConnect (default) or ProtocolGRPC.
	Protocol string
	// HTTP is H2C (default) or HTTP1. h2c is the default because it held
	// twice the rate of HTTP/1.1 in the shipped topologies (see docs/design.md).
	HTTP string
}

// Wire settings.
const (
	ProtocolConnect = "connect"
	ProtocolGRPC    = "grpc"
	HTTP1           = "http1"
	H2C             = "h2c"
)

// Service is one simulated microservice with one or more replicas.
type Service struct {
	Name string
	// Replicas is the number of identical instances; default 1.
	Replicas int
	// Work is the time one request or event spends in the service's own code.
	Work Dist
	// ErrorRate is the probability in [0,1) that a handling (a request or
	// an event delivery) fails with an internal error after its work;
	// default 0. The error is transient: each attempt of a call, and each
	// redelivery of an event, draws afresh.
	ErrorRate float64
	// ErrorSticky makes ErrorRate follow the operation instead: the share
	// ErrorRate of operations fails at every attempt ("this order always
	// fails"), so retries do not help. Default false (topology key
	// error_sticky).
	ErrorSticky bool
	// Capacity is the maximum number of concurrent requests per replica;
	// excess requests are rejected (resource exhausted). 0 means unlimited.
	Capacity int
	// Calls are synchronous calls made after the work: in order, or all at
	// once when Parallel.
	Calls []Call
	// Parallel makes the calls concurrently instead of in order: each goes
	// through its own edge at once, the service waits for all of them, and
	// fails when any fails, with the code of the first call to fail; that
	// failure cancels the calls still in flight. Needs at least 2 calls;
	// default false.
	Parallel bool
	// Publish lists the events published (and acked by the broker) after
	// the calls succeed.
	Publish []Publish
	// Consume lists the subjects the service consumes.
	Consume []Consume
	// Line is where the service is declared in File.
	Line int
}

// Dist is a work-time distribution: fixed when P99 is zero (P50 is then the
// fixed value), otherwise lognormal with the given median and 99th percentile.
type Dist struct {
	P50 time.Duration
	P99 time.Duration
}

// Fixed reports whether the distribution is a constant.
func (d Dist) Fixed() bool { return d.P99 == 0 || d.P99 == d.P50 }

// Call is one synchronous call to another service.
type Call struct {
	Service string
	// Timeout bounds the call; 0 means the caller's own deadline. Kept for
	// the short form {service: x, timeout: d}; with a Policy, Policy.Timeout
	// is the same value.
	Timeout time.Duration
	// Policy is the resilience applied to the call: a named policy
	// (policy: NAME, the *Policy in Topology.Policies) or one written
	// inline; nil: none beyond Timeout. A file sets timeout or policy on a
	// call, not both.
	Policy *Policy
	Line   int
}

// Event kinds.
const (
	KindDomain       = "domain"
	KindIntegration  = "integration"
	KindNotification = "notification"
)

// Publish is an event a service publishes through JetStream.
type Publish struct {
	Subject string
	// Kind is KindDomain (default), KindIntegration or KindNotification.
	Kind string
	// Schema is the event's schema version; default 1.
	Schema int
	// Mode is PublishAck (default) or PublishFireAndForget.
	Mode string
	// Timeout bounds each publish attempt's wait for the broker's ack
	// (key timeout); 0 (default): an attempt waits as long as the
	// operation's own deadline allows. Mode ack only.
	Timeout time.Duration
	// Retries is how many times a publish whose attempt failed or timed
	// out is sent again at once (key retries); default 0: none, the
	// operation fails with the first attempt. Mode ack only; every attempt
	// must fit in the stream's DuplicateWindow.
	Retries int
	// NewID makes each retry carry a new Nats-Msg-Id (key same_id: false),
	// so the broker cannot recognise it and stores every copy that
	// reached it; the event (Faultline-Event) is the same. Default false
	// (same_id: true): a retry carries the first attempt's id and the
	// broker drops it when it stored an earlier copy.
	NewID bool
	Line  int
}

// DuplicateWindow is every stream's duplicate window: the broker drops a
// publish whose Nats-Msg-Id it stored this recently.
const DuplicateWindow = 2 * time.Minute

// Consume is a subscription of a service to a subject.
type Consume struct {
	Subject string
	// Group names the queue group. Services with the same group share one
	// durable consumer, so each event is processed once per group. Default:
	// the service's own name (fan-out across services; replicas compete).
	Group string
	// Concurrency is the number of events one replica handles at once;
	// default 1.
	Concurrency int
	// MaxDeliver bounds deliveries per event; 0 means unlimited.
	MaxDeliver int
	// AckWait is how long the broker waits for an ack before redelivering;
	// default 30s.
	AckWait time.Duration
	// Backoff lists the redelivery delays after the 1st, 2nd, ... failed
	// delivery (the last repeats); a failed handling naks with that delay.
	// Empty: redeliver at once (nak without delay). Each is positive, and
	// a non-empty Backoff needs MaxDeliver > len(Backoff), as JetStream
	// does.
	Backoff []time.Duration
	// DeadLetter, when true (default when MaxDeliver > 0), moves an event
	// whose last allowed delivery failed to the dead-letter stream with its
	// headers, the error and the delivery count, and terminates it. It
	// needs MaxDeliver > 0.
	DeadLetter bool
	// Idempotent keeps a processed-id store shared by the group's replicas
	// and suppresses (acks without applying) events already processed;
	// default false.
	Idempotent bool
	// Poison is the share of events, in [0, 1), this consumer can never
	// process: chosen by event from the scenario's seed, every delivery of
	// such an event fails ("poison message"), whatever the attempt.
	Poison float64
	// AckInterval, when > 0, batches acknowledgements: a replica acks what
	// it processed every AckInterval instead of at once (as consumers that
	// commit periodically do). Fewer acks, but a crash loses the batch not
	// yet acked, and the broker redelivers those events. Must be below
	// AckWait.
	AckInterval time.Duration
	Line        int
}

// Service returns the named service, or nil.
func (t *Topology) Service(name string) *Service {
	for i := range t.Services {
		if t.Services[i].Name == name {
			return &t.Services[i]
		}
	}
	return nil
}

// Subscribers returns, for every subject consumed in the topology, the
// distinct groups (durable consumers) that must each process every event
// published on it, in declaration order.
func (t *Topology) Subscribers() map[string][]string {
	out := map[string][]string{}
	for _, s := range t.Services {
		for _, c := range s.Consume {
			g := c.Group
			if g == "" {
				g = s.Name
			}
			dup := false
			for _, have := range out[c.Subject] {
				if have == g {
					dup = true
				}
			}
			if !dup {
				out[c.Subject] = append(out[c.Subject], g)
			}
		}
	}
	return out
}

// Subjects returns every published subject, in declaration order, once each.
func (t *Topology) Subjects() []string {
	var out []string
	seen := map[string]bool{}
	for _, s := range t.Services {
		for _, p := range s.Publish {
			if !seen[p.Subject] {
				seen[p.Subject] = true
				out = append(out, p.Subject)
			}
		}
	}
	return out
}
