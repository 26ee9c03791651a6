package sim

import (
	"testing"

	"github.com/faultline-sim/faultline/reports"
	"github.com/faultline-sim/faultline/sim/broker"
)

// notLostYet moves to Pending only as many lost pairs as the broker holds
// for the subscriber; dead-lettered and suppressed counts stay as they are.
func TestNotLostYetLeavesDeadLettersAlone(t *testing.T) {
	e := reports.Events{
		Lost: 3,
		Subscribers: []reports.Subscriber{
			{Subject: "s", Group: "a", Expected: 6, Processed: 2, DeadLettered: 2, Suppressed: 4, Lost: 2},
			{Subject: "s", Group: "b", Expected: 6, Processed: 5, Lost: 1},
		},
	}
	held := map[string]int64{broker.DurableName("s", "a"): 1, broker.DurableName("s", "b"): 7}
	notLostYet(&e, held)
	want := []reports.Subscriber{
		{Subject: "s", Group: "a", Expected: 6, Processed: 2, DeadLettered: 2, Suppressed: 4, Lost: 1, Pending: 1},
		{Subject: "s", Group: "b", Expected: 6, Processed: 5, Pending: 1},
	}
	for i, s := range e.Subscribers {
		if s != want[i] {
			t.Errorf("subscriber %d\n got %+v\nwant %+v", i, s, want[i])
		}
		if s.Expected != s.Processed+s.DeadLettered+s.Pending+s.Lost {
			t.Errorf("subscriber %s: expected %d ≠ processed + dead-lettered + pending + lost", s.Group, s.Expected)
		}
	}
	if e.Lost != 1 || e.Pending != 2 {
		t.Errorf("lost %d pending %d, want 1 and 2", e.Lost, e.Pending)
	}
}
