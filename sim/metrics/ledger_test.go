package metrics

import (
	"fmt"
	"math"
	"testing"
	"time"

	hdr "github.com/HdrHistogram/hdrhistogram-go"

	"github.com/faultline-sim/faultline/reports/result"
)

var testSubs = map[string][]string{
	"order.placed":   {"payment", "shipping"},
	"payment.taken":  {"notify"},
	"audit.recorded": {},
}

func TestLedger(t *testing.T) {
	t0 := time.Now()
	at := func(d time.Duration) time.Time { return t0.Add(d) }

	tests := []struct {
		name            string
		start           time.Duration // Start(t0+start) before the steps; <0: never
		steps           func(l *Ledger)
		want            result.Events // Subscribers not compared here
		wantOutstanding int64
		wantCompleted   int64
		wantP50         float64 // completion ms, when wantCompleted > 0
	}{
		{
			name: "fan-out completes when every group processed",
			steps: func(l *Ledger) {
				l.Publishing(1, 100, at(0), "order.placed")
				l.Acked(1)
				l.Processed(1, "payment", false, at(3*ms))
				l.Processed(1, "shipping", false, at(8*ms))
			},
			want:          result.Events{Published: 1, Acked: 1, Processed: 2},
			wantCompleted: 1, wantP50: 8,
		},
		{
			name: "one group missing: not complete, lost",
			steps: func(l *Ledger) {
				l.Publishing(1, 100, at(0), "order.placed")
				l.Acked(1)
				l.Processed(1, "payment", false, at(3*ms))
			},
			want:            result.Events{Published: 1, Acked: 1, Processed: 1, Lost: 1},
			wantOutstanding: 1,
		},
		{
			name: "consumer publishes for the same op before its own Processed",
			steps: func(l *Ledger) {
				l.Publishing(1, 100, at(0), "order.placed")
				l.Acked(1)
				l.Processed(1, "shipping", false, at(2*ms))
				// payment's handler publishes a follow-up event, then finishes.
				l.Publishing(2, 100, at(0), "payment.taken")
				l.Acked(2)
				l.Processed(1, "payment", false, at(4*ms))
				l.Processed(2, "notify", false, at(20*ms))
			},
			want:          result.Events{Published: 2, Acked: 2, Processed: 3},
			wantCompleted: 1, wantP50: 20,
		},
		{
			name: "duplicates and redeliveries complete only once",
			steps: func(l *Ledger) {
				l.Publishing(1, 100, at(0), "payment.taken")
				l.Acked(1)
				l.Acked(1) // a duplicate ack counts once
				l.Processed(1, "notify", false, at(5*ms))
				l.Processed(1, "notify", true, at(50*ms))
				l.Processed(1, "notify", true, at(90*ms))
			},
			want:          result.Events{Published: 1, Acked: 1, Processed: 3, Duplicates: 2, Redelivered: 2},
			wantCompleted: 1, wantP50: 5,
		},
		{
			name: "processed although never acked is not lost",
			steps: func(l *Ledger) {
				l.Publishing(1, 100, at(0), "payment.taken")
				l.Processed(1, "notify", false, at(1*ms))
				l.Publishing(2, 101, at(0), "payment.taken") // never acked, never processed
			},
			want:          result.Events{Published: 2, Processed: 1, UnackedProcessed: 1},
			wantCompleted: 1, wantP50: 1,
		},
		{
			name: "processed before the ack reached the publisher",
			steps: func(l *Ledger) {
				l.Publishing(1, 100, at(0), "payment.taken")
				l.Processed(1, "notify", false, at(1*ms))
				l.Acked(1)
			},
			want:          result.Events{Published: 1, Acked: 1, Processed: 1},
			wantCompleted: 1, wantP50: 1,
		},
		{
			name: "unknown event id",
			steps: func(l *Ledger) {
				l.Processed(999, "notify", false, at(1*ms))
				l.Acked(998)
				l.DeadLettered(997, "notify")
			},
			want: result.Events{Processed: 1, UnackedProcessed: 1, DeadLettered: 1},
		},
		{
			name: "dead-lettered is not lost and does not complete",
			steps: func(l *Ledger) {
				l.Publishing(1, 100, at(0), "order.placed")
				l.Acked(1)
				l.Processed(1, "payment", false, at(1*ms))
				l.DeadLettered(1, "shipping")
				l.DeadLettered(1, "shipping") // once per pair
			},
			want: result.Events{Published: 1, Acked: 1, Processed: 1, DeadLettered: 1},
		},
		{
			name: "retried publish of the same event",
			steps: func(l *Ledger) {
				l.Publishing(1, 100, at(0), "payment.taken")
				l.Publishing(1, 100, at(0), "payment.taken")
				l.Acked(1)
				l.Processed(1, "notify", false, at(7*ms))
			},
			want:          result.Events{Published: 2, Acked: 1, PublishRetries: 1, Processed: 1},
			wantCompleted: 1, wantP50: 7,
		},
		{
			name: "subject without subscribers and unsubscribed group",
			steps: func(l *Ledger) {
				l.Publishing(1, 100, at(0), "audit.recorded")
				l.Publishing(2, 101, at(0), "nobody.listens")
				l.Acked(1)
				l.Acked(2)
				l.Processed(1, "stranger", false, at(ms))
				l.Publishing(3, 102, at(0), "payment.taken")
				l.Acked(3)
				l.Processed(3, "stranger", false, at(ms))
			},
			want:            result.Events{Published: 3, Acked: 3, Processed: 2, Lost: 1},
			wantOutstanding: 1,
		},
		{
			name:  "warm-up operations are accounted but not in completion",
			start: 1 * time.Second,
			steps: func(l *Ledger) {
				l.Publishing(1, 100, at(500*ms), "payment.taken")
				l.Acked(1)
				l.Processed(1, "notify", false, at(1200*ms))
				l.Publishing(2, 101, at(1500*ms), "payment.taken")
				l.Acked(2)
				l.Processed(2, "notify", false, at(1510*ms))
			},
			want:          result.Events{Published: 2, Acked: 2, Processed: 2},
			wantCompleted: 1, wantP50: 10,
		},
		{
			name:  "completions before Start are judged at Start",
			start: -1,
			steps: func(l *Ledger) {
				l.Publishing(1, 100, at(500*ms), "payment.taken")
				l.Acked(1)
				l.Processed(1, "notify", false, at(600*ms))
				l.Publishing(2, 101, at(1500*ms), "payment.taken")
				l.Acked(2)
				l.Processed(2, "notify", false, at(1530*ms))
				l.Start(at(time.Second))
			},
			want:          result.Events{Published: 2, Acked: 2, Processed: 2},
			wantCompleted: 1, wantP50: 30,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l := NewLedger(testSubs, 10*time.Second)
			if tt.start >= 0 {
				l.Start(at(tt.start))
			}
			tt.steps(l)
			if got := l.Outstanding(); got != tt.wantOutstanding {
				t.Errorf("Outstanding() = %d, want %d", got, tt.wantOutstanding)
			}
			v := result.Variant{Events: result.Events{MaxConsumerLag: 77}}
			l.Fill(&v)
			got := v.Events
			got.Subscribers = nil
			want := tt.want
			want.MaxConsumerLag = 77 // the engine's, untouched
			if fmt.Sprintf("%+v", got) != fmt.Sprintf("%+v", want) {
				t.Errorf("events\n got %+v\nwant %+v", got, want)
			}
			if v.Completed != tt.wantCompleted {
				t.Errorf("completed = %d, want %d", v.Completed, tt.wantCompleted)
			}
			if tt.wantCompleted > 0 && math.Abs(v.CompletionMS.P50-tt.wantP50) > tt.wantP50*0.001 {
				t.Errorf("completion p50 = %v ms, want %v", v.CompletionMS.P50, tt.wantP50)
			}
		})
	}
}

