package metrics

import (
	"sort"
	"sync"
	"time"

	hdr "github.com/HdrHistogram/hdrhistogram-go"
)

// Ledger accounts for every event of an event-driven variant: what was
// published and acknowledged by the broker, which subscriber groups processed
// it and how often, and when each business operation completed (every
// subscriber processed every event the operation caused).
//
//	Publishing ─► Acked or Sent ─► Processed (per group) ─► op outstanding 0 ─► completion
//	                            ├► Suppressed (per group; a redelivery recognised, not applied)
//	                            └► DeadLettered (per group)
//
// An event is expected of its subscribers once the broker acknowledged it
// (Acked) or, published fire-and-forget, once the publisher was told it
// was sent (Sent): every expected (event, group) pair is in the end
// processed, dead-lettered, still pending at the broker, or lost.
//
// A consumer that publishes further events for the same operation calls
// Publishing before its own Processed, so the operation's outstanding count
// never reaches zero early. Every method is safe for concurrent use; each
// takes one mutex and touches a few map entries.
type Ledger struct {
	maxUS int64

	mu         sync.Mutex
	subjects   map[string]int32 // subject → index into subs
	subs       []subjectGroups
	events     map[uint64]eventState
	ops        map[uint64]opState
	wide       map[pairKey]uint8 // flags of groups with index ≥ 64
	started    bool
	recordFrom time.Time
	early      []completion // completions seen before Start
	completion *hdr.Histogram
	completed  int64
	// seconds holds a completion histogram per second of the recorded
	// window, by intended second, nil until its first completion; empty
	// unless PerSecond was called (see ledger_seconds.go).
	seconds []*hdr.Histogram

	published, acked, processed, duplicates int64
	redelivered, deadLettered, unknown      int64
	suppressed, fireAndForget               int64
	publishRetries, brokerDuplicates        int64
	deadLetterFailures                      int64
	failures, poisoned                      int64
	outstanding                             int64
}

// subjectGroups is one subject's subscriber groups and their counts.
type subjectGroups struct {
	name   string
	groups []string
	index  map[string]int32
	stats  []groupStats
	// expected counts the subject's events every group must process:
	// acknowledged, or sent fire-and-forget.
	expected int64
}

type groupStats struct{ processed, duplicates, deadLettered, suppressed, poisoned int64 }

// eventState is one registered event. Bit i of done/dl is group i (< 64).
type eventState struct {
	op        uint64
	subject   int32 // -1 when the subject has no subscribers
	acked     bool  // the broker acknowledged the publish
	sent      bool  // published fire-and-forget; the publisher saw success
	processed bool  // by anyone
	// seq is the event's stream sequence from the publish ack; 0 when
	// unknown (never acked, or published fire-and-forget).
	seq          uint64
	done, dl, ex uint64
}

// expected reports whether every subscriber must process the event: the
// broker acknowledged it, or the publisher reported it sent.
func (ev *eventState) expected() bool { return ev.acked || ev.sent }

type opState struct {
	intended    time.Time
	outstanding int64
	complete    bool
}

type completion struct {
	intended time.Time
	took     time.Duration
}

// NewLedger returns a Ledger for the given subscriptions: subject → the
// subscriber groups that must each process every event published on it.
// Groups are deduplicated; subs is not retained. maxLatency bounds the
// completion histogram (default [DefaultMaxLatency] when ≤ 0; larger values
// are recorded as maxLatency).
func NewLedger(subs map[string][]string, maxLatency time.Duration) *Ledger {
	l := &Ledger{
		maxUS:    maxMicros(maxLatency),
		subjects: make(map[string]int32, len(subs)),
		events:   make(map[uint64]eventState),
		ops:      make(map[uint64]opState),
		wide:     make(map[pairKey]uint8),
	}
	names := make([]string, 0, len(subs))
	for s := range subs {
		names = append(names, s)
	}
	sort.Strings(names)
	for _, s := range names {
		sg := subjectGroups{name: s, index: make(map[string]int32)}
		for _, g := range subs[s] {
			if _, dup := sg.index[g]; dup {
				continue
			}
			sg.index[g] = int32(len(sg.groups))
			sg.groups = append(sg.groups, g)
		}
		sg.stats = make([]groupStats, len(sg.groups))
		l.subjects[s] = int32(len(l.subs))
		l.subs = append(l.subs, sg)
	}
	l.completion = newHistogram(l.maxUS)
	return l
}

// Start sets the start of the recorded window: operations intended before
// recordFrom (warm-up) are accounted for but left out of completion
// statistics. Completions seen before Start are held and judged now; if Start
// is never called, every operation counts.
func (l *Ledger) Start(recordFrom time.Time) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.started, l.recordFrom = true, recordFrom
	for _, c := range l.early {
		l.recordCompletion(c)
	}
	l.early = nil
}

