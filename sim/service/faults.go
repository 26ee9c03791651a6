package service

import (
	"context"
	"errors"
	"hash/fnv"
	"math"
	"net/http"
	"slices"
	"strings"
	"sync/atomic"
	"time"

	"connectrpc.com/connect"

	"github.com/faultline-sim/faultline/faults"
	"github.com/faultline-sim/faultline/sim/rpc/simv1"
)

// processFaults holds the faults acting on one replica's process: a pause,
// a slowdown, an error-rate override and request-level faults. The zero
// value is no fault. Safe for concurrent use; the no-fault path is a few
// atomic loads.
type processFaults struct {
	paused   atomic.Pointer[chan struct{}] // closed on resume
	slow     atomic.Uint64                 // math.Float64bits of the factor; 0: none
	errRate  atomic.Pointer[errorRate]     // nil: the service's own rate
	requests atomic.Pointer[[]*requestRule]
	waiting  atomic.Int64 // steps blocked by a pause now
}

// Pause makes the replica stop making progress: requests and events wait at
// the next step (before or after their work) until Resume, with their
// sockets kept open. Pausing a paused replica is a no-op.
func (r *Replica) Pause() {
	ch := make(chan struct{})
	r.faults.paused.CompareAndSwap(nil, &ch)
}

// Resume lets a paused replica go on.
func (r *Replica) Resume() { r.faults.resume() }

func (p *processFaults) resume() {
	if ch := p.paused.Swap(nil); ch != nil {
		close(*ch)
	}
}

