package topologies

import "fmt"

// roleJobs says what each role does, for messages.
var roleJobs = map[Role]string{
	RoleOrder:     "takes the orders",
	RolePayment:   "charges and refunds",
	RoleInventory: "reserves and releases stock",
}

// state checks the state block of a stateful topology: the three roles
// (required, existing, distinct; the order service is the entry), the
// saga kind, publish and consumers (the latter two choreographed only),
// the amounts, which calls may reach a role's service, and the calls or
// event wiring the saga runs on (see orchestrated and choreographed).
func (v *validator) state(first map[string]int) {
	st := v.t.State
	if st == nil {
		return
	}
	at := func(key string) int { return v.line(st.Line, "state."+key, "state") }
	rolesOK := true
	played := map[string]Role{}
	for _, r := range Roles() {
		name, key := st.Service(r), "state."+string(r)
		_, exists := first[name]
		switch {
		case name == "":
			v.fail(at(string(r)), key, "required: the service that plays %s (it %s)", r, roleJobs[r])
		case !exists:
			v.fail(at(string(r)), key, "unknown service %q", name)
		case played[name] != "":
			v.fail(at(string(r)), key, "%q already plays %s: the three roles need three distinct services", name, played[name])
		default:
			played[name] = r
			continue
		}
		rolesOK = false
	}
	switch st.Saga {
	case SagaOrchestrated, SagaChoreographed:
	case "":
		v.fail(at("saga"), "state.saga", "required: %s (order calls payment, then inventory) or %s (events)", SagaOrchestrated, SagaChoreographed)
	default:
		v.fail(at("saga"), "state.saga", "unknown saga %q (%s or %s)", st.Saga, SagaOrchestrated, SagaChoreographed)
	}
	switch st.Publish {
	case PublishDualWrite:
	case PublishOutbox:
		if st.Saga == SagaOrchestrated {
			v.fail(at("publish"), "state.publish", "%s needs events: saga %s (the orchestrated saga publishes nothing)", PublishOutbox, SagaChoreographed)
		}
	default:
		v.fail(at("publish"), "state.publish", "unknown publish %q (%s or %s)", st.Publish, PublishDualWrite, PublishOutbox)
	}
	switch st.Consumers {
	case ConsumeAtLeastOnce:
	case ConsumeIdempotent:
		if st.Saga == SagaOrchestrated {
			v.fail(at("consumers"), "state.consumers", "%s consumers need events: saga %s (the orchestrated saga's calls carry an idempotency key instead)", ConsumeIdempotent, SagaChoreographed)
		}
	default:
		v.fail(at("consumers"), "state.consumers", "unknown consumers %q (%s or %s)", st.Consumers, ConsumeAtLeastOnce, ConsumeIdempotent)
	}
	if st.Amount <= 0 {
		v.fail(at("amount"), "state.amount", "must be positive (what payment charges per order), got %d", st.Amount)
	}
	if st.Balance < 0 {
		v.fail(at("balance"), "state.balance", "must not be negative, got %d", st.Balance)
	}
	if st.Items < 1 {
		v.fail(at("items"), "state.items", "must be at least 1, got %d", st.Items)
	}
	if st.Stock < 0 {
		v.fail(at("stock"), "state.stock", "must not be negative, got %d", st.Stock)
	}
	if !rolesOK {
		return // what follows needs the three services
	}
	if v.t.Entry != "" && v.t.Entry != st.Order {
		v.fail(at("order"), "state.order", "%q takes the orders, so it must be the entry (entry is %q)", st.Order, v.t.Entry)
	}
	v.roleCalls(played)
	switch st.Saga {
	case SagaOrchestrated:
		v.orchestrated(first[st.Order])
	case SagaChoreographed:
		v.choreographed(first, played)
	}
}

