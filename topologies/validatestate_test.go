package topologies

import (
	"fmt"
	"strings"
	"testing"
)

func TestStateProblems(t *testing.T) {
	without := func(role string) string { // orchestrated without the role's line
		return strings.Replace(orchestrated(), "  "+role+": "+role+"\n", "", 1)
	}
	cases := []struct {
		name string
		src  string
		want []problem
	}{
		// Decoding.
		{"unknown key", orchestrated("  stocks: 5"), []problem{{7, "state.stocks", "unknown key (expected one of: saga, order, payment, inventory, publish, consumers, amount, balance, items, stock): did you mean stock?"}}},
		{"not a mapping", doc("entry: a", "state: orchestrated", "services: [{name: a}]"), []problem{{2, "state", "must be a mapping"}}},
		{"amount not an integer", orchestrated("  amount: ten"), []problem{{7, "state.amount", `"ten" is not an integer`}}},
		{"stock not an integer", orchestrated("  stock: 1e6"), []problem{{7, "state.stock", `"1e6" is not an integer`}}},
		{"empty block", doc("entry: a", "state:", "services: [{name: a}]"), []problem{
			{2, "state.order", "required: the service that plays order (it takes the orders)"},
			{2, "state.payment", "required: the service that plays payment (it charges and refunds)"},
			{2, "state.inventory", "required: the service that plays inventory (it reserves and releases stock)"},
			{2, "state.saga", "required: orchestrated (order calls payment, then inventory) or choreographed (events)"}}},
		// Roles.
		{"role missing", without("payment"), []problem{{2, "state.payment", "required: the service that plays payment"}}},
		{"role empty", replace(orchestrated(), 6, "  inventory: ''"), []problem{{6, "state.inventory", "required: the service that plays inventory"}}},
		{"role unknown", replace(orchestrated(), 6, "  inventory: stock"), []problem{{6, "state.inventory", `unknown service "stock"`}}},
		{"role twice", replace(orchestrated(), 6, "  inventory: payment"), []problem{{6, "state.inventory", `"payment" already plays payment: the three roles need three distinct services`}}},
		{"order not the entry", replace(orchestrated(), 1, "entry: inventory"), []problem{{4, "state.order", `"order" takes the orders, so it must be the entry (entry is "inventory")`}}},
		// Settings.
		{"saga missing", strings.Replace(orchestrated(), "  saga: orchestrated\n", "", 1), []problem{{2, "state.saga", "required: orchestrated"}}},
		{"saga unknown", replace(orchestrated(), 3, "  saga: events"), []problem{{3, "state.saga", `unknown saga "events" (orchestrated or choreographed)`}}},
		{"publish unknown", choreographed("  publish: outbx"), []problem{{7, "state.publish", `unknown publish "outbx" (dual_write or outbox)`}}},
		{"consumers unknown", choreographed("  consumers: exactly_once"), []problem{{7, "state.consumers", `unknown consumers "exactly_once" (at_least_once or idempotent)`}}},
		{"outbox orchestrated", orchestrated("  publish: outbox"), []problem{{7, "state.publish", "outbox needs events: saga choreographed (the orchestrated saga publishes nothing)"}}},
		{"idempotent orchestrated", orchestrated("  consumers: idempotent"), []problem{{7, "state.consumers", "idempotent consumers need events: saga choreographed"}}},
		{"amount zero", orchestrated("  amount: 0"), []problem{{7, "state.amount", "must be positive (what payment charges per order), got 0"}}},
		{"amount negative", orchestrated("  amount: -5"), []problem{{7, "state.amount", "must be positive (what payment charges per order), got -5"}}},
		{"balance negative", orchestrated("  balance: -1"), []problem{{7, "state.balance", "must not be negative, got -1"}}},
		{"items zero", orchestrated("  items: 0"), []problem{{7, "state.items", "must be at least 1, got 0"}}},
		{"stock negative", orchestrated("  stock: -1"), []problem{{7, "state.stock", "must not be negative, got -1"}}},
		// The orchestrated saga's calls.
		{"no payment call", replace(orchestrated(), 9, "    calls: [inventory]"), []problem{{9, "services.order.calls", `the orchestrated saga charges through a call to "payment": add "- payment" under calls`}}},
		{"no calls", replace(orchestrated(), 9), []problem{{8, "services.order.calls", `the orchestrated saga charges through a call to "payment"`}}},
		{"no inventory call", replace(orchestrated(), 9, "    calls:", "      - payment"), []problem{{9, "services.order.calls", `the orchestrated saga reserves through a call to "inventory": add "- inventory" under calls, after payment`}}},
		{"reserve before charge", replace(orchestrated(), 9, "    calls:", "      - inventory", "      - payment"), []problem{{10, "services.order.calls[0].service", `the orchestrated saga charges ("payment") before it reserves ("inventory"): list payment first`}}},
		{"parallel", replace(orchestrated(), 9, "    parallel: true", "    calls: [payment, inventory]"), []problem{{9, "services.order.parallel", "parallel calls are not supported"}}},
		{"payment calls inventory", replace(orchestrated(), 10, "  - name: payment", "    calls: [inventory]"), []problem{{11, "services.payment.calls[0].service", `"inventory" plays inventory: in the orchestrated saga only the order service ("order") calls it`}}},
		{"a service calls order", orchestrated() + "  - name: audit\n    calls: [order]\n", []problem{{13, "services.audit.calls[0].service", `"order" plays order and takes the orders from clients: no service calls it`}}},
		// The choreographed saga's events.
		{"choreographed call", replace(choreographed(), 9, "    calls: [payment]", "    publish: [order.placed, order.confirmed, order.cancelled]"), []problem{{9, "services.order.calls[0].service", `"payment" plays payment: in a choreographed saga the roles talk through events, so no service calls it`}}},
		{"saga event published by another", choreographed() + "  - name: audit\n    publish: [payment.charged]\n", []problem{{18, "services.audit.publish[0].subject", `"payment.charged" is an event of the saga that only payment ("payment") publishes`}}},
		{"not a step of the role", replace(choreographed(), 16, "    consume: [payment.charged, order.placed]"), []problem{{16, "services.inventory.consume[1].subject", `"inventory" plays inventory, and "order.placed" starts none of its saga steps (payment.charged)`}}},
		{"role consumes a notification", replace(choreographed(), 13, "    consume: [order.placed, inventory.failed, order.confirmed]"), []problem{{13, "services.payment.consume[2].subject", `"order.confirmed" starts none of its saga steps (order.placed, inventory.failed)`}}},
		{"step consumed twice", replace(choreographed(), 16, "    consume: [payment.charged, {subject: payment.charged, group: again}]"), []problem{{16, "services.inventory.consume[1].subject", `"payment.charged" is consumed twice (also consume[0]): the saga step would run once per group`}}},
		{"group shared", choreographed() + "  - name: audit\n    consume: [{subject: order.placed, group: payment}]\n", []problem{{13, "services.payment.consume[0].subject", `"order.placed" shares group "payment" with service "audit": each event would reach one of them, so some orders would skip payment's step; give payment its own group`}}},
		{"outbox fire and forget", replace(choreographed("  publish: outbox"), 16, "    publish: [inventory.reserved, {subject: inventory.failed, mode: fire_and_forget}]"), []problem{{16, "services.inventory.publish[1].mode", "the outbox relay marks a row sent after the broker's ack: the saga's events need mode ack"}}},
		{"outbox without publishes", replace(choreographed("  publish: outbox"), 10), []problem{
			{7, "state.publish", `outbox needs events to publish, but the order service "order" publishes nothing`},
			{9, "services.order.publish", `the choreographed saga needs "order" (order) to publish "order.placed" (an order was placed (pending); payment charges it): add "- order.placed" under publish`},
			{13, "services.payment.consume[0].subject", `no service publishes "order.placed"`}}},
		{"missing notification", replace(choreographed(), 9, "    publish: [order.placed, order.cancelled]"), []problem{{9, "services.order.publish", `to publish "order.confirmed" (the order is confirmed (the saga's end)): add "- {subject: order.confirmed, kind: notification}" under publish`}}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := Parse("t.yaml", []byte(c.src))
			checkOnly(t, err, c.want...)
		})
	}
}

