package topologies

import "time"

// Policy is the resilience a caller applies to one call edge: what the
// caller does around each call to a service. Policies are declared by name
// under the topology's policies key and used by calls (and the gateway),
// which then share the one *Policy; a call may also write them inline. Nil
// parts are off, but a policy must set at least one of Timeout, Retry,
// Breaker and Bulkhead.
//
// Composition, outermost first: retry ─► breaker ─► bulkhead ─► timeout ─►
// the attempt. Every attempt passes the breaker and the bulkhead and gets
// its own timeout; the retry sees each attempt's outcome.
type Policy struct {
	// Name is the policy's name under policies ("" when written inline).
	Name string
	// Timeout bounds each attempt; the callee gets the smaller of it and
	// the caller's remaining deadline (Connect carries the deadline).
	// 0: the caller's own deadline only; never negative.
	Timeout time.Duration
	Retry   *Retry
	Breaker *Breaker
	// Bulkhead bounds concurrent calls on the edge per caller replica.
	Bulkhead *Bulkhead
	Line     int
}

// Retry re-sends a failed attempt. The delay before retry n (1-based) is
// min(MaxBackoff, Backoff·2^(n-1)) + a uniform draw in [0, Jitter), from the
// scenario's seed. Backoff 0 retries at once (a retry storm).
type Retry struct {
	// MaxAttempts counts the first attempt too (3 = up to 2 retries);
	// required, from 2 to 100.
	MaxAttempts int
	// Backoff is the base delay, >= 0; default 0.
	Backoff time.Duration
	// MaxBackoff caps the exponential part, >= Backoff; default
	// 10·Backoff (0 when Backoff is 0).
	MaxBackoff time.Duration
	// Jitter is >= 0; default 0.
	Jitter time.Duration
	// On lists the Connect codes that are retried, by the names
	// connect.Code's String gives (unavailable, deadline_exceeded, ...), at
	// least one; default unavailable, deadline_exceeded (an attempt's own
	// timeout) and resource_exhausted. A breaker or bulkhead rejection on
	// this edge is never retried.
	On []string
	// Budget, when > 0, caps retries at this share of the edge's calls
	// (0 < Budget <= 1; 0: no budget): every call earns Budget retries and
	// every retry spends one, with BudgetMin retries per second always
	// allowed (>= 0; decoded as 3 when a budget is set and budget_min left
	// out); a retry over budget fails the call with its last error.
	Budget    float64
	BudgetMin int
	Line      int
}

// Breaker is a circuit breaker per caller replica and edge: closed until,
// over the last Window, at least MinRequests attempts were made and at
// least FailureRatio of them failed; then open (attempts fail at once,
// unavailable) for OpenFor; then half-open, letting HalfOpenProbes attempts
// through: all succeed → closed, any fails → open again. Defaults:
// FailureRatio 0.5 (in (0, 1]), Window 10s (> 0), MinRequests 10 (>= 1),
// OpenFor 5s (> 0), HalfOpenProbes 1 (>= 1).
type Breaker struct {
	FailureRatio   float64
	Window         time.Duration
	MinRequests    int
	OpenFor        time.Duration
	HalfOpenProbes int
	Line           int
}

// Bulkhead bounds the calls in flight on an edge per caller replica: a call
// beyond MaxConcurrent waits up to MaxWait for a slot, then is rejected
// (resource_exhausted) without reaching the callee. MaxConcurrent is
// required (>= 1); MaxWait defaults to 0 (reject at once), never negative.
type Bulkhead struct {
	MaxConcurrent int
	MaxWait       time.Duration
	Line          int
}

// Balancer strategies of the gateway and of every caller.
const (
	BalanceRoundRobin       = "round_robin"
	BalanceLeastOutstanding = "least_outstanding"
	BalanceP2C              = "p2c" // power of two random choices, by outstanding calls
)

// Discovery is how callers find replicas: the registry's view and each
// caller's cached copy of it.
type Discovery struct {
	// Balancer picks a replica per call: BalanceRoundRobin (default),
	// BalanceLeastOutstanding or BalanceP2C.
	Balancer string
	// DetectionDelay is how long a crashed replica stays registered: its
	// heartbeats stop, and the registry drops it after this long. 0
	// (default): dropped at once, as by a registry that sees the
	// connection close. Never negative.
	DetectionDelay time.Duration
	// Refresh is how often a caller refreshes its cached list of replicas;
	// 0 (default): every call sees the registry as it is. Never negative.
	Refresh time.Duration
	// Outlier, when set, ejects a replica from one caller's choices after
	// ConsecutiveFailures failed calls in a row, for EjectFor (passive
	// outlier detection, per caller).
	Outlier *Outlier
	Line    int
}

// Outlier is passive outlier ejection; both settings are required:
// ConsecutiveFailures >= 1, EjectFor > 0.
type Outlier struct {
	ConsecutiveFailures int
	EjectFor            time.Duration
	Line                int
}

// Gateway configures the API gateway in front of the entry service.
type Gateway struct {
	// Policy applies to the gateway → entry edge: a declared policy
	// (shared) or one written inline; nil: none.
	Policy *Policy
	Line   int
}

// Publish modes.
const (
	PublishAck           = "ack"             // wait for the broker's ack before answering (default)
	PublishFireAndForget = "fire_and_forget" // send and answer at once; no ack awaited
)
