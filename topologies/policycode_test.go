package topologies

import (
	"reflect"
	"strings"
	"testing"
	"time"
)

// builtInCode is a topology with policies, as code would build it: zero
// values where the file would leave keys out.
func builtInCode() *Topology {
	std := &Policy{Name: "std", Retry: &Retry{MaxAttempts: 3, Backoff: 10 * time.Millisecond, Budget: 0.1}, Breaker: &Breaker{}}
	return &Topology{
		Entry:    "a",
		Policies: map[string]*Policy{"std": std},
		Gateway:  Gateway{Policy: &Policy{Timeout: time.Second}},
		Services: []Service{
			{Name: "a", Calls: []Call{{Service: "b", Policy: std}, {Service: "b", Policy: &Policy{Timeout: time.Second}}},
				Publish: []Publish{{Subject: "x"}}},
			{Name: "b", Consume: []Consume{{Subject: "x", MaxDeliver: 3, Backoff: []time.Duration{time.Second}}}},
		},
	}
}

func TestSetDefaultsPolicies(t *testing.T) {
	top := builtInCode()
	if err := top.Validate(); err == nil {
		t.Fatal("Validate accepted a topology without defaults")
	}
	top.SetDefaults()
	if err := top.Validate(); err != nil {
		t.Fatalf("after SetDefaults: %v", err)
	}
	r := top.Policies["std"].Retry
	if r.MaxBackoff != 100*time.Millisecond || !reflect.DeepEqual(r.On, DefaultRetryOn()) || r.BudgetMin != 0 {
		t.Errorf("retry = %+v (BudgetMin is a valid zero, kept)", r)
	}
	if b := *top.Policies["std"].Breaker; b != (Breaker{0.5, 10 * time.Second, 10, 5 * time.Second, 1, 0}) {
		t.Errorf("breaker = %+v", b)
	}
	if top.Discovery.Balancer != BalanceRoundRobin || top.Services[0].Publish[0].Mode != PublishAck {
		t.Errorf("balancer %q, mode %q", top.Discovery.Balancer, top.Services[0].Publish[0].Mode)
	}
	if c := top.Services[0].Calls; c[0].Timeout != 0 || c[1].Timeout != time.Second {
		t.Errorf("call timeouts = %v, %v: want the policies'", c[0].Timeout, c[1].Timeout)
	}
	if c := top.Services[1].Consume[0]; c.DeadLetter {
		t.Errorf("DeadLetter = true: a valid zero, kept")
	}
}

func TestValidatePolicyProblemsBuiltInCode(t *testing.T) {
	ghost := &Policy{Name: "ghost", Bulkhead: &Bulkhead{MaxConcurrent: 1}}
	deadLetterOnly := Consume{Subject: "x", Group: "b", Concurrency: 1, AckWait: time.Second, DeadLetter: true}
	for _, c := range []struct {
		name   string
		change func(*Topology)
		key    string
		msg    string
	}{
		{"unknown named policy", func(t *Topology) { t.Services[0].Calls[0] = Call{Service: "b", Policy: ghost} },
			"services.a.calls[0].policy", `unknown policy "ghost" (declared: std)`},
		{"gateway unknown policy", func(t *Topology) { t.Gateway.Policy = &Policy{Name: "ghost", Timeout: 1} },
			"gateway.policy", `unknown policy "ghost"`},
		{"copy of a named policy", func(t *Topology) { t.Services[0].Calls[0].Policy = &Policy{Name: "std"} },
			"services.a.calls[0].policy", "empty policy"},
		{"timeout differs from the policy's", func(t *Topology) { t.Services[0].Calls[1].Timeout = 2 * time.Second },
			"services.a.calls[1].timeout", "is 2s but the policy's timeout is 1s: set the timeout in one place"},
		{"nil policy", func(t *Topology) { t.Policies["nil"] = nil }, "policies.nil", "no policy"},
		{"misnamed policy", func(t *Topology) { t.Policies["other"] = &Policy{Name: "std", Timeout: 1} },
			"policies.other", `the policy under "other" is named "std"`},
		{"budget NaN", func(t *Topology) { t.Policies["std"].Retry.Budget = zero / zero }, "policies.std.retry.budget", "must be in (0, 1], got NaN"},
		{"breaker ratio", func(t *Topology) { t.Policies["std"].Breaker.FailureRatio = -1 }, "policies.std.breaker.failure_ratio", "must be in (0, 1]"},
		{"empty codes", func(t *Topology) { t.Policies["std"].Retry.On = []string{} }, "policies.std.retry.on", "must list at least one code"},
		{"dead letter without max_deliver", func(t *Topology) { t.Services[1].Consume[0] = deadLetterOnly },
			"services.b.consume[0].dead_letter", "a dead letter needs max_deliver"},
		{"backoff without max_deliver", func(t *Topology) { t.Services[1].Consume[0].MaxDeliver = 0 },
			"services.b.consume[0].backoff", "needs max_deliver"},
		{"balancer", func(t *Topology) { t.Discovery.Balancer = "random" }, "discovery.balancer", `unknown balancer "random"`},
		{"outlier", func(t *Topology) { t.Discovery.Outlier = &Outlier{ConsecutiveFailures: 1} }, "discovery.outlier.eject_for", "must be positive"},
		{"publish mode", func(t *Topology) { t.Services[0].Publish[0].Mode = "sync" }, "services.a.publish[0].mode", `unknown publish mode "sync"`},
	} {
		t.Run(c.name, func(t *testing.T) {
			top := builtInCode()
			top.SetDefaults()
			c.change(top)
			err := top.Validate()
			leaves := flatten(err)
			if len(leaves) != 1 {
				t.Fatalf("got %d problems, want 1: %v", len(leaves), err)
			}
			fe, ok := leaves[0].(*FieldError)
			if !ok || fe.Line != 0 || fe.Key != c.key || !strings.Contains(fe.Msg, c.msg) {
				t.Errorf("problem = %#v, want key %q and %q", leaves[0], c.key, c.msg)
			}
		})
	}
}

// zero makes a NaN at run time.
var zero = 0.0
