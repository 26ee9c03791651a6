package topologies

import (
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"
)

// svc is a one-service topology whose service a has the given extra lines
// (starting at line 5).
func svc(extra ...string) string {
	return doc(append([]string{"name: t", "entry: a", "services:", "  - name: a"}, extra...)...)
}

func TestValidateProblems(t *testing.T) {
	cases := []struct {
		name string
		src  string
		want []problem
	}{
		{"missing entry", doc("services:", "  - name: a"), []problem{{1, "entry", "required"}}},
		{"unknown entry", doc("entry: b", "services:", "  - name: a"), []problem{{1, "entry", `unknown service "b"`}}},
		{"no services", doc("entry: a", "services: []"), []problem{{2, "services", "at least one service"}}},
		{"services absent", doc("entry: a"), []problem{{1, "services", "at least one service"}}},
		{"unknown call", svc("    calls: [pay]"), []problem{{5, "services.a.calls[0].service", `unknown service "pay"`}}},
		{"unknown call long form", svc("    calls:", "      - service: pay", "        timeout: 1s"), []problem{{6, "services.a.calls[0].service", `unknown service "pay"`}}},
		{"empty call", svc("    calls: ['']"), []problem{{5, "services.a.calls[0].service", "required"}}},
		{"duplicate service", doc("entry: a", "services:", "  - name: a", "  - name: b", "  - name: a"), []problem{{5, "services.a.name", `duplicate service name "a" (first at line 3)`}}},
		{"missing name", doc("entry: a", "services:", "  - name: a", "  - replicas: 2"), []problem{{4, "services[1].name", "required"}}},
		{"bad name", doc("entry: a", "services:", "  - name: a", "  - name: pay ment"), []problem{{4, "services[1].name", "not a valid name"}}},
		{"reserved name", doc("entry: a", "services:", "  - name: a", "  - name: broker"), []problem{{4, "services.broker.name", "reserved"}}},
		{"cycle", doc("entry: order", "services:", "  - name: order", "    calls: [payment]", "  - name: payment", "    calls: [inventory, order]", "  - name: inventory"),
			[]problem{{6, "services.payment.calls[1].service", "cycle of synchronous calls: order -> payment -> order"}}},
		{"self call", svc("    calls: [a]"), []problem{{5, "services.a.calls[0].service", "cycle of synchronous calls: a -> a"}}},
		{"zero replicas", svc("    replicas: 0"), []problem{{5, "services.a.replicas", "must be at least 1, got 0"}}},
		{"negative replicas", svc("    replicas: -2"), []problem{{5, "services.a.replicas", "must be at least 1, got -2"}}},
		{"negative capacity", svc("    capacity: -1"), []problem{{5, "services.a.capacity", "must not be negative"}}},
		{"error rate one", svc("    error_rate: 1"), []problem{{5, "services.a.error_rate", "must be in [0, 1), got 1"}}},
		{"error rate negative", svc("    error_rate: -0.1"), []problem{{5, "services.a.error_rate", "must be in [0, 1), got -0.1"}}},
		{"sticky without error rate", svc("    error_sticky: true"), []problem{{5, "services.a.error_sticky", "needs an error_rate above 0"}}},
		{"sticky not a boolean", svc("    error_rate: 0.1", "    error_sticky: sometimes"), []problem{{6, "services.a.error_sticky", "is not true or false"}}},
		{"p99 below p50", svc("    work:", "      p50: 5ms", "      p99: 2ms"), []problem{{7, "services.a.work.p99", "must be at least p50 (5ms), got 2ms"}}},
		{"ack wait zero", svc("    publish: [x]", "    consume:", "      - subject: x", "        ack_wait: 0s"), []problem{{8, "services.a.consume[0].ack_wait", "must be positive, got 0s"}}},
		{"ack wait negative", svc("    publish: [x]", "    consume: [{subject: x, ack_wait: -1s}]"), []problem{{6, "services.a.consume[0].ack_wait", "must be positive, got -1s"}}},
		{"concurrency zero", svc("    publish: [x]", "    consume:", "      - subject: x", "        concurrency: 0"), []problem{{8, "services.a.consume[0].concurrency", "must be at least 1, got 0"}}},
		{"max deliver negative", svc("    publish: [x]", "    consume: [{subject: x, max_deliver: -1}]"), []problem{{6, "services.a.consume[0].max_deliver", "must not be negative"}}},
		{"unpublished subject", svc("    consume:", "      - orders.placed"), []problem{{6, "services.a.consume[0].subject", `no service publishes "orders.placed"`}}},
		{"duplicate consume", svc("    publish: [x]", "    consume: [x, {subject: x, group: a}]"), []problem{{6, "services.a.consume[1].subject", "already consumed by this service"}}},
		{"bad group", svc("    publish: [x]", "    consume: [{subject: x, group: a.b}]"), []problem{{6, "services.a.consume[0].group", "not a valid group name"}}},
		{"unknown kind", svc("    publish:", "      - subject: x", "        kind: command"), []problem{{7, "services.a.publish[0].kind", `unknown event kind "command"`}}},
		{"schema zero", svc("    publish:", "      - {subject: x, schema: 0}"), []problem{{6, "services.a.publish[0].schema", "must be at least 1, got 0"}}},
		{"empty subject", svc("    publish:", "      - {subject: '', kind: domain}"), []problem{{6, "services.a.publish[0].subject", "required"}}},
		{"subject with space", svc("    publish: ['orders placed']"), []problem{{5, "services.a.publish[0].subject", "must not contain spaces"}}},
		{"wildcard subject", svc("    publish: [orders.*]", "    consume: [orders.>]"), []problem{
			{5, "services.a.publish[0].subject", "must not contain wildcards"},
			{6, "services.a.consume[0].subject", "must not contain wildcards"}}},
		{"empty token", svc("    publish: [orders..placed]"), []problem{{5, "services.a.publish[0].subject", "empty tokens"}}},
		{"bad protocol", doc("entry: a", "wire: {protocol: grpcweb}", "services: [{name: a}]"), []problem{{2, "wire.protocol", `unknown protocol "grpcweb"`}}},
		{"bad http", doc("entry: a", "wire:", "  http: h3", "services: [{name: a}]"), []problem{{3, "wire.http", `unknown HTTP version "h3"`}}},
		{"grpc over http1", doc("entry: a", "wire: {protocol: grpc, http: http1}", "services: [{name: a}]"), []problem{{2, "wire.http", "needs HTTP/2"}}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := Parse("t.yaml", []byte(c.src))
			checkProblems(t, err, c.want...)
		})
	}
}

