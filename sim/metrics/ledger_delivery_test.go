package metrics

import (
	"fmt"
	"testing"
	"time"

	"github.com/faultline-sim/faultline/reports/result"
)

// subscriberOf returns the account of group on subject.
func subscriberOf(t *testing.T, e result.Events, subject, group string) result.Subscriber {
	t.Helper()
	for _, s := range e.Subscribers {
		if s.Subject == subject && s.Group == group {
			return s
		}
	}
	t.Fatalf("no subscriber %s on %s in %+v", group, subject, e.Subscribers)
	return result.Subscriber{}
}

func TestLedgerDeadLetteredIsNeitherProcessedNorLost(t *testing.T) {
	l := NewLedger(testSubs, 0)
	now := time.Now()
	for id := uint64(1); id <= 3; id++ {
		l.Publishing(id, id, now, "order.placed")
		l.Acked(id)
		l.Processed(id, "payment", false, now)
	}
	l.Processed(1, "shipping", false, now)
	l.DeadLettered(2, "shipping")
	// Event 3 is neither processed nor dead-lettered by shipping.
	if got := l.Outstanding(); got != 1 {
		t.Errorf("outstanding = %d, want 1 (event 3 for shipping)", got)
	}
	var v result.Variant
	l.Fill(&v)
	e := v.Events
	ship := subscriberOf(t, e, "order.placed", "shipping")
	want := result.Subscriber{Subject: "order.placed", Group: "shipping", Expected: 3, Processed: 1, Lost: 1, DeadLettered: 1}
	if ship != want {
		t.Errorf("shipping\n got %+v\nwant %+v", ship, want)
	}
	// lost = expected pairs − processed − dead-lettered (nothing pending here)
	if lost := ship.Expected - ship.Processed - ship.DeadLettered; ship.Lost != lost {
		t.Errorf("shipping lost %d, want expected − processed − dead-lettered = %d", ship.Lost, lost)
	}
	// A dead-lettered event leaves its operation incomplete.
	if e.Lost != 1 || e.DeadLettered != 1 || v.Completed != 1 {
		t.Errorf("events %+v completed %d, want 1 lost, 1 dead-lettered, 1 operation complete", e, v.Completed)
	}
}

func TestLedgerSuppressed(t *testing.T) {
	l := NewLedger(testSubs, 0)
	now := time.Now()
	l.Publishing(1, 1, now, "payment.taken")
	l.Acked(1)
	l.Processed(1, "notify", false, now)
	l.Suppressed(1, "notify", true)
	l.Suppressed(1, "notify", true)
	l.Suppressed(99, "notify", true) // unknown event: total only
	if got := l.Outstanding(); got != 0 {
		t.Errorf("outstanding = %d, want 0", got)
	}
	var v result.Variant
	l.Fill(&v)
	e := v.Events
	if e.Suppressed != 3 || e.Duplicates != 0 || e.Processed != 1 || e.Lost != 0 {
		t.Errorf("events %+v, want 3 suppressed, no duplicate, 1 processed, none lost", e)
	}
	if s := subscriberOf(t, e, "payment.taken", "notify"); s.Suppressed != 2 || s.Processed != 1 || s.Duplicates != 0 {
		t.Errorf("notify %+v, want 2 suppressed, 1 processed", s)
	}
}