func TestLedgerSubscribers(t *testing.T) {
	l := NewLedger(testSubs, 0)
	l.Publishing(1, 1, time.Now(), "order.placed")
	l.Publishing(2, 2, time.Now(), "order.placed")
	l.Publishing(3, 3, time.Now(), "order.placed") // never acked
	l.Acked(1)
	l.Acked(2)
	l.Processed(1, "payment", false, time.Now())
	l.Processed(1, "payment", true, time.Now())
	l.Processed(2, "payment", false, time.Now())
	l.Processed(2, "shipping", false, time.Now())

	var v result.Variant
	l.Fill(&v)
	want := []result.Subscriber{
		{Subject: "order.placed", Group: "payment", Expected: 2, Processed: 3, Duplicates: 1},
		{Subject: "order.placed", Group: "shipping", Expected: 2, Processed: 1, Lost: 1},
		{Subject: "payment.taken", Group: "notify"},
	}
	if fmt.Sprint(v.Events.Subscribers) != fmt.Sprint(want) {
		t.Errorf("subscribers\n got %+v\nwant %+v", v.Events.Subscribers, want)
	}
	if v.Events.Lost != 1 {
		t.Errorf("lost = %d, want 1", v.Events.Lost)
	}
	h, err := hdr.Decode([]byte(v.Histograms.Completion))
	if err != nil || h.TotalCount() != 1 {
		t.Errorf("completion histogram: %v, %d values, want 1", err, h.TotalCount())
	}
}

func TestLedgerWideSubject(t *testing.T) {
	groups := make([]string, 70)
	for i := range groups {
		groups[i] = fmt.Sprintf("g%02d", i)
	}
	l := NewLedger(map[string][]string{"wide": groups}, 0)
	l.Start(time.Time{})
	l.Publishing(1, 1, time.Now(), "wide")
	l.Acked(1)
	for _, g := range groups[:69] {
		if !l.Processed(1, g, false, time.Now()) {
			t.Fatalf("first processing by %s not first", g)
		}
	}
	if l.Processed(1, "g68", false, time.Now()) {
		t.Errorf("duplicate by g68 (index ≥ 64) reported first")
	}
	if got := l.Outstanding(); got != 1 {
		t.Errorf("outstanding = %d, want 1", got)
	}
	l.DeadLettered(1, "g69")
	var v result.Variant
	l.Fill(&v)
	if v.Events.Lost != 0 || v.Events.DeadLettered != 1 || v.Events.Duplicates != 1 || v.Completed != 0 {
		t.Errorf("events %+v completed %d", v.Events, v.Completed)
	}
	if got := l.Outstanding(); got != 0 {
		t.Errorf("outstanding = %d, want 0", got)
	}
}

func TestLedgerNothingPublished(t *testing.T) {
	l := NewLedger(nil, 0)
	var v result.Variant
	l.Fill(&v)
	if v.CompletionMS != nil || v.Histograms.Completion != "" || v.Completed != 0 {
		t.Errorf("sync variant got completion %+v %q %d", v.CompletionMS, v.Histograms.Completion, v.Completed)
	}
	if v.Events.Subscribers == nil {
		t.Errorf("subscribers nil, want empty")
	}
}
