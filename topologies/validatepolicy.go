package topologies

import (
	"fmt"
	"slices"
	"sort"
	"strings"
)

// Bounds of a retry's max_attempts.
const (
	MinRetryAttempts = 2
	MaxRetryAttempts = 100
)

// codeNames are the names of the Connect error codes a retry may retry, as
// connect.Code writes and reads them.
var codeNames = []string{
	"canceled", "unknown", "invalid_argument", "deadline_exceeded", "not_found",
	"already_exists", "permission_denied", "resource_exhausted", "failed_precondition",
	"aborted", "out_of_range", "unimplemented", "internal", "unavailable", "data_loss",
	"unauthenticated",
}

// policies checks the named policies, by name so that problems without a
// line come in a stable order, and the gateway's policy.
func (v *validator) policies() {
	names := make([]string, 0, len(v.t.Policies))
	for name := range v.t.Policies {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		p, id := v.t.Policies[name], "policies."+name
		if !ValidName(name) {
			v.fail(v.line(0, id), id, "%q is not a valid policy name (letters, digits, '-' and '_')", name)
		}
		switch {
		case p == nil:
			v.fail(v.line(0, id), id, "no policy")
		case p.Name != name:
			v.fail(v.line(p.Line, id), id, "the policy under %q is named %q", name, p.Name)
		default:
			v.policy(p, id, id)
		}
	}
	if p := v.t.Gateway.Policy; p != nil {
		v.edgePolicy(p, "gateway.policy", "gateway.policy", v.t.Gateway.Line)
	}
}

// edgePolicy checks the policy of one edge: in full when written inline,
// for being declared when named (declared ones are checked once, under
// policies). id locates it in the decoder's lines, path names it in
// messages, line is the edge's.
func (v *validator) edgePolicy(p *Policy, id, path string, line int) {
	switch declared := v.t.Policies[p.Name]; {
	case p.Name == "":
		v.policy(p, id, path)
	case declared == nil:
		v.fail(v.line(line, id), path, "unknown policy %q (%s)", p.Name, declaredNames(v.t.Policies))
	case declared != p:
		v.policy(p, id, path)
	}
}

// declaredNames lists the names of policies for messages.
func declaredNames(policies map[string]*Policy) string {
	if len(policies) == 0 {
		return "no policies are declared"
	}
	names := make([]string, 0, len(policies))
	for name := range policies {
		names = append(names, name)
	}
	sort.Strings(names)
	return "declared: " + strings.Join(names, ", ")
}

// policy checks one policy and its parts.
func (v *validator) policy(p *Policy, id, path string) {
	if p.Timeout == 0 && p.Retry == nil && p.Breaker == nil && p.Bulkhead == nil {
		v.fail(v.line(p.Line, id), path, "empty policy: set a timeout, retry, breaker or bulkhead")
		return
	}
	if p.Timeout < 0 {
		v.fail(v.line(p.Line, id+".timeout", id), path+".timeout", "must not be negative (0: the caller's deadline only), got %s", p.Timeout)
	}
	if p.Retry != nil {
		v.retry(p.Retry, id+".retry", path+".retry")
	}
	if b := p.Breaker; b != nil {
		bid, bp := id+".breaker", path+".breaker"
		at := func(key string) int { return v.line(b.Line, bid+"."+key, bid) }
		if !(b.FailureRatio > 0 && b.FailureRatio <= 1) {
			v.fail(at("failure_ratio"), bp+".failure_ratio", "must be in (0, 1], got %v", b.FailureRatio)
		}
		if b.Window <= 0 {
			v.fail(at("window"), bp+".window", "must be positive, got %s", b.Window)
		}
		if b.MinRequests < 1 {
			v.fail(at("min_requests"), bp+".min_requests", "must be at least 1, got %d", b.MinRequests)
		}
		if b.OpenFor <= 0 {
			v.fail(at("open_for"), bp+".open_for", "must be positive, got %s", b.OpenFor)
		}
		if b.HalfOpenProbes < 1 {
			v.fail(at("half_open_probes"), bp+".half_open_probes", "must be at least 1, got %d", b.HalfOpenProbes)
		}
	}
	if b := p.Bulkhead; b != nil {
		bid, bp := id+".bulkhead", path+".bulkhead"
		at := func(key string) int { return v.line(b.Line, bid+"."+key, bid) }
		if b.MaxConcurrent < 1 {
			v.fail(at("max_concurrent"), bp+".max_concurrent", "must be at least 1, got %d", b.MaxConcurrent)
		}
		if b.MaxWait < 0 {
			v.fail(at("max_wait"), bp+".max_wait", "must not be negative, got %s", b.MaxWait)
		}
	}
}

func (v *validator) retry(r *Retry, id, path string) {
	at := func(key string) int { return v.line(r.Line, id+"."+key, id) }
	switch {
	case r.MaxAttempts < MinRetryAttempts:
		v.fail(at("max_attempts"), path+".max_attempts", "must be at least %d (the first attempt counts), got %d", MinRetryAttempts, r.MaxAttempts)
	case r.MaxAttempts > MaxRetryAttempts:
		v.fail(at("max_attempts"), path+".max_attempts", "must be at most %d, got %d", MaxRetryAttempts, r.MaxAttempts)
	}
	if r.Backoff < 0 {
		v.fail(at("backoff"), path+".backoff", "must not be negative (0: retry at once), got %s", r.Backoff)
	} else if r.MaxBackoff < r.Backoff {
		v.fail(at("max_backoff"), path+".max_backoff", "must be at least backoff (%s), got %s", r.Backoff, r.MaxBackoff)
	}
	if r.Jitter < 0 {
		v.fail(at("jitter"), path+".jitter", "must not be negative, got %s", r.Jitter)
	}
	if len(r.On) == 0 {
		v.fail(at("on"), path+".on", "must list at least one code to retry")
	}
	for k, code := range r.On {
		item := fmt.Sprintf(".on[%d]", k)
		line := v.line(r.Line, id+item, id+".on", id)
		switch {
		case !slices.Contains(codeNames, code):
			v.fail(line, path+item, "unknown code %q (expected one of: %s)", code, strings.Join(codeNames, ", "))
		case slices.Index(r.On, code) < k:
			v.fail(line, path+item, "%q is listed twice", code)
		}
	}
	if r.Budget != 0 && !(r.Budget > 0 && r.Budget <= 1) { // 0: no budget
		v.fail(at("budget"), path+".budget", "must be in (0, 1], got %v", r.Budget)
	}
	if r.BudgetMin < 0 {
		v.fail(at("budget_min"), path+".budget_min", "must not be negative, got %d", r.BudgetMin)
	}
}
