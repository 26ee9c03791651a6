package topologies

import (
	"testing"
	"time"
)

// edge is a topology in which a calls b with the call written on the lines
// given (the first at line 5), and policy std declared after them.
func edge(call ...string) string {
	lines := append([]string{"entry: a", "services:", "  - name: a", "    calls:"}, call...)
	return doc(append(lines, "  - name: b", "policies:", "  std: {timeout: 1s}")...)
}

// How calls and the gateway refer to policies, named or inline.
func TestParseEdgePolicyProblems(t *testing.T) {
	cases := []struct {
		name string
		src  string
		want []problem
	}{
		{"unknown name", edge("      - {service: b, policy: strict}"),
			[]problem{{5, "services.a.calls[0].policy", `unknown policy "strict" (declared: std)`}}},
		{"unknown name, none declared", doc("entry: a", "services:", "  - name: a", "    calls:", "      - service: b", "        policy: std", "  - name: b"),
			[]problem{{6, "services.a.calls[0].policy", `unknown policy "std" (no policies are declared)`}}},
		{"unknown names listed", doc("entry: a", "services: [{name: a, calls: [{service: b, policy: x}]}, {name: b}]", "policies:", "  zeta: {timeout: 1s}", "  alpha: {timeout: 1s}"),
			[]problem{{2, "services.a.calls[0].policy", `unknown policy "x" (declared: alpha, zeta)`}}},
		{"timeout and named policy", edge("      - service: b", "        timeout: 100ms", "        policy: std"),
			[]problem{{6, "services.a.calls[0].timeout", "cannot be combined with policy: set the timeout in one place, the policy's timeout"}}},
		{"timeout and inline policy without timeout", edge("      - {service: b, timeout: 100ms, policy: {retry: {max_attempts: 2}}}"),
			[]problem{{5, "services.a.calls[0].timeout", "cannot be combined with policy"}}},
		{"timeout and unknown policy", edge("      - service: b", "        timeout: 100ms", "        policy: nope"), []problem{
			{6, "services.a.calls[0].timeout", "cannot be combined with policy"},
			{7, "services.a.calls[0].policy", `unknown policy "nope"`}}},
		{"policy null", edge("      - service: b", "        policy:"), []problem{{6, "services.a.calls[0].policy", "must be the name of a policy or a mapping, got null"}}},
		{"policy list", edge("      - {service: b, policy: [std]}"), []problem{{5, "services.a.calls[0].policy", "must be the name of a policy or a mapping, got a list"}}},
		{"inline empty", edge("      - {service: b, policy: {}}"), []problem{{5, "services.a.calls[0].policy", "empty policy"}}},
		{"inline unknown key", edge("      - service: b", "        policy:", "          timeout: 1s", "          retires: {max_attempts: 2}"),
			[]problem{{8, "services.a.calls[0].policy.retires", "unknown key (expected one of: timeout, retry, breaker, bulkhead)"}}},
		{"inline retry problem", edge("      - service: b", "        policy:", "          retry:", "            max_attempts: 3", "            on: [unavailable, late]"),
			[]problem{{9, "services.a.calls[0].policy.retry.on[1]", `unknown code "late"`}}},
		{"inline bulkhead required", edge("      - service: b", "        policy:", "          bulkhead: {max_wait: 5ms}"),
			[]problem{{7, "services.a.calls[0].policy.bulkhead.max_concurrent", "required"}}},
		{"inline negative timeout", edge("      - {service: b, policy: {timeout: -1ms}}"),
			[]problem{{5, "services.a.calls[0].policy.timeout", "must not be negative"}}},
		{"second call", edge("      - b", "      - {service: b, policy: {breaker: {window: -1s}}}"),
			[]problem{{6, "services.a.calls[1].policy.breaker.window", "must be positive, got -1s"}}},
		{"call of an unnamed service", doc("entry: a", "services:", "  - name: a", "  - calls: [{service: a, policy: x}]"), []problem{
			{4, "services[1].name", "required"},
			{4, "services[1].calls[0].policy", `unknown policy "x"`}}},

		// gateway
		{"gateway unknown policy", doc("entry: a", "services: [{name: a}]", "gateway:", "  policy: strict"),
			[]problem{{4, "gateway.policy", `unknown policy "strict" (no policies are declared)`}}},
		{"gateway inline problem", doc("entry: a", "services: [{name: a}]", "gateway:", "  policy:", "    retry: {max_attempts: 200}"),
			[]problem{{5, "gateway.policy.retry.max_attempts", "must be at most 100, got 200"}}},
		{"gateway inline empty", doc("entry: a", "services: [{name: a}]", "gateway:", "  policy: {}"), []problem{{4, "gateway.policy", "empty policy"}}},
		{"gateway unknown key", doc("entry: a", "services: [{name: a}]", "gateway: {timeout: 1s}"),
			[]problem{{3, "gateway.timeout", "unknown key (expected one of: policy)"}}},
		{"gateway scalar", doc("entry: a", "services: [{name: a}]", "gateway: std"), []problem{{3, "gateway", `must be a mapping, got "std"`}}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			top, err := Parse("t.yaml", []byte(c.src))
			if top != nil {
				t.Errorf("Parse returned a topology with an error")
			}
			checkOnly(t, err, c.want...)
		})
	}
}

// Calls that name a policy share the declared *Policy; an inline policy is
// the call's own; Timeout mirrors the policy's.
func TestParseEdgePolicies(t *testing.T) {
	top, err := Parse("t.yaml", []byte(doc(
		"entry: a",
		"gateway: {policy: std}",
		"services:",
		"  - name: a",
		"    calls:",
		"      - {service: b, policy: std}",
		"      - {service: b, policy: {retry: {max_attempts: 2}}}",
		"      - service: b",
		"        policy: {timeout: 50ms, bulkhead: {max_concurrent: 1}}",
		"      - {service: b, policy: nocap}",
		"  - name: b",
		"policies:",
		"  std: {timeout: 1s}",
		"  nocap: {breaker: {}}",
	)))
	if err != nil {
		t.Fatal(err)
	}
	std, calls := top.Policies["std"], top.Service("a").Calls
	if std == nil || top.Gateway.Policy != std || calls[0].Policy != std || top.Gateway.Line != 2 {
		t.Fatalf("std = %p, gateway = %+v, call 0 = %+v: want std shared", std, top.Gateway, calls[0])
	}
	if calls[0].Timeout != time.Second || std.Line != 13 || std.Name != "std" {
		t.Errorf("call 0 = %+v, std = %+v", calls[0], std)
	}
	if p := calls[1].Policy; p == nil || p.Name != "" || p.Line != 7 || calls[1].Timeout != 0 || p.Retry.Line != 7 {
		t.Errorf("call 1 = %+v, policy %+v", calls[1], p)
	}
	if p := calls[2].Policy; p == nil || p.Line != 9 || calls[2].Timeout != 50*time.Millisecond || p.Bulkhead.MaxConcurrent != 1 {
		t.Errorf("call 2 = %+v, policy %+v", calls[2], p)
	}
	if b := calls[3].Policy.Breaker; *b != (Breaker{0.5, 10 * time.Second, 10, 5 * time.Second, 1, 14}) || calls[3].Timeout != 0 {
		t.Errorf("breaker defaults = %+v", b)
	}
}
