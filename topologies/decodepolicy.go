package topologies

import (
	"math"
	"time"
)

// Defaults of resilience policies, applied to keys a topology file leaves
// out (and by SetDefaults to zero values).
const (
	// DefaultMaxBackoffFactor gives a retry's max_backoff: this many times
	// its backoff.
	DefaultMaxBackoffFactor = 10
	// DefaultBudgetMin is the retries a retry budget always allows.
	DefaultBudgetMin      = 3
	DefaultFailureRatio   = 0.5
	DefaultBreakerWindow  = 10 * time.Second
	DefaultMinRequests    = 10
	DefaultOpenFor        = 5 * time.Second
	DefaultHalfOpenProbes = 1
)

// DefaultRetryOn returns the Connect codes a retry retries when its file
// leaves out on: unavailable, deadline_exceeded and resource_exhausted. The
// slice is the caller's.
func DefaultRetryOn() []string {
	return []string{"unavailable", "deadline_exceeded", "resource_exhausted"}
}

var (
	policyKeys   = []string{"timeout", "retry", "breaker", "bulkhead"}
	retryKeys    = []string{"max_attempts", "backoff", "max_backoff", "jitter", "on", "budget", "budget_min"}
	breakerKeys  = []string{"failure_ratio", "window", "min_requests", "open_for", "half_open_probes"}
	bulkheadKeys = []string{"max_concurrent", "max_wait"}
	gatewayKeys  = []string{"policy"}
)

// policySet holds the named policies that calls and the gateway refer to.
type policySet struct {
	byName map[string]*Policy
	// broken is set when the policies key is not a mapping: its names are
	// unknown, so no reference is reported as unknown.
	broken bool
}

// decodePolicies decodes the policies mapping, name → policy.
func decodePolicies(d *Decoder, n Node) policySet {
	names, fields, ok := d.Entries(n)
	ps := policySet{broken: !ok}
	for _, name := range names {
		p := decodePolicy(d, fields[name])
		p.Name = name
		if ps.byName == nil {
			ps.byName = map[string]*Policy{}
		}
		ps.byName[name] = p
	}
	return ps
}

// ref decodes the value of a policy key: the name of a declared policy,
// which it returns shared, or a policy written inline. It returns nil when
// there is no policy to use (the problem is reported).
func (ps policySet) ref(d *Decoder, n Node) *Policy {
	switch {
	case n.IsMapping():
		return decodePolicy(d, n)
	case n.IsScalar() && n.Value.ShortTag() != nullTag:
		if p := ps.byName[n.Value.Value]; p != nil {
			return p
		}
		if !ps.broken {
			d.Errorf(n, "unknown policy %q (%s)", n.Value.Value, declaredNames(ps.byName))
		}
		return nil
	}
	d.Errorf(n, "must be the name of a policy or a mapping, got %s", describe(n.Value))
	return nil
}

// decodePolicy decodes a policy mapping; a null or {} one is an empty
// policy, which Validate reports.
func decodePolicy(d *Decoder, n Node) *Policy {
	p := &Policy{Line: n.Line}
	m, _ := d.Mapping(n, policyKeys...)
	timeoutOK := false
	if f, ok := m["timeout"]; ok {
		p.Timeout, timeoutOK = d.Duration(f)
	}
	if f, ok := m["retry"]; ok {
		p.Retry = decodeRetry(d, f)
	}
	if f, ok := m["breaker"]; ok {
		p.Breaker = decodeBreaker(d, f)
	}
	if f, ok := m["bulkhead"]; ok {
		p.Bulkhead = decodeBulkhead(d, f)
	}
	empty := p.Timeout == 0 && p.Retry == nil && p.Breaker == nil && p.Bulkhead == nil
	if empty && n.IsMapping() && len(n.Value.Content) > 0 && !timeoutOK {
		d.quiet(n) // every key was reported (unknown, or a bad timeout): not news that it is empty
	}
	return p
}