// Each publish and consume of the saga's table, left out, is named as the
// first missing piece, at the service that should declare it, and alone.
func TestSagaWiringMissing(t *testing.T) {
	for _, e := range SagaEvents() {
		for _, list := range []string{"publish", "consume"} {
			r := e.Publisher
			if list == "consume" {
				if r = e.Consumer; r == "" {
					continue
				}
			}
			t.Run(list+" "+e.Subject, func(t *testing.T) {
				src := choreographed()
				lines := strings.Split(src, "\n")
				at := 0 // the line of the role's list
				for i, l := range lines {
					if l == "  - name: "+string(r) {
						at = i + 2
						if list == "consume" {
							at++
						}
					}
				}
				old := lines[at-1]
				lines[at-1] = strings.NewReplacer("["+e.Subject+", ", "[", ", "+e.Subject+"]", "]", ", "+e.Subject+",", ",", "["+e.Subject+"]", "[]").Replace(old)
				if lines[at-1] == old {
					t.Fatalf("%s not in line %d %q", e.Subject, at, old)
				}
				_, err := Parse("t.yaml", []byte(strings.Join(lines, "\n")))
				want := problem{at, fmt.Sprintf("services.%s.%s", r, list), fmt.Sprintf("the choreographed saga needs %q (%s) to %s %q (%s): add", r, r, list, e.Subject, e.Step)}
				checkProblems(t, err, want)
				if n := strings.Count(err.Error(), "the choreographed saga needs"); n != 1 {
					t.Errorf("%d missing pieces named, want the first:\n%v", n, err)
				}
			})
		}
	}
}

