package topologies

import "testing"

// pol is a topology in which a calls b with policy p, followed by lines
// (starting at line 6) that declare the policies.
func pol(lines ...string) string {
	return doc(append([]string{
		"entry: a",
		"services:",
		"  - {name: a, calls: [{service: b, policy: p}]}",
		"  - name: b",
		"policies:",
	}, lines...)...)
}

// Every rule of a named policy, reported at its line and key, and nothing
// else.
func TestParsePolicyProblems(t *testing.T) {
	cases := []struct {
		name string
		src  string
		want []problem
	}{
		// The policy itself.
		{"null policy", pol("  p:"), []problem{{6, "policies.p", "empty policy: set a timeout, retry, breaker or bulkhead"}}},
		{"empty mapping", pol("  p: {}"), []problem{{6, "policies.p", "empty policy"}}},
		{"zero timeout only", pol("  p: {timeout: 0s}"), []problem{{6, "policies.p", "empty policy"}}},
		{"policy scalar", pol("  p: strict"), []problem{{6, "policies.p", `must be a mapping, got "strict"`}}},
		{"policies list", doc("entry: a", "services:", "  - {name: a, calls: [{service: b, policy: p}]}", "  - name: b", "policies: [p]"),
			[]problem{{5, "policies", "must be a mapping, got a list"}}},
		{"unknown policy key", pol("  p:", "    timeout: 1s", "    retries: 3"),
			[]problem{{8, "policies.p.retries", "unknown key (expected one of: timeout, retry, breaker, bulkhead)"}}},
		{"only an unknown key", pol("  p: {retries: 3}"), []problem{{6, "policies.p.retries", "unknown key"}}},
		{"timeout not a duration", pol("  p:", "    timeout: fast"), []problem{{7, "policies.p.timeout", `"fast" is not a duration`}}},
		{"negative timeout", pol("  p:", "    timeout: -1s"), []problem{{7, "policies.p.timeout", "must not be negative (0: the caller's deadline only), got -1s"}}},
		{"bad policy name", pol("  p: {timeout: 1s}", "  bad.name: {timeout: 1s}"), []problem{{7, "policies.bad.name", `"bad.name" is not a valid policy name`}}},
		{"bad policy name and content", pol("  p: {timeout: 1s}", "  'a b':", "    bulkhead: {max_concurrent: 0}"), []problem{
			{7, "policies.a b", `"a b" is not a valid policy name`},
			{8, "policies.a b.bulkhead.max_concurrent", "must be at least 1"}}},
		{"duplicate policy", pol("  p: {timeout: 1s}", "  p: {timeout: 2s}"), []problem{{7, "policies.p", "duplicate key (first at line 6)"}}},

		// retry
		{"max_attempts missing", pol("  p:", "    retry: {backoff: 10ms}"), []problem{{7, "policies.p.retry.max_attempts", "required"}}},
		{"retry null", pol("  p:", "    retry:"), []problem{{7, "policies.p.retry.max_attempts", "required"}}},
		{"retry scalar", pol("  p:", "    retry: 3"), []problem{{7, "policies.p.retry", `must be a mapping, got "3"`}}},
		{"retry unknown key", pol("  p:", "    retry: {max_attempts: 3, retry_on: [internal]}"),
			[]problem{{7, "policies.p.retry.retry_on", "unknown key (expected one of: max_attempts, backoff, max_backoff, jitter, on, budget, budget_min)"}}},
		{"max_attempts 1", pol("  p:", "    retry:", "      max_attempts: 1"), []problem{{8, "policies.p.retry.max_attempts", "must be at least 2 (the first attempt counts), got 1"}}},
		{"max_attempts 0", pol("  p:", "    retry: {max_attempts: 0}"), []problem{{7, "policies.p.retry.max_attempts", "must be at least 2"}}},
		{"max_attempts 101", pol("  p:", "    retry:", "      max_attempts: 101"), []problem{{8, "policies.p.retry.max_attempts", "must be at most 100, got 101"}}},
		{"max_attempts not int", pol("  p:", "    retry:", "      max_attempts: three"), []problem{{8, "policies.p.retry.max_attempts", `"three" is not an integer`}}},
		{"negative backoff", pol("  p:", "    retry:", "      max_attempts: 3", "      backoff: -1ms"),
			[]problem{{9, "policies.p.retry.backoff", "must not be negative (0: retry at once), got -1ms"}}},
		{"max_backoff below backoff", pol("  p:", "    retry:", "      max_attempts: 3", "      backoff: 10ms", "      max_backoff: 5ms"),
			[]problem{{10, "policies.p.retry.max_backoff", "must be at least backoff (10ms), got 5ms"}}},
		{"negative max_backoff", pol("  p:", "    retry: {max_attempts: 3, max_backoff: -1ms}"),
			[]problem{{7, "policies.p.retry.max_backoff", "must be at least backoff (0s), got -1ms"}}},
		{"negative jitter", pol("  p:", "    retry:", "      max_attempts: 3", "      jitter: -1ms"), []problem{{9, "policies.p.retry.jitter", "must not be negative, got -1ms"}}},
		{"unknown code", pol("  p:", "    retry: {max_attempts: 3, on: [unavailable, timeout]}"),
			[]problem{{7, "policies.p.retry.on[1]", `unknown code "timeout" (expected one of: canceled, unknown, invalid_argument, deadline_exceeded, not_found, already_exists, permission_denied, resource_exhausted, failed_precondition, aborted, out_of_range, unimplemented, internal, unavailable, data_loss, unauthenticated)`}}},
		{"code in capitals", pol("  p:", "    retry:", "      max_attempts: 3", "      on:", "        - unavailable", "        - Unavailable"),
			[]problem{{11, "policies.p.retry.on[1]", `unknown code "Unavailable"`}}},
		{"code twice", pol("  p:", "    retry:", "      max_attempts: 3", "      on:", "        - internal", "        - aborted", "        - internal"),
			[]problem{{12, "policies.p.retry.on[2]", `"internal" is listed twice`}}},
		{"no codes", pol("  p:", "    retry:", "      max_attempts: 3", "      on: []"), []problem{{9, "policies.p.retry.on", "must list at least one code to retry"}}},
		{"codes null", pol("  p:", "    retry:", "      max_attempts: 3", "      on:"), []problem{{9, "policies.p.retry.on", "must list at least one code"}}},
		{"codes scalar", pol("  p:", "    retry:", "      max_attempts: 3", "      on: unavailable"), []problem{{9, "policies.p.retry.on", `must be a list, got "unavailable"`}}},
		{"code a mapping", pol("  p:", "    retry:", "      max_attempts: 3", "      on: [{code: internal}]"), []problem{{9, "policies.p.retry.on[0]", "must be a string, got a mapping"}}},
		{"budget zero", pol("  p:", "    retry:", "      max_attempts: 3", "      budget: 0"),
			[]problem{{9, "policies.p.retry.budget", "must be in (0, 1], got 0 (leave budget out for no budget)"}}},
		{"budget above 1", pol("  p:", "    retry:", "      max_attempts: 3", "      budget: 1.5"), []problem{{9, "policies.p.retry.budget", "must be in (0, 1], got 1.5"}}},
		{"budget negative", pol("  p:", "    retry:", "      max_attempts: 3", "      budget: -0.1"), []problem{{9, "policies.p.retry.budget", "must be in (0, 1], got -0.1"}}},
		{"budget not a number", pol("  p:", "    retry:", "      max_attempts: 3", "      budget: 20%"), []problem{{9, "policies.p.retry.budget", `"20%" is not a finite number`}}},
		{"budget_min without budget", pol("  p:", "    retry:", "      max_attempts: 3", "      budget_min: 5"), []problem{{9, "policies.p.retry.budget_min", "needs budget"}}},
		{"budget_min negative", pol("  p:", "    retry:", "      max_attempts: 3", "      budget: 0.1", "      budget_min: -1"),
			[]problem{{10, "policies.p.retry.budget_min", "must not be negative, got -1"}}},

		// breaker
		{"breaker scalar", pol("  p:", "    breaker: on"), []problem{{7, "policies.p.breaker", `must be a mapping, got "on"`}}},
		{"breaker unknown key", pol("  p:", "    breaker: {ratio: 0.5}"),
			[]problem{{7, "policies.p.breaker.ratio", "unknown key (expected one of: failure_ratio, window, min_requests, open_for, half_open_probes)"}}},
		{"failure_ratio 0", pol("  p:", "    breaker:", "      failure_ratio: 0"), []problem{{8, "policies.p.breaker.failure_ratio", "must be in (0, 1], got 0"}}},
		{"failure_ratio above 1", pol("  p:", "    breaker:", "      failure_ratio: 1.01"), []problem{{8, "policies.p.breaker.failure_ratio", "must be in (0, 1], got 1.01"}}},
		{"window 0", pol("  p:", "    breaker:", "      window: 0s"), []problem{{8, "policies.p.breaker.window", "must be positive, got 0s"}}},
		{"window not a duration", pol("  p:", "    breaker:", "      window: 10"), []problem{{8, "policies.p.breaker.window", `"10" is not a duration`}}},
		{"min_requests 0", pol("  p:", "    breaker:", "      min_requests: 0"), []problem{{8, "policies.p.breaker.min_requests", "must be at least 1, got 0"}}},
		{"open_for negative", pol("  p:", "    breaker:", "      open_for: -1s"), []problem{{8, "policies.p.breaker.open_for", "must be positive, got -1s"}}},
		{"half_open_probes 0", pol("  p:", "    breaker:", "      half_open_probes: 0"), []problem{{8, "policies.p.breaker.half_open_probes", "must be at least 1, got 0"}}},

		// bulkhead
		{"bulkhead null", pol("  p:", "    bulkhead:"), []problem{{7, "policies.p.bulkhead.max_concurrent", "required"}}},
		{"max_concurrent missing", pol("  p:", "    bulkhead: {max_wait: 1ms}"), []problem{{7, "policies.p.bulkhead.max_concurrent", "required"}}},
		{"max_concurrent 0", pol("  p:", "    bulkhead:", "      max_concurrent: 0"), []problem{{8, "policies.p.bulkhead.max_concurrent", "must be at least 1, got 0"}}},
		{"max_concurrent not int", pol("  p:", "    bulkhead:", "      max_concurrent: many"), []problem{{8, "policies.p.bulkhead.max_concurrent", `"many" is not an integer`}}},
		{"max_wait negative", pol("  p:", "    bulkhead:", "      max_concurrent: 4", "      max_wait: -1ms"),
			[]problem{{9, "policies.p.bulkhead.max_wait", "must not be negative, got -1ms"}}},
		{"bulkhead unknown key", pol("  p:", "    bulkhead: {max_concurrent: 4, queue: 8}"),
			[]problem{{7, "policies.p.bulkhead.queue", "unknown key (expected one of: max_concurrent, max_wait)"}}},

		// Several at once, each once, although two calls use the policy.
		{"several", doc(
			"entry: a",
			"services:",
			"  - {name: a, calls: [{service: b, policy: p}, {service: c, policy: p}]}",
			"  - name: b",
			"  - name: c",
			"policies:",
			"  p:",
			"    timeout: -5ms", // 8
			"    retry: {max_attempts: 1, jitter: -1ms}",      // 9
			"    breaker: {failure_ratio: 2, window: 0s}",     // 10
			"    bulkhead: {max_concurrent: 0, max_wait: 1s}", // 11
		), []problem{
			{8, "policies.p.timeout", "must not be negative"},
			{9, "policies.p.retry.max_attempts", "must be at least 2"},
			{9, "policies.p.retry.jitter", "must not be negative"},
			{10, "policies.p.breaker.failure_ratio", "must be in (0, 1]"},
			{10, "policies.p.breaker.window", "must be positive"},
			{11, "policies.p.bulkhead.max_concurrent", "must be at least 1"},
		}},
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

// A declared policy that no call uses is fine.
func TestParseUnusedPolicy(t *testing.T) {
	top, err := Parse("t.yaml", []byte(doc("entry: a", "services: [{name: a}]", "policies:", "  spare: {timeout: 1s}")))
	if err != nil {
		t.Fatal(err)
	}
	if p := top.Policies["spare"]; p == nil || p.Name != "spare" || p.Line != 4 {
		t.Errorf("policies = %+v", top.Policies)
	}
}