// Every problem in a file is reported at once, decode and validation
// problems together, in line order.
func TestParseReportsEveryProblem(t *testing.T) {
	_, err := Parse("t.yaml", []byte(doc(
		"entry: order", // 1
		"colour: blue", // 2
		"services:",    // 3
		"  - name: order",
		"    replicas: 0",     // 5
		"    work: 10 ms",     // 6
		"    calls: [paymnt]", // 7
		"  - name: payment",
		"    error_rate: 2", // 9
		"    consume:",
		"      - {subject: orders.placed, concurrency: 0}", // 11
	)))
	want := []problem{
		{2, "colour", "unknown key"},
		{5, "services.order.replicas", "must be at least 1"},
		{6, "services.order.work", `"10 ms" is not a duration`},
		{7, "services.order.calls[0].service", `unknown service "paymnt"`},
		{9, "services.payment.error_rate", "must be in [0, 1)"},
		{11, "services.payment.consume[0].subject", "no service publishes"},
		{11, "services.payment.consume[0].concurrency", "must be at least 1"},
	}
	checkProblems(t, err, want...)
	leaves := flatten(err)
	if len(leaves) != len(want) {
		t.Fatalf("got %d problems, want %d:\n%v", len(leaves), len(want), err)
	}
	for i, e := range leaves {
		if !strings.HasPrefix(e.Error(), want[i].prefix()) {
			t.Errorf("problem %d = %q, want it to start with %q (line order)", i, e, want[i].prefix())
		}
	}
}

