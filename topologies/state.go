package topologies

// State makes a topology stateful: three of its services own a store and
// play the roles of a small business domain. The order service takes the
// client's orders (pending, then confirmed or cancelled); the payment
// service charges an account once per order and refunds; the inventory
// service reserves one unit of an item per order and releases it, and its
// stock never goes below zero. How the three steps are coordinated is
// Saga: order calls payment then inventory and compensates
// (SagaOrchestrated), or each step consumes the previous one's event and
// publishes the next (SagaChoreographed, see SagaEvents). A topology
// without a state block (Topology.State nil) is stateless: services only
// do work, fail and call or publish, as before.
type State struct {
	// Saga is SagaOrchestrated or SagaChoreographed; required.
	Saga string
	// Order, Payment and Inventory name the services that play each role:
	// three distinct services of the topology, all required. The order
	// service is the entry.
	Order, Payment, Inventory string
	// Publish is how a step's state change and the event it publishes are
	// written: PublishDualWrite (default: the store, then the broker; a
	// crash in between loses the event) or PublishOutbox (the state change
	// and an outbox row in one transaction; a relay publishes the row with
	// the outbox id as Nats-Msg-Id and marks it sent after the ack).
	// Choreographed sagas only.
	Publish string
	// Consumers is how a step handles a redelivered event:
	// ConsumeAtLeastOnce (default: it applies it again) or
	// ConsumeIdempotent (it records processed event ids in the same
	// transaction as its state change, and skips those it has).
	// Choreographed sagas only: the orchestrated saga's calls carry an
	// idempotency key instead.
	Consumers string
	// Amount is what payment charges per order; positive, default
	// DefaultAmount.
	Amount int
	// Balance is the account's balance at the start; a charge that would
	// take it below zero fails (a business failure). At least 0 (0 is a
	// valid choice: code that builds a State sets it); default
	// DefaultBalance when decoded, effectively unlimited.
	Balance int
	// Items is the number of distinct items; each operation orders one
	// unit of one of them, drawn from the scenario's seed and the
	// operation. At least 1, default DefaultItems.
	Items int
	// Stock is each item's units at the start; a reservation of an item
	// out of stock fails (a business failure). At least 0 (0 is a valid
	// choice: code that builds a State sets it); default DefaultStock when
	// decoded. Small values make stock-outs, and so compensation, common.
	Stock int
	// Line is where the state block is declared in the topology's file.
	Line int
}

// Saga kinds.
const (
	// SagaOrchestrated: the order service calls payment (charge), then
	// inventory (reserve), over its call edges; on a business failure or
	// an error it compensates (refund, release) and cancels the order.
	SagaOrchestrated = "orchestrated"
	// SagaChoreographed: each step consumes an event and publishes the
	// next, as SagaEvents lists.
	SagaChoreographed = "choreographed"
)

// Ways a step writes its state change and its event (State.Publish).
const (
	PublishDualWrite = "dual_write"
	PublishOutbox    = "outbox"
)

// Ways a step handles an event delivered again (State.Consumers).
const (
	ConsumeAtLeastOnce = "at_least_once"
	ConsumeIdempotent  = "idempotent"
)

// Defaults of a state block, applied to keys a topology file leaves out
// (and by SetDefaults to zero values that are not valid).
const (
	DefaultStatePublish = PublishDualWrite
	DefaultConsumers    = ConsumeAtLeastOnce
	DefaultAmount       = 10
	// DefaultBalance is effectively unlimited: 10^8 orders of
	// DefaultAmount.
	DefaultBalance = 1_000_000_000
	DefaultItems   = 100
	DefaultStock   = 1_000_000
)

// Role is the part a service plays in a stateful topology.
type Role string

// Roles of a stateful topology.
const (
	RoleOrder     Role = "order"
	RolePayment   Role = "payment"
	RoleInventory Role = "inventory"
)

// Roles returns the three roles in the order a saga reaches them. The
// slice is the caller's.
func Roles() []Role { return []Role{RoleOrder, RolePayment, RoleInventory} }