// The choreographed saga's wiring goes round between services (payment ->
// inventory -> payment), which is a cycle through events for a stateless
// topology; with the state block it is the saga's table, which ends.
func TestSagaIsNoEventCycle(t *testing.T) {
	if _, err := Parse("t.yaml", []byte(choreographed())); err != nil {
		t.Fatal(err)
	}
	_, err := Parse("t.yaml", []byte(doc(append([]string{"entry: order"}, choreographedServices...)...)))
	if err == nil || !strings.Contains(err.Error(), "cycle through events") {
		t.Errorf("the same wiring without state: %v, want a cycle through events", err)
	}
	// Events of the saga's services outside the table still count.
	src := replace(choreographed(), 13, "    consume: [order.placed, inventory.failed, audit.done]") +
		"  - name: audit\n    consume: [order.placed]\n    publish: [audit.done]\n"
	src = replace(src, 12, "    publish: [payment.charged, payment.failed, payment.refunded, audit.done]")
	_, err = Parse("t.yaml", []byte(src))
	if err == nil || !strings.Contains(err.Error(), `cycle through events: payment -> "audit.done" -> payment`) {
		t.Errorf("a cycle outside the saga's table: %v", err)
	}
}

// A state block leaves the rest of the file's validation as it was: the
// problems of a stateless topology are still reported next to the state's.
func TestStateWithOtherProblems(t *testing.T) {
	src := replace(orchestrated("  amount: 0"), 12, "  - name: inventory", "    replicas: 0")
	_, err := Parse("t.yaml", []byte(src))
	checkOnly(t, err, problem{7, "state.amount", "must be positive"}, problem{13, "services.inventory.replicas", "must be at least 1"})
}