func TestShippedTopologies(t *testing.T) {
	ms := time.Millisecond
	sync, err := ReadFile("order-sync.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if sync.Name != "order-sync" || sync.Entry != "order" || sync.Wire != (Wire{ProtocolConnect, H2C}) {
		t.Errorf("order-sync = %+v", sync)
	}
	chain := map[string]string{"order": "payment", "payment": "inventory", "inventory": ""}
	for _, s := range sync.Services {
		next, ok := chain[s.Name]
		if !ok || s.Replicas != 2 || s.ErrorRate != 0 || len(s.Publish)+len(s.Consume) != 0 {
			t.Errorf("order-sync service %+v", s)
		}
		if (next == "") != (len(s.Calls) == 0) || next != "" && s.Calls[0].Service != next {
			t.Errorf("%s calls %+v, want %q", s.Name, s.Calls, next)
		}
	}
	if w := sync.Service("payment").Work; w != (Dist{5 * ms, 150 * ms}) {
		t.Errorf("payment work = %v", w)
	}

	events, err := ReadFile("order-events.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if events.Entry != "order" || len(events.Services) != 4 {
		t.Errorf("order-events = %+v", events)
	}
	if got := events.Subjects(); !reflect.DeepEqual(got, []string{"orders.placed"}) {
		t.Errorf("Subjects = %v", got)
	}
	want := map[string][]string{"orders.placed": {"payment", "inventory", "notification"}}
	if got := events.Subscribers(); !reflect.DeepEqual(got, want) {
		t.Errorf("Subscribers = %v, want %v", got, want)
	}
	if p := events.Service("order").Publish; len(p) != 1 || p[0].Kind != KindDomain || p[0].Schema != 1 {
		t.Errorf("order publishes %+v", p)
	}
	for _, s := range events.Services {
		if s.Replicas != 2 || len(s.Calls) != 0 {
			t.Errorf("order-events service %+v", s)
		}
		for _, c := range s.Consume {
			// Little's law: replicas x concurrency must cover 5,000 events/s
			// at the service's mean work time (lognormal mean = p50 x
			// exp(sigma^2/2), about 3 x p50 for payment's tail).
			need := 5000 * 3 * s.Work.P50.Seconds()
			if float64(s.Replicas*c.Concurrency) < need {
				t.Errorf("%s: %d x %d slots cannot keep up (need %.0f)", s.Name, s.Replicas, c.Concurrency, need)
			}
		}
	}
	if w := events.Service("payment").Work; w != (Dist{5 * ms, 150 * ms}) {
		t.Errorf("payment work = %v", w)
	}
}

func TestValidateBuiltInCode(t *testing.T) {
	top := &Topology{Entry: "a", Services: []Service{
		{Name: "a", Calls: []Call{{Service: "b"}}, Publish: []Publish{{Subject: "x"}}},
		{Name: "b", Consume: []Consume{{Subject: "x"}}},
	}}
	if err := top.Validate(); err == nil {
		t.Error("Validate accepted a topology without defaults")
	}
	top.SetDefaults()
	if err := top.Validate(); err != nil {
		t.Fatalf("after SetDefaults: %v", err)
	}
	if c := top.Services[1].Consume[0]; c.Group != "b" || c.Concurrency != 1 || c.AckWait != 30*time.Second {
		t.Errorf("consume defaults = %+v", c)
	}
	top.Services[1].Calls = []Call{{Service: "a"}}
	err := top.Validate()
	var fe *FieldError
	if !errors.As(err, &fe) || fe.Line != 0 || fe.Key != "services.b.calls[0].service" || !strings.Contains(fe.Msg, "a -> b -> a") {
		t.Errorf("cycle problem = %v", err)
	}
}

func TestShippedResilientTopology(t *testing.T) {
	ms := time.Millisecond
	sync, err := ReadFile("order-sync.yaml")
	if err != nil {
		t.Fatal(err)
	}
	top, err := ReadFile("order-sync-resilient.yaml")
	if err != nil {
		t.Fatal(err)
	}
	std := top.Policies["standard"]
	want := &Policy{Name: "standard", Timeout: 300 * ms, Line: std.Line,
		Retry: &Retry{MaxAttempts: 3, Backoff: 20 * ms, MaxBackoff: 200 * ms, Jitter: 20 * ms,
			On: DefaultRetryOn(), Budget: 0.2, BudgetMin: DefaultBudgetMin, Line: std.Retry.Line},
		Breaker: &Breaker{DefaultFailureRatio, DefaultBreakerWindow, DefaultMinRequests, DefaultOpenFor,
			DefaultHalfOpenProbes, std.Breaker.Line},
		Bulkhead: &Bulkhead{MaxConcurrent: 64, Line: std.Bulkhead.Line},
	}
	if len(top.Policies) != 1 || !reflect.DeepEqual(std, want) {
		t.Errorf("policies = %+v, standard = %+v", top.Policies, std)
	}
	if len(top.Services) != len(sync.Services) || top.Entry != sync.Entry || top.Wire != sync.Wire {
		t.Fatalf("order-sync-resilient = %+v, want the services of order-sync", top)
	}
	for i, s := range top.Services {
		same := sync.Services[i]
		if s.Name != same.Name || s.Replicas != same.Replicas || s.Work != same.Work || len(s.Calls) != len(same.Calls) {
			t.Errorf("service %+v, want as in order-sync: %+v", s, same)
			continue
		}
		for j, c := range s.Calls {
			if c.Service != same.Calls[j].Service || c.Policy != std || c.Timeout != 300*ms {
				t.Errorf("%s calls %+v, want %s with the standard policy", s.Name, c, same.Calls[j].Service)
			}
		}
	}
}
