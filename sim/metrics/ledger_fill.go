package metrics

import (
	"github.com/faultline-sim/faultline/reports/result"
)

// Fill writes the ledger's account into v: Events (except MaxConsumerLag,
// which the engine samples), Completed, CompletionMS and
// Histograms.Completion. A subscriber's Expected counts the events
// acknowledged by the broker or sent fire-and-forget on its subject; Lost
// counts those (expected event, group) pairs never processed nor
// dead-lettered: expected pairs − processed pairs − dead-lettered pairs,
// before the engine decides, per pair, whether each is lost, pending or
// unknown (see FillUnprocessed).
// UnackedProcessed counts events processed although neither acknowledged
// nor sent, plus each handling of an unknown event. CompletionMS and the
// completion histogram are set only when an operation completed in the
// recorded window (Completed > 0): no data is not 0 ms. Call it after the
// drain; it is safe for concurrent use.
func (l *Ledger) Fill(v *result.Variant) { l.fill(v, nil) }

// UnprocessedPair is an expected (event, subscriber group) pair neither
// processed nor dead-lettered, as FillUnprocessed found it.
type UnprocessedPair struct {
	Event uint64
	// Seq is the event's stream sequence from its publish ack; 0 when
	// unknown (published fire-and-forget).
	Seq            uint64
	Subject, Group string
	// Exhausted: a handling failed at the group's last allowed delivery,
	// so the broker will not deliver the event to it again.
	Exhausted bool
}

// FillUnprocessed is Fill that also returns every pair Fill counts as
// Lost, read under the same lock so the two agree; the engine then
// classifies each pair from the broker's state.
func (l *Ledger) FillUnprocessed(v *result.Variant) []UnprocessedPair {
	pairs := []UnprocessedPair{}
	l.fill(v, &pairs)
	return pairs
}

// fill is Fill; with pairs non-nil, it appends every unprocessed pair.
func (l *Ledger) fill(v *result.Variant, pairs *[]UnprocessedPair) {
	l.mu.Lock()
	defer l.mu.Unlock()

	lost := make([][]int64, len(l.subs))
	for i := range l.subs {
		lost[i] = make([]int64, len(l.subs[i].groups))
	}
	var totalLost int64
	unackedProcessed := l.unknown
	for id, ev := range l.events {
		if !ev.expected() {
			if ev.processed {
				unackedProcessed++
			}
			continue
		}
		if ev.subject < 0 {
			continue
		}
		for gi := range l.subs[ev.subject].groups {
			f := l.flags(id, &ev, int32(gi))
			if f&(pairDone|pairDeadLettered) != 0 {
				continue
			}
			lost[ev.subject][gi]++
			totalLost++
			if pairs != nil {
				sg := &l.subs[ev.subject]
				*pairs = append(*pairs, UnprocessedPair{Event: id, Seq: ev.seq, Subject: sg.name, Group: sg.groups[gi], Exhausted: f&pairExhausted != 0})
			}
		}
	}

	subscribers := make([]result.Subscriber, 0)
	for si := range l.subs {
		sg := &l.subs[si]
		for gi, g := range sg.groups {
			st := &sg.stats[gi]
			subscribers = append(subscribers, result.Subscriber{
				Subject:      sg.name,
				Group:        g,
				Expected:     sg.expected,
				Processed:    st.processed,
				Duplicates:   st.duplicates,
				Lost:         lost[si][gi],
				DeadLettered: st.deadLettered,
				Suppressed:   st.suppressed,
				Poisoned:     st.poisoned,
			})
		}
	}

	maxLag := v.Events.MaxConsumerLag
	v.Events = result.Events{
		Published:          l.published,
		Acked:              l.acked,
		Processed:          l.processed,
		Duplicates:         l.duplicates,
		Lost:               totalLost,
		DeadLettered:       l.deadLettered,
		Suppressed:         l.suppressed,
		FireAndForget:      l.fireAndForget,
		PublishRetries:     l.publishRetries,
		BrokerDuplicates:   l.brokerDuplicates,
		DeadLetterFailures: l.deadLetterFailures,
		Redelivered:        l.redelivered,
		Failures:           l.failures,
		Poisoned:           l.poisoned,
		UnackedProcessed:   unackedProcessed,
		MaxConsumerLag:     maxLag,
		Subscribers:        subscribers,
	}

	if !l.started {
		for _, c := range l.early { // Start never called: every operation counts
			l.recordCompletion(c)
		}
		l.early = l.early[:0]
	}
	l.fillSeconds(v)
	v.Completed = l.completed
	if l.completed == 0 { // nothing to give percentiles of: not 0 ms (see Variant.Completion)
		return
	}
	p := percentiles(l.completion)
	v.CompletionMS = &p
	v.Histograms.Completion = encode(l.completion)
}