// roleCalls reports every call that reaches a role's service other than
// the orchestrated saga's own (order to payment and to inventory): the
// roles' state changes only on the saga's steps.
func (v *validator) roleCalls(played map[string]Role) {
	st := v.t.State
	for i, s := range v.t.Services {
		for j, c := range s.Calls {
			r, ok := played[c.Service]
			if !ok || c.Service == s.Name {
				continue // a call to itself is a cycle, reported as one
			}
			var msg string
			switch {
			case r == RoleOrder:
				msg = fmt.Sprintf("%q plays order and takes the orders from clients: no service calls it", c.Service)
			case st.Saga == SagaChoreographed:
				msg = fmt.Sprintf("%q plays %s: in a choreographed saga the roles talk through events, so no service calls it", c.Service, r)
			case s.Name != st.Order:
				msg = fmt.Sprintf("%q plays %s: in the orchestrated saga only the order service (%q) calls it", c.Service, r, st.Order)
			default:
				continue
			}
			id := fmt.Sprintf("services[%d].calls[%d]", i, j)
			v.fail(v.line(c.Line, id+".service", id), fmt.Sprintf("%s.calls[%d].service", ItemPath("services", i, s.Name), j), "%s", msg)
		}
	}
}

// orchestrated checks the calls the orchestrated saga runs on: the order
// service (services[i]) calls payment, then inventory, one after the
// other.
func (v *validator) orchestrated(i int) {
	st, s := v.t.State, &v.t.Services[i]
	id, p := fmt.Sprintf("services[%d]", i), ItemPath("services", i, s.Name)
	if s.Parallel {
		v.fail(v.line(s.Line, id+".parallel", id), p+".parallel", "the orchestrated saga calls %q (charge), then %q (reserve): parallel calls are not supported", st.Payment, st.Inventory)
	}
	pay, inv := -1, -1
	for j, c := range s.Calls {
		if c.Service == st.Payment && pay < 0 {
			pay = j
		}
		if c.Service == st.Inventory && inv < 0 {
			inv = j
		}
	}
	calls := v.line(s.Line, id+".calls", id)
	switch {
	case pay < 0:
		v.fail(calls, p+".calls", "the orchestrated saga charges through a call to %q: add \"- %s\" under calls", st.Payment, st.Payment)
	case inv < 0:
		v.fail(calls, p+".calls", "the orchestrated saga reserves through a call to %q: add \"- %s\" under calls, after %s", st.Inventory, st.Inventory, st.Payment)
	case inv < pay:
		cid := fmt.Sprintf("%s.calls[%d]", id, inv)
		v.fail(v.line(s.Calls[inv].Line, cid+".service", cid), fmt.Sprintf("%s.calls[%d].service", p, inv),
			"the orchestrated saga charges (%q) before it reserves (%q): list %s first", st.Payment, st.Inventory, st.Payment)
	}
}

// choreographed checks the event wiring the choreographed saga runs on
// (see SagaEvents): only a subject's publisher role publishes it; a role's
// service consumes only the saga's subjects of its own steps, each once,
// in a group no other service shares; the first publish or consume of the
// table that is missing is named with the entry to add; and an outbox
// needs the order service to publish, with the broker's ack.
func (v *validator) choreographed(first map[string]int, played map[string]Role) {
	st := v.t.State
	for i, s := range v.t.Services {
		if first[s.Name] != i {
			continue
		}
		id, p := fmt.Sprintf("services[%d]", i), ItemPath("services", i, s.Name)
		for j, pub := range s.Publish {
			e, ok := sagaEvent(pub.Subject)
			if !ok {
				continue
			}
			pid := fmt.Sprintf("%s.publish[%d]", id, j)
			if owner := st.Service(e.Publisher); owner != s.Name {
				v.fail(v.line(pub.Line, pid+".subject", pid), fmt.Sprintf("%s.publish[%d].subject", p, j),
					"%q is an event of the saga that only %s (%q) publishes", pub.Subject, e.Publisher, owner)
			}
			if st.Publish == PublishOutbox && pub.Mode == PublishFireAndForget {
				v.fail(v.line(pub.Line, pid+".mode", pid), fmt.Sprintf("%s.publish[%d].mode", p, j),
					"the outbox relay marks a row sent after the broker's ack: the saga's events need mode %s", PublishAck)
			}
		}
		r, isRole := played[s.Name]
		stepped := map[string]int{} // saga subject -> index of the consume
		for j, c := range s.Consume {
			e, ok := sagaEvent(c.Subject)
			if !ok {
				continue
			}
			cid, cp := fmt.Sprintf("%s.consume[%d]", id, j), fmt.Sprintf("%s.consume[%d]", p, j)
			at := v.line(c.Line, cid+".subject", cid)
			switch {
			case !isRole: // a stateless observer, such as a notification service
			case e.Consumer != r:
				v.fail(at, cp+".subject", "%q plays %s, and %q starts none of its saga steps (%s)", s.Name, r, c.Subject, stepsOf(r))
			case hasKey(stepped, c.Subject):
				v.fail(at, cp+".subject", "%q is consumed twice (also consume[%d]): the saga step would run once per group", c.Subject, stepped[c.Subject])
			default:
				stepped[c.Subject] = j
				if other := v.sharedGroup(s.Name, c); other != "" {
					v.fail(at, cp+".subject", "%q shares group %q with service %q: each event would reach one of them, so some orders would skip %s's step; give %s its own group",
						c.Subject, groupOf(s.Name, c), other, s.Name, s.Name)
				}
			}
		}
	}
	if st.Publish == PublishOutbox {
		if o := v.t.Service(st.Order); len(o.Publish) == 0 {
			v.fail(v.line(st.Line, "state.publish", "state"), "state.publish", "%s needs events to publish, but the order service %q publishes nothing", PublishOutbox, st.Order)
		}
	}
	v.sagaWiring(first)
}