// Publishing registers an event before it is published on subject for
// operation opID intended at intended: the operation's outstanding count
// grows by the number of groups subscribed to subject. Publishing the same
// eventID again (a retried publish) counts another attempt and a publish
// retry only.
func (l *Ledger) Publishing(eventID, opID uint64, intended time.Time, subject string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.published++
	if _, ok := l.events[eventID]; ok {
		l.publishRetries++
		return
	}
	si, ok := l.subjects[subject]
	if !ok {
		si = -1
	}
	l.events[eventID] = eventState{op: opID, subject: si}
	op, ok := l.ops[opID]
	if !ok {
		op.intended = intended
	}
	if si >= 0 {
		op.outstanding += int64(len(l.subs[si].groups))
	}
	l.ops[opID] = op
}

// Acked records that the broker acknowledged the event's publish, without
// its stream sequence: AckedAt(eventID, 0, false).
func (l *Ledger) Acked(eventID uint64) { l.AckedAt(eventID, 0, false) }

// AckedAt records that the broker acknowledged the event's publish and
// stored it at stream sequence seq (0: unknown); duplicate is the ack's
// flag that the broker had already stored a publish with the same
// Nats-Msg-Id and dropped this one (counted every time, known event or
// not). Only the first acknowledgement of an event counts, and its seq is
// kept; an unknown eventID is otherwise ignored.
func (l *Ledger) AckedAt(eventID, seq uint64, duplicate bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if duplicate {
		l.brokerDuplicates++
	}
	ev, ok := l.events[eventID]
	if !ok || ev.acked {
		return
	}
	wasExpected := ev.expected()
	ev.acked, ev.seq = true, seq
	l.events[eventID] = ev
	l.acked++
	if !wasExpected {
		l.expect(eventID, &ev)
	}
}

// expect makes the event expected of every group subscribed to its
// subject: each pair not yet processed nor dead-lettered becomes
// outstanding. l.mu is held.
func (l *Ledger) expect(eventID uint64, ev *eventState) {
	if ev.subject < 0 {
		return
	}
	sg := &l.subs[ev.subject]
	sg.expected++
	for gi := range sg.groups {
		if l.flags(eventID, ev, int32(gi))&(pairDone|pairDeadLettered) == 0 {
			l.outstanding++
		}
	}
}

// Processed records one successful handling of the event by group, now;
// redelivered is what the broker said about the delivery. It reports whether
// this was the first handling of the pair (the others count as duplicates).
// When it completes the event's operation for the first time, the operation's
// completion (now − intended) is recorded. An unknown eventID counts as
// processed but unacknowledged (first is true); a group that is not
// subscribed to the event's subject counts as processed only.
func (l *Ledger) Processed(eventID uint64, group string, redelivered bool, now time.Time) (first bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.processed++
	if redelivered {
		l.redelivered++
	}
	ev, ok := l.events[eventID]
	if !ok {
		l.unknown++
		return true
	}
	if !ev.processed {
		ev.processed = true
		l.events[eventID] = ev
	}
	if ev.subject < 0 {
		return true
	}
	sg := &l.subs[ev.subject]
	gi, ok := sg.index[group]
	if !ok {
		return true
	}
	sg.stats[gi].processed++
	f := l.flags(eventID, &ev, gi)
	if f&pairDone != 0 {
		l.duplicates++
		sg.stats[gi].duplicates++
		return false
	}
	l.setFlag(eventID, &ev, gi, pairDone)
	l.events[eventID] = ev
	if ev.expected() && f&pairDeadLettered == 0 {
		l.outstanding--
	}
	op := l.ops[ev.op]
	op.outstanding--
	if op.outstanding == 0 && !op.complete {
		op.complete = true
		c := completion{intended: op.intended, took: now.Sub(op.intended)}
		if l.started {
			l.recordCompletion(c)
		} else {
			l.early = append(l.early, c)
		}
	}
	l.ops[ev.op] = op
	return true
}

// DeadLettered records that group gave up on the event and it went to the
// dead-letter stream; a dead-lettered pair is neither processed nor lost. It
// must be called before the original is terminated at the broker, as
// Processed before the ack, so that a pair is at every moment held by the
// broker or accounted for here. Each (event, group) pair counts once; an
// unknown event or group counts every time.
func (l *Ledger) DeadLettered(eventID uint64, group string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	ev, ok := l.events[eventID]
	if !ok || ev.subject < 0 {
		l.deadLettered++
		return
	}
	gi, ok := l.subs[ev.subject].index[group]
	if !ok {
		l.deadLettered++
		return
	}
	f := l.flags(eventID, &ev, gi)
	if f&pairDeadLettered != 0 {
		return
	}
	l.deadLettered++
	l.subs[ev.subject].stats[gi].deadLettered++
	l.setFlag(eventID, &ev, gi, pairDeadLettered)
	l.events[eventID] = ev
	if ev.expected() && f&pairDone == 0 {
		l.outstanding--
	}
}

// Outstanding returns the number of (expected event, subscriber group)
// pairs neither processed nor dead-lettered yet: the drain waits for 0.
func (l *Ledger) Outstanding() int64 {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.outstanding
}

// recordCompletion adds c to the completion histogram if its operation is in
// the recorded window. l.mu is held.
func (l *Ledger) recordCompletion(c completion) {
	if c.intended.Before(l.recordFrom) {
		return
	}
	us := micros(c.took, l.maxUS)
	_ = l.completion.RecordValue(us) // in range by construction
	l.completed++
	l.recordSecond(c, us)
}