// Service returns the name of the service that plays role r, or "".
func (s *State) Service(r Role) string {
	switch r {
	case RoleOrder:
		return s.Order
	case RolePayment:
		return s.Payment
	case RoleInventory:
		return s.Inventory
	}
	return ""
}

// Role returns the role the named service plays, and false when it plays
// none (a stateless service).
func (s *State) Role(service string) (Role, bool) {
	for _, r := range Roles() {
		if service != "" && s.Service(r) == service {
			return r, true
		}
	}
	return "", false
}

// Subjects of the choreographed saga's events.
const (
	SubjectOrderPlaced       = "order.placed"
	SubjectPaymentCharged    = "payment.charged"
	SubjectPaymentFailed     = "payment.failed"
	SubjectInventoryReserved = "inventory.reserved"
	SubjectInventoryFailed   = "inventory.failed"
	SubjectPaymentRefunded   = "payment.refunded"
	SubjectOrderConfirmed    = "order.confirmed"
	SubjectOrderCancelled    = "order.cancelled"
)

// SagaEvent is one event of the choreographed saga: which role publishes
// it, which role consumes it and what that consumer does.
type SagaEvent struct {
	Subject string
	// Publisher is the only role that publishes Subject.
	Publisher Role
	// Consumer is the role whose step it starts; "" for the notifications
	// that end the saga (other services may consume them, statelessly).
	Consumer Role
	// Kind is the event kind the shipped topologies give it.
	Kind string
	// Step says what the event means and what its consumer does.
	Step string
}

// sagaEvents is the wiring of the choreographed saga, in the order the
// flow reaches it:
//
//	order.placed -> payment: charge -> payment.charged | payment.failed
//	payment.charged -> inventory: reserve -> inventory.reserved | inventory.failed
//	payment.failed -> order: cancel -> order.cancelled
//	inventory.reserved -> order: confirm -> order.confirmed
//	inventory.failed -> payment: refund -> payment.refunded
//	payment.refunded -> order: cancel -> order.cancelled
//
// Each handling publishes exactly the next event of its operation, so the
// flow ends: no event leads back to an earlier step of the same order.
var sagaEvents = []SagaEvent{
	{SubjectOrderPlaced, RoleOrder, RolePayment, KindDomain, "an order was placed (pending); payment charges it"},
	{SubjectPaymentCharged, RolePayment, RoleInventory, KindDomain, "the order was charged; inventory reserves its item"},
	{SubjectPaymentFailed, RolePayment, RoleOrder, KindDomain, "the charge failed; order cancels the order"},
	{SubjectInventoryReserved, RoleInventory, RoleOrder, KindDomain, "the item was reserved; order confirms the order"},
	{SubjectInventoryFailed, RoleInventory, RolePayment, KindDomain, "the item is out of stock; payment refunds the charge"},
	{SubjectPaymentRefunded, RolePayment, RoleOrder, KindDomain, "the charge was refunded; order cancels the order"},
	{SubjectOrderConfirmed, RoleOrder, "", KindNotification, "the order is confirmed (the saga's end)"},
	{SubjectOrderCancelled, RoleOrder, "", KindNotification, "the order is cancelled (the saga's end)"},
}

// SagaEvents returns the wiring a choreographed saga needs, in the order
// the flow reaches it: every subject, the role that publishes it and the
// role that consumes it. A choreographed topology must declare each
// publish under its publisher's service and each consume under its
// consumer's service. The slice is the caller's.
func SagaEvents() []SagaEvent { return append([]SagaEvent(nil), sagaEvents...) }

// sagaEvent returns the table's row for subject, and false when subject
// is not one of the saga's.
func sagaEvent(subject string) (SagaEvent, bool) {
	for _, e := range sagaEvents {
		if e.Subject == subject {
			return e, true
		}
	}
	return SagaEvent{}, false
}

// setDefaults fills the zero values of s whose zero is not valid (see
// Topology.SetDefaults).
func (s *State) setDefaults() {
	if s.Publish == "" {
		s.Publish = DefaultStatePublish
	}
	if s.Consumers == "" {
		s.Consumers = DefaultConsumers
	}
	if s.Amount == 0 {
		s.Amount = DefaultAmount
	}
	if s.Items == 0 {
		s.Items = DefaultItems
	}
}
