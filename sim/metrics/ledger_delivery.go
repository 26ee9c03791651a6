package metrics

import "time"

// Delivery guarantees beyond publish, ack and process: fire-and-forget
// publishes, redeliveries an idempotent consumer suppressed, and dead
// letters that could not be written.

// Sent records that the event was published fire-and-forget and the
// publisher was told it succeeded, without any acknowledgement from the
// broker. From then on it is expected of every subscriber, as an
// acknowledged event is: if the broker never stored it, its pairs end up
// lost. Only the first Sent of an event counts; an unknown eventID is
// ignored.
func (l *Ledger) Sent(eventID uint64) {
	l.mu.Lock()
	defer l.mu.Unlock()
	ev, ok := l.events[eventID]
	if !ok || ev.sent {
		return
	}
	wasExpected := ev.expected()
	ev.sent = true
	l.events[eventID] = ev
	l.fireAndForget++
	if !wasExpected {
		l.expect(eventID, &ev)
	}
}

// Suppressed records that group recognised a delivery of an event it had
// already processed (its processed-id store held the id) and acknowledged
// it without applying it again. The pair was already processed, so the
// outstanding count does not change. It counts every time, per subscriber
// when the event and group are known; redelivered is what the broker said
// about the delivery.
func (l *Ledger) Suppressed(eventID uint64, group string, redelivered bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.suppressed++
	if redelivered {
		l.redelivered++
	}
	ev, ok := l.events[eventID]
	if !ok || ev.subject < 0 {
		return
	}
	sg := &l.subs[ev.subject]
	if gi, ok := sg.index[group]; ok {
		sg.stats[gi].suppressed++
	}
}

// DeadLetterFailed records that group's last allowed delivery of the event
// failed and moving it to the dead-letter stream failed too: the broker
// will not deliver it again, so unless processed earlier the pair counts
// as lost. It counts every time.
func (l *Ledger) DeadLetterFailed(eventID uint64, group string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.deadLetterFailures++
}

// DeadLetterFailures returns how many events could not be moved to the
// dead-letter stream (see DeadLetterFailed).
func (l *Ledger) DeadLetterFailures() int64 {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.deadLetterFailures
}

// Failed records a handling of the event by group that failed (the
// consumer naks it, or dead-letters it at its last delivery); redelivered
// is what the broker said about the delivery. poisoned marks the first
// delivery of an event the group can never process, so such events are
// counted once each.
func (l *Ledger) Failed(eventID uint64, group string, redelivered, poisoned bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.failures++
	if redelivered {
		l.redelivered++
	}
	if !poisoned {
		return
	}
	l.poisoned++
	ev, ok := l.events[eventID]
	if !ok || ev.subject < 0 {
		return
	}
	sg := &l.subs[ev.subject]
	if gi, ok := sg.index[group]; ok {
		sg.stats[gi].poisoned++
	}
}

// Exhausted records that group's handling of the event failed at its last
// allowed delivery (consume max_deliver): the broker will not deliver it
// to the group again, whatever its ack floor says, so unless processed or
// dead-lettered the pair is lost, not pending (see UnprocessedPair). It
// must be called before the consumer naks or terminates that delivery. An
// unknown event or group is ignored.
func (l *Ledger) Exhausted(eventID uint64, group string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	ev, ok := l.events[eventID]
	if !ok || ev.subject < 0 {
		return
	}
	gi, ok := l.subs[ev.subject].index[group]
	if !ok {
		return
	}
	l.setFlag(eventID, &ev, gi, pairExhausted)
	l.events[eventID] = ev
}

// Replayed records a handling that found the event's effect already in
// its store (an effectively-once step whose earlier handling committed
// its change, then failed before the ack, or lost it): the pair counts as
// processed if no handling of it was recorded processed yet, else as
// suppressed. The broker delivers an event to one consumer of a group at
// a time, so two handlings of one pair do not race here.
func (l *Ledger) Replayed(eventID uint64, group string, redelivered bool, now time.Time) {
	if l.pairDone(eventID, group) {
		l.Suppressed(eventID, group, redelivered)
		return
	}
	l.Processed(eventID, group, redelivered, now)
}

// pairDone reports whether a handling of (eventID, group) was recorded
// processed.
func (l *Ledger) pairDone(eventID uint64, group string) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	ev, ok := l.events[eventID]
	if !ok || ev.subject < 0 {
		return false
	}
	gi, ok := l.subs[ev.subject].index[group]
	return ok && l.flags(eventID, &ev, gi)&pairDone != 0
}
