package topologies

import (
	"reflect"
	"strings"
	"testing"
)

// TestShippedSagaTopologies reads both shipped stateful topologies and
// checks every field of their state block and the wiring their saga runs
// on.
func TestShippedSagaTopologies(t *testing.T) {
	sync, err := ReadFile("saga-sync.yaml")
	if err != nil {
		t.Fatal(err)
	}
	want := &State{Saga: SagaOrchestrated, Order: "order", Payment: "payment", Inventory: "inventory",
		Publish: PublishDualWrite, Consumers: ConsumeAtLeastOnce, Amount: 10, Balance: 1_000_000_000,
		Items: 100, Stock: 1_000_000, Line: sync.State.Line}
	if !reflect.DeepEqual(sync.State, want) || sync.State.Line == 0 {
		t.Errorf("saga-sync state = %+v, want %+v", sync.State, want)
	}
	if sync.Entry != "order" || len(sync.Services) != 3 {
		t.Errorf("saga-sync = %+v", sync)
	}
	var called []string
	for _, c := range sync.Service("order").Calls {
		called = append(called, c.Service)
		if c.Policy == nil || c.Policy != sync.Policies["step"] || c.Policy.Retry == nil {
			t.Errorf("order calls %s without the step policy", c.Service)
		}
	}
	if !reflect.DeepEqual(called, []string{"payment", "inventory"}) {
		t.Errorf("order calls %v, want payment then inventory", called)
	}
	for _, name := range []string{"payment", "inventory"} {
		if s := sync.Service(name); len(s.Calls)+len(s.Publish)+len(s.Consume) != 0 {
			t.Errorf("%s = %+v, want no calls or events", name, s)
		}
	}

	events, err := ReadFile("saga-events.yaml")
	if err != nil {
		t.Fatal(err)
	}
	want = &State{Saga: SagaChoreographed, Order: "order", Payment: "payment", Inventory: "inventory",
		Publish: PublishOutbox, Consumers: ConsumeIdempotent, Amount: 10, Balance: 1_000_000_000,
		Items: 100, Stock: 1_000_000, Line: events.State.Line}
	if !reflect.DeepEqual(events.State, want) || events.State.Line == 0 {
		t.Errorf("saga-events state = %+v, want %+v", events.State, want)
	}
	if events.Entry != "order" || len(events.Services) != 4 {
		t.Errorf("saga-events = %+v", events)
	}
	for _, e := range SagaEvents() {
		pub := events.Service(events.State.Service(e.Publisher))
		found := false
		for _, p := range pub.Publish {
			if p.Subject == e.Subject {
				found = true
				if p.Kind != e.Kind || p.Mode != PublishAck {
					t.Errorf("%s publishes %+v, want kind %s with the broker's ack", pub.Name, p, e.Kind)
				}
			}
		}
		if !found {
			t.Errorf("%s does not publish %s", pub.Name, e.Subject)
		}
		if e.Consumer == "" {
			if got := events.Subscribers()[e.Subject]; !reflect.DeepEqual(got, []string{"notification"}) {
				t.Errorf("%s is consumed by %v, want notification", e.Subject, got)
			}
			continue
		}
		if got := events.Subscribers()[e.Subject]; !reflect.DeepEqual(got, []string{string(e.Consumer)}) {
			t.Errorf("%s is consumed by %v, want %s", e.Subject, got, e.Consumer)
		}
	}
	for _, s := range events.Services {
		if len(s.Calls) != 0 {
			t.Errorf("%s calls %v: the choreographed roles talk through events", s.Name, s.Calls)
		}
		for _, c := range s.Consume {
			if c.MaxDeliver != 0 || c.DeadLetter {
				t.Errorf("%s consumes %+v: a saga step must be redelivered until it succeeds", s.Name, c)
			}
		}
	}
}

// The table of the choreographed saga: every subject once, each step's
// event published by the role that took the step before, and from
// order.placed every event is reached.
func TestSagaEvents(t *testing.T) {
	all := SagaEvents()
	if len(all) != 8 || all[0].Subject != SubjectOrderPlaced || all[0].Publisher != RoleOrder {
		t.Fatalf("SagaEvents = %+v", all)
	}
	all[0].Subject = "changed"
	if SagaEvents()[0].Subject != SubjectOrderPlaced {
		t.Error("SagaEvents returned the table itself")
	}
	seen := map[string]bool{}
	reached := map[Role]bool{RoleOrder: true}
	for _, e := range SagaEvents() {
		if seen[e.Subject] || subjectProblem(e.Subject) != "" || e.Step == "" {
			t.Errorf("bad row %+v", e)
		}
		seen[e.Subject] = true
		if !reached[e.Publisher] {
			t.Errorf("%s is published by %s, which no earlier event reaches", e.Subject, e.Publisher)
		}
		if e.Consumer != "" {
			reached[e.Consumer] = true
		}
		if (e.Consumer == "") != (e.Kind == KindNotification) {
			t.Errorf("%s: only the saga's ends are notifications without a step", e.Subject)
		}
	}
	if got := stepsOf(RoleOrder); got != "payment.failed, inventory.reserved, payment.refunded" {
		t.Errorf("order's steps = %q", got)
	}
}

