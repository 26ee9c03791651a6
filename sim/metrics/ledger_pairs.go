package metrics

// Per-(event, group) state. Groups with index < 64 live in the bits of
// eventState.done, eventState.dl and eventState.ex, which costs nothing
// extra per event;
// wider subjects spill into Ledger.wide.

type pairKey struct {
	event uint64
	group int32
}

// Flags of a (event, group) pair.
const (
	pairDone uint8 = 1 << iota
	pairDeadLettered
	// pairExhausted: a failed handling was the group's last allowed
	// delivery; the broker will not deliver the event to the group again.
	pairExhausted
)

// flags returns the pair's flags. l.mu is held.
func (l *Ledger) flags(eventID uint64, ev *eventState, gi int32) uint8 {
	if gi >= 64 {
		return l.wide[pairKey{eventID, gi}]
	}
	var f uint8
	if ev.done&(1<<gi) != 0 {
		f |= pairDone
	}
	if ev.dl&(1<<gi) != 0 {
		f |= pairDeadLettered
	}
	if ev.ex&(1<<gi) != 0 {
		f |= pairExhausted
	}
	return f
}

// setFlag sets one of the pair's flags in ev (or in l.wide). l.mu is held.
func (l *Ledger) setFlag(eventID uint64, ev *eventState, gi int32, f uint8) {
	if gi >= 64 {
		l.wide[pairKey{eventID, gi}] |= f
		return
	}
	switch f {
	case pairDone:
		ev.done |= 1 << gi
	case pairDeadLettered:
		ev.dl |= 1 << gi
	case pairExhausted:
		ev.ex |= 1 << gi
	}
}
