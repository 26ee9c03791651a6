package metrics

import (
	"reflect"
	"testing"
	"time"

	"github.com/faultline-sim/faultline/reports/result"
)

// FillUnprocessed lists exactly the pairs Fill counts as lost, with each
// event's stream sequence from its ack (0 for fire-and-forget) and whether
// the group's last allowed delivery failed.
func TestLedgerFillUnprocessed(t *testing.T) {
	l := NewLedger(map[string][]string{"s": {"a", "b"}}, time.Second)
	now := time.Now()
	for id := uint64(1); id <= 4; id++ {
		l.Publishing(id, id, now, "s")
	}
	l.AckedAt(1, 11, false)
	l.AckedAt(2, 12, false)
	l.AckedAt(2, 12, true) // a retry's duplicate ack: counted, seq kept
	l.Sent(3)
	// 4 is never acked nor sent: not expected.
	l.Processed(1, "a", false, now)
	l.Processed(1, "b", false, now)
	l.Processed(2, "a", false, now)
	l.Failed(2, "b", false, false)
	l.Exhausted(2, "b")
	l.Exhausted(3, "a")
	l.DeadLettered(3, "a")
	var v result.Variant
	pairs := l.FillUnprocessed(&v)
	want := []UnprocessedPair{
		{Event: 2, Seq: 12, Subject: "s", Group: "b", Exhausted: true},
		{Event: 3, Seq: 0, Subject: "s", Group: "b"},
	}
	if len(pairs) == 2 && pairs[0].Event > pairs[1].Event {
		pairs[0], pairs[1] = pairs[1], pairs[0]
	}
	if !reflect.DeepEqual(pairs, want) {
		t.Errorf("unprocessed %+v, want %+v", pairs, want)
	}
	if v.Events.Lost != 2 || v.Events.BrokerDuplicates != 1 {
		t.Errorf("lost %d broker duplicates %d, want 2 and 1", v.Events.Lost, v.Events.BrokerDuplicates)
	}
	if got := l.Outstanding(); got != 2 {
		t.Errorf("outstanding %d, want 2 (an exhausted pair is still unprocessed)", got)
	}
}