// waitResumed blocks while the replica is paused, or until ctx is done.
func (p *processFaults) waitResumed(ctx context.Context) error {
	ch := p.paused.Load()
	if ch == nil {
		return nil
	}
	p.waiting.Add(1)
	defer p.waiting.Add(-1)
	select {
	case <-*ch:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// SetSlow multiplies the replica's work times by factor; 1 or 0 restores
// them.
func (r *Replica) SetSlow(factor float64) {
	if factor == 1 {
		factor = 0
	}
	r.faults.slow.Store(math.Float64bits(factor))
}

func (p *processFaults) scale(d time.Duration) time.Duration {
	if f := math.Float64frombits(p.slow.Load()); f > 0 {
		return time.Duration(float64(d) * f)
	}
	return d
}

// errorRate is an error-rate override.
type errorRate struct {
	rate   float64
	sticky bool
}

// SetErrorRate overrides the replica's error rate with a transient one:
// each attempt of a call and each delivery of an event draws afresh.
// ClearErrorRate restores the service's own.
func (r *Replica) SetErrorRate(rate float64) { r.faults.errRate.Store(&errorRate{rate: rate}) }

// SetStickyErrorRate overrides the replica's error rate with a sticky one:
// the share rate of operations fails at every attempt and delivery, drawn
// from (seed, service, operation) alone. ClearErrorRate restores the
// service's own.
func (r *Replica) SetStickyErrorRate(rate float64) {
	r.faults.errRate.Store(&errorRate{rate: rate, sticky: true})
}

// ClearErrorRate restores the service's own error rate.
func (r *Replica) ClearErrorRate() { r.faults.errRate.Store(nil) }

func (p *processFaults) fails(s Sampler, op, hop, attempt uint64) bool {
	if e := p.errRate.Load(); e != nil {
		return s.FailsAt(e.rate, e.sticky, op, hop, attempt)
	}
	return s.Fails(op, hop, attempt)
}

// requestRule is an active request-level fault.
type requestRule struct {
	spec   faults.Request
	code   connect.Code
	header string // canonical header name; "" for any handling
	raw    string // the header name as written
	value  string
	key    uint64 // (seed, service)-derived key of the share draw
}

// codes maps the request fault codes of a scenario to Connect codes.
var codes = map[string]connect.Code{
	"unavailable":        connect.CodeUnavailable,
	"resource_exhausted": connect.CodeResourceExhausted,
	"internal":           connect.CodeInternal,
	"deadline_exceeded":  connect.CodeDeadlineExceeded,
}

// AddRequestFault makes the replica answer a share of matching handlings
// with spec's code and/or delay until the returned remove is called: its
// RPC requests (before the handler, capacity included) and its event
// deliveries (before the work; a failure is nakked as any failed delivery).
// Which handlings are hit is drawn from (seed, service, operation, hop,
// attempt), each attempt and delivery afresh, or from (seed, service,
// operation) when spec.Sticky, so a run is replayable.
func (r *Replica) AddRequestFault(spec faults.Request, seed uint64) (remove func()) {
	h := fnv.New64a()
	h.Write([]byte(r.cfg.Service.Name))
	rule := &requestRule{spec: spec, code: codes[spec.Code], key: mix(seed ^ 0x5eed ^ h.Sum64())}
	if rule.spec.Share <= 0 {
		rule.spec.Share = 1
	}
	if name, value, ok := strings.Cut(spec.Header, ":"); ok {
		rule.raw, rule.value = strings.TrimSpace(name), strings.TrimSpace(value)
		rule.header = http.CanonicalHeaderKey(rule.raw)
	}
	r.faults.updateRequests(func(rules []*requestRule) []*requestRule { return append(rules, rule) })
	return func() {
		r.faults.updateRequests(func(rules []*requestRule) []*requestRule {
			return slices.DeleteFunc(rules, func(x *requestRule) bool { return x == rule })
		})
	}
}

// updateRequests replaces the request rules by f of a copy of them.
func (p *processFaults) updateRequests(f func([]*requestRule) []*requestRule) {
	for {
		old := p.requests.Load()
		var rules []*requestRule
		if old != nil {
			rules = slices.Clone(*old)
		}
		rules = f(rules)
		if p.requests.CompareAndSwap(old, &rules) {
			return
		}
	}
}

var errRequestFault = errors.New("injected by a request fault")

// interceptor applies request-level faults on the callee side, before the
// handler runs.
func (p *processFaults) interceptor() connect.UnaryInterceptorFunc {
	return func(next connect.UnaryFunc) connect.UnaryFunc {
		return func(ctx context.Context, req connect.AnyRequest) (connect.AnyResponse, error) {
			if rules := p.requests.Load(); rules == nil || len(*rules) == 0 {
				return next(ctx, req)
			}
			var op, hop, attempt uint64
			if m, ok := req.Any().(*simv1.HandleRequest); ok {
				op, hop, attempt = m.OpId, m.Hop, uint64(m.Attempt)
			}
			proc := req.Spec().Procedure
			method := proc[strings.LastIndexByte(proc, '/')+1:]
			if err := p.requestFault(ctx, method, req.Header(), op, hop, max(attempt, 1)); err != nil {
				return nil, err
			}
			return next(ctx, req)
		}
	}
}

// requestFault applies the request-level faults matching one handling: name
// is the RPC method or the event's subject, header the request's or the
// message's header. It sleeps the delays of the rules that hit and returns
// the Connect error of the first one with a code (nil when none). No rule:
// one atomic load. Allocates nothing unless a rule hits with a code.
func (p *processFaults) requestFault(ctx context.Context, name string, header map[string][]string, op, hop, attempt uint64) error {
	rules := p.requests.Load()
	if rules == nil {
		return nil
	}
	for _, rule := range *rules {
		if !rule.matches(name, header, op, hop, attempt) {
			continue
		}
		if rule.spec.Delay > 0 {
			if err := sleep(ctx, rule.spec.Delay); err != nil {
				return connect.NewError(codeOfContext(err), err)
			}
		}
		if rule.spec.Code != "" {
			return connect.NewError(rule.code, errRequestFault)
		}
	}
	return nil
}

// matches reports whether the rule hits the handling named name with header
// of attempt of operation op at hop.
func (rule *requestRule) matches(name string, header map[string][]string, op, hop, attempt uint64) bool {
	if rule.spec.Method != "" && name != rule.spec.Method {
		return false
	}
	if rule.header != "" && headerValue(header, rule.raw, rule.header) != rule.value {
		return false
	}
	if rule.spec.Share >= 1 {
		return true
	}
	x := mix(rule.key ^ mix(op))
	if !rule.spec.Sticky {
		x = mix(x ^ mix(hop^mix(attempt)))
	}
	return float64(x>>11)/(1<<53) < rule.spec.Share
}

// headerValue returns the first value of header name in h, looked up as
// written and then in canonical form (NATS headers keep the case they were
// set with; HTTP ones are canonical).
func headerValue(h map[string][]string, raw, canonical string) string {
	if v := h[raw]; len(v) > 0 {
		return v[0]
	}
	if v := h[canonical]; len(v) > 0 {
		return v[0]
	}
	return ""
}
