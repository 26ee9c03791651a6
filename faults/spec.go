package faults

import (
	"fmt"
	"strings"
	"time"
)

// Kind names what a Fault does.
type Kind string

// Fault kinds.
const (
	// Link faults act on bytes of the connections between two endpoints.
	KindLatency   Kind = "latency"
	KindBandwidth Kind = "bandwidth"
	KindPartition Kind = "partition"
	// KindReset aborts the matching connections with a TCP RST (the peer
	// sees ECONNRESET); KindClose closes them with a FIN (the peer sees
	// EOF).
	KindReset Kind = "reset"
	KindClose Kind = "close"
	// KindLoss loses a share of a link's segments, emulated as TCP would
	// show it: as retransmission delay (see LinkRule.Loss).
	KindLoss Kind = "loss"
	// KindRequest answers a share of a service's handlings with a code or a
	// delay: its requests (a Connect interceptor on the callee) and its
	// event deliveries alike (a failed delivery is nakked and redelivered as
	// its consumer is configured).
	KindRequest Kind = "request"
	// Process faults act on replicas of a service, or on the broker.
	KindCrash  Kind = "crash"
	KindPause  Kind = "pause"
	KindSlow   Kind = "slow"
	KindErrors Kind = "errors"
)

// Instant reports whether faults of kind k act once, at their start, and
// have no duration (reset and close).
func (k Kind) Instant() bool { return k == KindReset || k == KindClose }

// Endpoint names of the parts of a variant that are not services.
const (
	EndpointBroker  = "broker"
	EndpointGateway = "gateway"
	EndpointClient  = "client"
	// EndpointRegistry is the service registry: every replica's
	// heartbeats flow replica → registry (under a detection delay).
	EndpointRegistry = "registry"
	// EndpointLeader, as a crash target ("broker#leader"), is the broker
	// node leading the first stream when the fault starts.
	EndpointLeader = "leader"
)

// Fault is one fault of a scenario's timeline, as decoded. Exactly the
// fields of its Kind are set.
type Fault struct {
	Kind Kind
	// At is when the fault starts, from the start of the load (warm-up
	// included); For is how long it lasts. A reset is instantaneous (For 0).
	At, For time.Duration
	// Line is where the fault is declared in File.
	File string
	Line int

	// Link faults.
	Link      LinkSpec
	Latency   LatencySpec
	Bandwidth int64      // bytes per second
	Loss      float64    // loss: share of segments lost, in [0, 1]
	Groups    [][]string // partition: endpoints in different groups cannot reach each other

	// Request faults.
	Request RequestSpec

	// Process faults: Target is "service", "service#N", "broker",
	// "broker#N" or "broker#leader".
	Target string
	Factor float64 // slow: work time multiplied by it (> 1 is slower)
	Rate   float64 // errors: the error rate in [0, 1] while active
	// Sticky (errors): the rate follows the operation, drawn from (seed,
	// operation, service) alone, so every attempt of a failing operation
	// fails; default false: each attempt (retry, redelivery) draws afresh.
	Sticky bool
}

// LinkSpec selects the connections a link fault acts on: bytes flowing from
// From to To, and also back when Both. An endpoint is a service name (all
// its replicas), "service#N", "gateway", "client", "broker", "broker#N" or
// "*" for any.
type LinkSpec struct {
	From, To string
	Both     bool
	// RequestsOnly restricts the fault to bytes flowing From → To on
	// connections From dialed to To (requests into To's server), leaving
	// alone the replies To receives on connections it dialed itself. With
	// Both, bytes flowing To → From on connections To dialed are affected
	// too. Default false: either side's connections.
	RequestsOnly bool
}

// Distributions of injected latency.
const (
	DistFixed     = "fixed"
	DistUniform   = "uniform"
	DistNormal    = "normal"
	DistLognormal = "lognormal"
)

// LatencySpec is added delay: Mean, with Jitter spread by Dist (default
// fixed when Jitter is 0, uniform otherwise). Uniform spans Mean±Jitter;
// normal has standard deviation Jitter; lognormal has median Mean and
// Mean+Jitter at one standard deviation. Draws never go below 0.
type LatencySpec struct {
	Mean, Jitter time.Duration
	Dist         string
}

// RequestSpec is a request-level fault on the callee side. It acts on every
// handling of the service: its RPC requests and its event deliveries.
type RequestSpec struct {
	Service string
	// Method, when set, restricts the fault to handlings of that name: an
	// RPC method name (e.g. "Handle") for requests, the subject (e.g.
	// "orders.placed") for event deliveries. So "Handle" spares the
	// service's consumers and a subject spares its RPCs.
	Method string
	// Header, when set, restricts it to handlings carrying this header
	// ("Name: value"): the request's header, or the NATS message header of
	// an event (looked up as written, then in canonical form).
	Header string
	// Share of matching handlings affected, in (0, 1]; default 1. Each
	// attempt of a call (retry, hedge) and each redelivery of an event draws
	// afresh from (seed, service, operation, hop, attempt), unless Sticky.
	Share float64
	// Sticky makes the share follow the operation: drawn from (seed,
	// service, operation) alone, every attempt and every delivery of an
	// affected operation is hit ("this order always fails"). Default false.
	Sticky bool
	// Code answers the request with a Connect code: unavailable,
	// resource_exhausted, internal or deadline_exceeded. Empty with Delay
	// set means: only delay.
	Code string
	// Delay is added before the request or delivery is handled (or failed
	// with Code).
	Delay time.Duration
}

// Name returns a short human name such as "latency order->payment 20ms".
func (f Fault) Name() string {
	switch f.Kind {
	case KindLatency:
		return fmt.Sprintf("latency %s %v", f.Link, f.Latency.Mean)
	case KindBandwidth:
		return fmt.Sprintf("bandwidth %s %dB/s", f.Link, f.Bandwidth)
	case KindReset, KindClose:
		return fmt.Sprintf("%s %s", f.Kind, f.Link)
	case KindLoss:
		return fmt.Sprintf("loss %s %g", f.Link, f.Loss)
	case KindPartition:
		parts := make([]string, len(f.Groups))
		for i, g := range f.Groups {
			parts[i] = "[" + strings.Join(g, ",") + "]"
		}
		return "partition " + strings.Join(parts, "|")
	case KindRequest:
		what := f.Request.Code
		if what == "" {
			what = "delay " + f.Request.Delay.String()
		}
		return fmt.Sprintf("request %s %s", f.Request.Service, what)
	case KindSlow:
		return fmt.Sprintf("slow %s x%g", f.Target, f.Factor)
	case KindErrors:
		return fmt.Sprintf("errors %s %g", f.Target, f.Rate)
	}
	return fmt.Sprintf("%s %s", f.Kind, f.Target)
}

// String returns "from->to", or "from<->to" when Both, followed by
// " (requests only)" when RequestsOnly.
func (l LinkSpec) String() string {
	s := l.From + "->" + l.To
	if l.Both {
		s = l.From + "<->" + l.To
	}
	if l.RequestsOnly {
		s += " (requests only)"
	}
	return s
}

// Matches reports whether endpoint name (e.g. "payment#1", "broker",
// "gateway") is selected by pattern: "*", the exact name, or a service name
// without "#N" selecting every replica of it.
func Matches(pattern, name string) bool {
	if pattern == "" || pattern == "*" || pattern == name {
		return true
	}
	if i := strings.IndexByte(name, '#'); i >= 0 && !strings.Contains(pattern, "#") {
		return name[:i] == pattern
	}
	return false
}