func decodeRetry(d *Decoder, n Node) *Retry {
	r := &Retry{On: DefaultRetryOn(), Line: n.Line}
	m, ok := d.Mapping(n, retryKeys...)
	if !ok {
		return r
	}
	setRequired(d, d.Int, n, m, "max_attempts", &r.MaxAttempts, "the number of attempts, the first included (at least 2)")
	Set(d.Duration, m, "backoff", &r.Backoff)
	if r.Backoff > 0 {
		r.MaxBackoff = scale(r.Backoff, DefaultMaxBackoffFactor)
	}
	Set(d.Duration, m, "max_backoff", &r.MaxBackoff)
	Set(d.Duration, m, "jitter", &r.Jitter)
	if f, ok := m["on"]; ok {
		r.On = []string{}
		for _, item := range d.List(f) {
			code, _ := d.String(item) // "" when it fails: Validate's complaint is then dropped
			r.On = append(r.On, code)
		}
	}
	b, hasBudget := m["budget"]
	if hasBudget {
		r.BudgetMin = DefaultBudgetMin
		if v, ok := d.Float(b); ok {
			if v == 0 {
				d.Errorf(b, "must be in (0, 1], got 0 (leave budget out for no budget)")
			}
			r.Budget = v
		}
	}
	if f, ok := m["budget_min"]; ok {
		if !hasBudget {
			d.Errorf(f, "needs budget: it is the retries a budget always allows")
		} else {
			r.BudgetMin, _ = d.Int(f)
		}
	}
	return r
}

func decodeBreaker(d *Decoder, n Node) *Breaker {
	b := &Breaker{
		FailureRatio:   DefaultFailureRatio,
		Window:         DefaultBreakerWindow,
		MinRequests:    DefaultMinRequests,
		OpenFor:        DefaultOpenFor,
		HalfOpenProbes: DefaultHalfOpenProbes,
		Line:           n.Line,
	}
	m, _ := d.Mapping(n, breakerKeys...)
	Set(d.Float, m, "failure_ratio", &b.FailureRatio)
	Set(d.Duration, m, "window", &b.Window)
	Set(d.Int, m, "min_requests", &b.MinRequests)
	Set(d.Duration, m, "open_for", &b.OpenFor)
	Set(d.Int, m, "half_open_probes", &b.HalfOpenProbes)
	return b
}

func decodeBulkhead(d *Decoder, n Node) *Bulkhead {
	b := &Bulkhead{Line: n.Line}
	m, ok := d.Mapping(n, bulkheadKeys...)
	if !ok {
		return b
	}
	setRequired(d, d.Int, n, m, "max_concurrent", &b.MaxConcurrent, "the calls in flight allowed per caller replica")
	Set(d.Duration, m, "max_wait", &b.MaxWait)
	return b
}

// decodeGateway decodes the gateway mapping; its policy may name a
// declared policy.
func decodeGateway(d *Decoder, n Node, ps policySet) Gateway {
	g := Gateway{Line: n.Line}
	m, _ := d.Mapping(n, gatewayKeys...)
	if f, ok := m["policy"]; ok {
		g.Policy = ps.ref(d, f)
	}
	return g
}

// setDefaults fills the zero values of p whose zero is not valid (see
// Topology.SetDefaults). It is safe to call more than once.
func (p *Policy) setDefaults() {
	if r := p.Retry; r != nil {
		if r.MaxBackoff == 0 && r.Backoff > 0 {
			r.MaxBackoff = scale(r.Backoff, DefaultMaxBackoffFactor)
		}
		if r.On == nil {
			r.On = DefaultRetryOn()
		}
	}
	if b := p.Breaker; b != nil {
		if b.FailureRatio == 0 {
			b.FailureRatio = DefaultFailureRatio
		}
		if b.Window == 0 {
			b.Window = DefaultBreakerWindow
		}
		if b.MinRequests == 0 {
			b.MinRequests = DefaultMinRequests
		}
		if b.OpenFor == 0 {
			b.OpenFor = DefaultOpenFor
		}
		if b.HalfOpenProbes == 0 {
			b.HalfOpenProbes = DefaultHalfOpenProbes
		}
	}
}

// scale returns d·k, capped at the largest duration.
func scale(d time.Duration, k int64) time.Duration {
	if d > math.MaxInt64/time.Duration(k) {
		return math.MaxInt64
	}
	return d * time.Duration(k)
}
