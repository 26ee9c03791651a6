package metrics

import (
	"github.com/faultline-sim/faultline/reports"
)

// Fill writes the ledger's account into v: Events (except MaxConsumerLag,
// which the engine samples), Completed, CompletionMS and
// Histograms.Completion. Lost counts (acknowledged event, group) pairs never
// processed nor dead-lettered; UnackedProcessed counts events processed
// although never acknowledged, plus each handling of an unknown event.
// CompletionMS and the completion histogram are set only when something was
// published. Call it after the drain; it is safe for concurrent use.
func (l *Ledger) Fill(v *reports.Variant) {
	l.mu.Lock()
	defer l.mu.Unlock()

	lost := make([][]int64, len(l.subs))
	for i := range l.subs {
		lost[i] = make([]int64, len(l.subs[i].groups))
	}
	var totalLost int64
	unackedProcessed := l.unknown
	for id, ev := range l.events {
		if !ev.acked {
			if ev.processed {
				unackedProcessed++
			}
			continue
		}
		if ev.subject < 0 {
			continue
		}
		for gi := range l.subs[ev.subject].groups {
			if l.flags(id, &ev, int32(gi)) == 0 {
				lost[ev.subject][gi]++
				totalLost++
			}
		}
	}

	subscribers := make([]reports.Subscriber, 0)
	for si := range l.subs {
		sg := &l.subs[si]
		for gi, g := range sg.groups {
			subscribers = append(subscribers, reports.Subscriber{
				Subject:    sg.name,
				Group:      g,
				Expected:   sg.acked,
				Processed:  sg.stats[gi].processed,
				Duplicates: sg.stats[gi].duplicates,
				Lost:       lost[si][gi],
			})
		}
	}

	maxLag := v.Events.MaxConsumerLag
	v.Events = reports.Events{
		Published:        l.published,
		Acked:            l.acked,
		Processed:        l.processed,
		Duplicates:       l.duplicates,
		Lost:             totalLost,
		DeadLettered:     l.deadLettered,
		Redelivered:      l.redelivered,
		UnackedProcessed: unackedProcessed,
		MaxConsumerLag:   maxLag,
		Subscribers:      subscribers,
	}

	if !l.started {
		for _, c := range l.early { // Start never called: every operation counts
			l.recordCompletion(c)
		}
		l.early = l.early[:0]
	}
	v.Completed = l.completed
	if l.published == 0 {
		return
	}
	p := percentiles(l.completion)
	v.CompletionMS = &p
	v.Histograms.Completion = encode(l.completion)
}