func TestLedgerFireAndForget(t *testing.T) {
	tests := []struct {
		name  string
		steps func(l *Ledger, now time.Time)
		want  result.Events // Subscribers not compared
		// wantExpected is notify's Expected.
		wantExpected, wantOutstanding int64
	}{
		{
			name: "sent and processed",
			steps: func(l *Ledger, now time.Time) {
				l.Publishing(1, 1, now, "payment.taken")
				l.Sent(1)
				l.Processed(1, "notify", false, now)
			},
			want:         result.Events{Published: 1, Processed: 1, FireAndForget: 1},
			wantExpected: 1,
		},
		{
			name: "sent and never stored: lost",
			steps: func(l *Ledger, now time.Time) {
				l.Publishing(1, 1, now, "payment.taken")
				l.Sent(1)
				l.Sent(1) // counts once
			},
			want:         result.Events{Published: 1, Lost: 1, FireAndForget: 1},
			wantExpected: 1, wantOutstanding: 1,
		},
		{
			name: "processed before Sent returned",
			steps: func(l *Ledger, now time.Time) {
				l.Publishing(1, 1, now, "payment.taken")
				l.Processed(1, "notify", false, now)
				l.Sent(1)
			},
			want:         result.Events{Published: 1, Processed: 1, FireAndForget: 1},
			wantExpected: 1,
		},
		{
			name: "publish failed at once: not expected",
			steps: func(l *Ledger, now time.Time) {
				l.Publishing(1, 1, now, "payment.taken")
			},
			want: result.Events{Published: 1},
		},
		{
			name: "sent, then acked: expected once",
			steps: func(l *Ledger, now time.Time) {
				l.Publishing(1, 1, now, "payment.taken")
				l.Sent(1)
				l.Acked(1)
			},
			want:         result.Events{Published: 1, Acked: 1, Lost: 1, FireAndForget: 1},
			wantExpected: 1, wantOutstanding: 1,
		},
		{
			name: "unknown event ignored",
			steps: func(l *Ledger, now time.Time) {
				l.Sent(42)
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l := NewLedger(testSubs, 0)
			tt.steps(l, time.Now())
			if got := l.Outstanding(); got != tt.wantOutstanding {
				t.Errorf("outstanding = %d, want %d", got, tt.wantOutstanding)
			}
			var v result.Variant
			l.Fill(&v)
			if s := subscriberOf(t, v.Events, "payment.taken", "notify"); s.Expected != tt.wantExpected {
				t.Errorf("notify expected %d, want %d", s.Expected, tt.wantExpected)
			}
			got := v.Events
			got.Subscribers = nil
			if fmt.Sprintf("%+v", got) != fmt.Sprintf("%+v", tt.want) {
				t.Errorf("events\n got %+v\nwant %+v", got, tt.want)
			}
		})
	}
}

func TestLedgerDeadLetterFailures(t *testing.T) {
	l := NewLedger(testSubs, 0)
	l.Publishing(1, 1, time.Now(), "payment.taken")
	l.Acked(1)
	l.DeadLetterFailed(1, "notify")
	if got := l.DeadLetterFailures(); got != 1 {
		t.Errorf("dead-letter failures = %d, want 1", got)
	}
	var v result.Variant
	l.Fill(&v)
	if v.Events.Lost != 1 || v.Events.DeadLettered != 0 || v.Events.DeadLetterFailures != 1 {
		t.Errorf("events %+v, want the pair lost, not dead-lettered, and the failure counted", v.Events)
	}
}

func TestFailedCountsRedeliveriesAndPoisonOnce(t *testing.T) {
	l := NewLedger(map[string][]string{"orders": {"payment", "inventory"}}, time.Minute)
	now := time.Now()
	l.Publishing(1, 1, now, "orders")
	l.Acked(1)
	l.Failed(1, "payment", false, true) // first delivery of a poison event
	l.Failed(1, "payment", true, false) // its redeliveries
	l.Failed(1, "payment", true, false)
	l.DeadLettered(1, "payment")
	l.Processed(1, "inventory", false, now)
	var v result.Variant
	l.Fill(&v)
	e := v.Events
	if e.Failures != 3 || e.Redelivered != 2 || e.Poisoned != 1 || e.DeadLettered != 1 || e.Lost != 0 {
		t.Fatalf("events %+v", e)
	}
	for _, s := range e.Subscribers {
		if want := int64(map[string]int{"payment": 1}[s.Group]); s.Poisoned != want {
			t.Errorf("%s: poisoned %d, want %d", s.Group, s.Poisoned, want)
		}
	}
}

// A replay of a step whose first handling committed and then failed
// before its ack completes the pair (it is not lost); a replay of a pair
// already processed is suppressed, not a duplicate.
func TestLedgerReplayed(t *testing.T) {
	l := NewLedger(testSubs, 0)
	now := time.Now()
	for id := uint64(1); id <= 2; id++ {
		l.Publishing(id, id, now, "payment.taken")
		l.Acked(id)
	}
	l.Failed(1, "notify", false, false) // committed, then failed: no Processed
	l.Replayed(1, "notify", true, now)
	l.Processed(2, "notify", false, now)
	l.Replayed(2, "notify", true, now)
	if got := l.Outstanding(); got != 0 {
		t.Errorf("outstanding = %d, want 0", got)
	}
	var v result.Variant
	l.Fill(&v)
	s := subscriberOf(t, v.Events, "payment.taken", "notify")
	if s.Processed != 2 || s.Suppressed != 1 || s.Duplicates != 0 || s.Lost != 0 {
		t.Errorf("notify %+v, want 2 processed, 1 suppressed, no duplicate, none lost", s)
	}
}
