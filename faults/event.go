package faults

import "time"

// Direction is one way of a connection's bytes, relative to its Link.
type Direction uint8

const (
	// Outbound bytes flow From → To: the writes of the dialing side.
	Outbound Direction = iota
	// Inbound bytes flow To → From: the reads of the dialing side.
	Inbound
)

// String returns "out" or "in".
func (d Direction) String() string {
	if d == Inbound {
		return "in"
	}
	return "out"
}

// EventKind says what an Event reports.
type EventKind uint8

const (
	// EventHeld: a blackhole began holding bytes (or an EOF) on a
	// direction. At is when the first byte was held — the moment traffic
	// actually stopped, which can be later than the rule took effect if
	// the direction was idle.
	EventHeld EventKind = iota + 1
	// EventReleased: the blackhole that held bytes on a direction was
	// lifted and they became deliverable again. At is the moment they
	// started flowing. A direction that held nothing reports no release.
	EventReleased
)

// String returns "held" or "released".
func (k EventKind) String() string {
	switch k {
	case EventHeld:
		return "held"
	case EventReleased:
		return "released"
	}
	return "unknown"
}

// Event reports when bytes actually stopped or started flowing on one
// direction of one connection, so a report can tell the fault's schedule
// from its effect.
type Event struct {
	Kind EventKind
	Link Link      // the connection's link
	Dir  Direction // which of its directions
	At   time.Time // when the bytes stopped or started flowing
}

// EventFunc receives events. It is called from connection goroutines and
// from Apply and heal, concurrently and with no lock of the Net held; it
// must not block, nor close connections (Close waits for the goroutine that
// may be calling it).
type EventFunc func(Event)

// OnEvent sets the function that receives events (nil: none, the
// default). Events happen only on directions a blackhole selects. Safe for
// concurrent use.
func (n *Net) OnEvent(f EventFunc) {
	if f == nil {
		n.onEvent.Store(nil)
		return
	}
	n.onEvent.Store(&f)
}

// emit hands evs to the event function, if any.
func (n *Net) emit(evs []Event) {
	if len(evs) == 0 {
		return
	}
	if f := n.onEvent.Load(); f != nil {
		for _, e := range evs {
			(*f)(e)
		}
	}
}