func TestStateRoles(t *testing.T) {
	st := &State{Order: "o", Payment: "p", Inventory: "i"}
	for _, r := range Roles() {
		name := st.Service(r)
		if got, ok := st.Role(name); !ok || got != r {
			t.Errorf("Role(%q) = %q, %v, want %q", name, got, ok, r)
		}
	}
	if r, ok := st.Role("notification"); ok {
		t.Errorf("Role(notification) = %q", r)
	}
	if r, ok := (&State{}).Role(""); ok {
		t.Errorf("an empty state gives %q a role %q", "", r)
	}
	if st.Service("shipping") != "" {
		t.Error("an unknown role has a service")
	}
}

// roles is a state block's role lines (lines 4 to 6 after a saga line).
var roles = []string{"  order: order", "  payment: payment", "  inventory: inventory"}

// orchestrated is a valid orchestrated topology with extra lines in its
// state block (from line 7); its services start two lines after them.
func orchestrated(extra ...string) string {
	lines := append([]string{"entry: order", "state:", "  saga: orchestrated"}, roles...)
	lines = append(lines, extra...)
	return doc(append(lines, "services:",
		"  - name: order",
		"    calls: [payment, inventory]",
		"  - name: payment",
		"  - name: inventory")...)
}

// choreographed is a valid choreographed topology: state on lines 2-6,
// extra state lines from 7, then the services, the order service at
// len(extra)+8 and each following at 3 lines from the last.
func choreographed(extra ...string) string {
	lines := append([]string{"entry: order", "state:", "  saga: choreographed"}, roles...)
	lines = append(lines, extra...)
	return doc(append(lines, choreographedServices...)...)
}

var choreographedServices = []string{
	"services:",
	"  - name: order",
	"    publish: [order.placed, order.confirmed, order.cancelled]",
	"    consume: [inventory.reserved, payment.failed, payment.refunded]",
	"  - name: payment",
	"    publish: [payment.charged, payment.failed, payment.refunded]",
	"    consume: [order.placed, inventory.failed]",
	"  - name: inventory",
	"    publish: [inventory.reserved, inventory.failed]",
	"    consume: [payment.charged]",
}

// replace returns src with its line n (1-based) replaced by lines.
func replace(src string, n int, lines ...string) string {
	all := strings.Split(strings.TrimSuffix(src, "\n"), "\n")
	all = append(all[:n-1], append(lines, all[n:]...)...)
	return doc(all...)
}

func TestStateDefaults(t *testing.T) {
	for name, src := range map[string]string{"orchestrated": orchestrated(), "choreographed": choreographed()} {
		top, err := Parse("t.yaml", []byte(src))
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		want := &State{Saga: name, Order: "order", Payment: "payment", Inventory: "inventory",
			Publish: DefaultStatePublish, Consumers: DefaultConsumers, Amount: DefaultAmount,
			Balance: DefaultBalance, Items: DefaultItems, Stock: DefaultStock, Line: 2}
		if !reflect.DeepEqual(top.State, want) {
			t.Errorf("%s: state = %+v, want %+v", name, top.State, want)
		}
	}
	if DefaultStatePublish != PublishDualWrite || DefaultConsumers != ConsumeAtLeastOnce ||
		DefaultAmount != 10 || DefaultBalance != 1e9 || DefaultItems != 100 || DefaultStock != 1e6 {
		t.Error("the documented defaults changed")
	}
	top, err := Parse("t.yaml", []byte(doc("entry: a", "services: [{name: a}]")))
	if err != nil || top.State != nil {
		t.Errorf("a topology without a state block: state %+v, %v", top.State, err)
	}
	// Explicit zeros that are valid are kept.
	top, err = Parse("t.yaml", []byte(orchestrated("  balance: 0", "  stock: 0")))
	if err != nil || top.State.Balance != 0 || top.State.Stock != 0 {
		t.Errorf("balance and stock 0: %+v, %v", top.State, err)
	}
}

// SetDefaults fills a state built in code, except its balance and stock,
// whose zero is a valid choice.
func TestStateSetDefaults(t *testing.T) {
	top := &Topology{Entry: "order", Services: []Service{
		{Name: "order", Calls: []Call{{Service: "payment"}, {Service: "inventory"}}},
		{Name: "payment"}, {Name: "inventory"},
	}, State: &State{Saga: SagaOrchestrated, Order: "order", Payment: "payment", Inventory: "inventory"}}
	if err := top.Validate(); err == nil {
		t.Error("Validate accepted a state without defaults")
	}
	top.SetDefaults()
	want := State{Saga: SagaOrchestrated, Order: "order", Payment: "payment", Inventory: "inventory",
		Publish: PublishDualWrite, Consumers: ConsumeAtLeastOnce, Amount: DefaultAmount, Items: DefaultItems}
	if *top.State != want {
		t.Errorf("state = %+v, want %+v", *top.State, want)
	}
	if err := top.Validate(); err != nil {
		t.Fatalf("after SetDefaults: %v", err)
	}
	top.State.Publish = PublishOutbox
	checkOnlyKeys(t, top.Validate(), "state.publish")
}

// checkOnlyKeys asserts err holds exactly one problem per key, with those
// keys, in order.
func checkOnlyKeys(t *testing.T, err error, keys ...string) {
	t.Helper()
	leaves := flatten(err)
	var got []string
	for _, e := range leaves {
		got = append(got, e.(*FieldError).Key)
	}
	if !reflect.DeepEqual(got, keys) {
		t.Errorf("problems at %v, want %v:\n%v", got, keys, err)
	}
}
