package service

import (
	"context"
	"errors"
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
	errRate  atomic.Pointer[float64]       // nil: the service's own rate
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

// SetErrorRate overrides the replica's error rate; ClearErrorRate restores
// the service's own.
func (r *Replica) SetErrorRate(rate float64) { r.faults.errRate.Store(&rate) }

// ClearErrorRate restores the service's own error rate.
func (r *Replica) ClearErrorRate() { r.faults.errRate.Store(nil) }

func (p *processFaults) fails(s Sampler, op, attempt uint64) bool {
	if rate := p.errRate.Load(); rate != nil {
		return s.FailsAt(*rate, op, attempt)
	}
	return s.Fails(op, attempt)
}

// requestRule is an active request-level fault.
type requestRule struct {
	spec   faults.RequestSpec
	code   connect.Code
	header string // canonical header name; "" for any request
	value  string
	key    uint64 // seed-derived key of the share draw
}

// codes maps the request fault codes of a scenario to Connect codes.
var codes = map[string]connect.Code{
	"unavailable":        connect.CodeUnavailable,
	"resource_exhausted": connect.CodeResourceExhausted,
	"internal":           connect.CodeInternal,
	"deadline_exceeded":  connect.CodeDeadlineExceeded,
}

// AddRequestFault makes the replica answer a share of matching requests
// with spec's code and/or delay until the returned remove is called. Which
// requests are hit is drawn from (seed, operation), so a run is replayable.
func (r *Replica) AddRequestFault(spec faults.RequestSpec, seed uint64) (remove func()) {
	rule := &requestRule{spec: spec, code: codes[spec.Code], key: mix(seed ^ 0x5eed)}
	if rule.spec.Share <= 0 {
		rule.spec.Share = 1
	}
	if name, value, ok := strings.Cut(spec.Header, ":"); ok {
		rule.header, rule.value = http.CanonicalHeaderKey(strings.TrimSpace(name)), strings.TrimSpace(value)
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
			rules := p.requests.Load()
			if rules == nil || len(*rules) == 0 {
				return next(ctx, req)
			}
			var op uint64
			if m, ok := req.Any().(*simv1.HandleRequest); ok {
				op = m.OpId
			}
			for _, rule := range *rules {
				if !rule.matches(req, op) {
					continue
				}
				if rule.spec.Delay > 0 {
					if err := sleep(ctx, rule.spec.Delay); err != nil {
						return nil, connect.NewError(codeOfContext(err), err)
					}
				}
				if rule.spec.Code != "" {
					return nil, connect.NewError(rule.code, errRequestFault)
				}
			}
			return next(ctx, req)
		}
	}
}

func (rule *requestRule) matches(req connect.AnyRequest, op uint64) bool {
	if rule.spec.Method != "" && !strings.HasSuffix(req.Spec().Procedure, "/"+rule.spec.Method) {
		return false
	}
	if rule.header != "" && req.Header().Get(rule.header) != rule.value {
		return false
	}
	if rule.spec.Share >= 1 {
		return true
	}
	u := float64(mix(rule.key^mix(op))>>11) / (1 << 53)
	return u < rule.spec.Share
}