// sagaWiring reports the first publish or consume of SagaEvents the
// topology lacks, at the service that should declare it, with the entry
// to add.
func (v *validator) sagaWiring(first map[string]int) {
	st := v.t.State
	missing := func(r Role, list, subject, entry, why string) {
		name := st.Service(r)
		i := first[name]
		id := fmt.Sprintf("services[%d]", i)
		v.fail(v.line(v.t.Services[i].Line, id+"."+list, id), ItemPath("services", i, name)+"."+list,
			"the choreographed saga needs %q (%s) to %s %q (%s): add \"- %s\" under %s", name, r, list, subject, why, entry, list)
	}
	for _, e := range sagaEvents {
		pub := v.t.Service(st.Service(e.Publisher))
		if !publishes(pub, e.Subject) {
			entry := e.Subject
			if e.Kind != KindDomain {
				entry = fmt.Sprintf("{subject: %s, kind: %s}", e.Subject, e.Kind)
			}
			missing(e.Publisher, "publish", e.Subject, entry, e.Step)
			return
		}
		if e.Consumer == "" {
			continue
		}
		if !consumes(v.t.Service(st.Service(e.Consumer)), e.Subject) {
			missing(e.Consumer, "consume", e.Subject, e.Subject, e.Step)
			return
		}
	}
}

// sharedGroup returns another service that consumes c's subject in the
// same group as service does, or "".
func (v *validator) sharedGroup(service string, c Consume) string {
	g := groupOf(service, c)
	for _, s := range v.t.Services {
		if s.Name == service {
			continue
		}
		for _, o := range s.Consume {
			if o.Subject == c.Subject && groupOf(s.Name, o) == g {
				return s.Name
			}
		}
	}
	return ""
}

// groupOf is the durable consumer a service's consume joins.
func groupOf(service string, c Consume) string {
	if c.Group == "" {
		return service
	}
	return c.Group
}

// stepsOf lists the subjects that start role r's saga steps.
func stepsOf(r Role) string {
	var out string
	for _, e := range sagaEvents {
		if e.Consumer == r {
			if out != "" {
				out += ", "
			}
			out += e.Subject
		}
	}
	if out == "" {
		return "none"
	}
	return out
}

func publishes(s *Service, subject string) bool {
	for _, p := range s.Publish {
		if p.Subject == subject {
			return true
		}
	}
	return false
}

func consumes(s *Service, subject string) bool {
	for _, c := range s.Consume {
		if c.Subject == subject {
			return true
		}
	}
	return false
}

func hasKey(m map[string]int, k string) bool {
	_, ok := m[k]
	return ok
}

// sagaPublish reports whether the service's publish of subject is a step
// of a choreographed saga: such a handling publishes only the next event
// of its order (see SagaEvents), not every subject of its publish list.
func (t *Topology) sagaPublish(service, subject string) bool {
	st := t.State
	if st == nil || st.Saga != SagaChoreographed {
		return false
	}
	e, ok := sagaEvent(subject)
	return ok && st.Service(e.Publisher) == service
}
