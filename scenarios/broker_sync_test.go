package scenarios

import (
	"testing"
	"time"

	"github.com/faultline-sim/faultline/topologies"
)

// broker.sync decodes to nats-server's sync_interval: default (also when
// absent), always or a positive duration.
func TestParseBrokerSync(t *testing.T) {
	cases := []struct {
		src  []string
		want topologies.Sync
		text string
	}{
		{nil, topologies.Sync{}, "default"},
		{[]string{"broker: {nodes: 3}"}, topologies.Sync{}, "default"},
		{[]string{"broker: {sync: default}"}, topologies.Sync{}, "default"},
		{[]string{"broker: {sync: always}"}, topologies.Sync{Always: true}, "always"},
		{[]string{"broker: {nodes: 3, replicas: 3, sync: always}"}, topologies.Sync{Always: true}, "always"},
		{[]string{"broker:", "  sync: 250ms"}, topologies.Sync{Interval: 250 * time.Millisecond}, "250ms"},
		{[]string{"broker: {sync: 1m30s}"}, topologies.Sync{Interval: 90 * time.Second}, "1m30s"},
	}
	for _, c := range cases {
		s, err := Parse("q.yaml", []byte(plus(c.src...)))
		if err != nil {
			t.Errorf("%q: %v", c.src, err)
			continue
		}
		if s.Broker.Sync != c.want || s.Broker.Sync.String() != c.text {
			t.Errorf("%q: sync %+v (%s), want %+v (%s)", c.src, s.Broker.Sync, s.Broker.Sync, c.want, c.text)
		}
	}
}

// A scenario built in code with a negative interval, or always with an
// interval, is refused at the broker's line.
func TestValidateBrokerSyncBuiltInCode(t *testing.T) {
	for _, sync := range []topologies.Sync{{Interval: -time.Second}, {Always: true, Interval: time.Second}} {
		s, err := Parse("q.yaml", []byte(plus("broker: {nodes: 3}")))
		if err != nil {
			t.Fatal(err)
		}
		s.Broker.Sync = sync
		checkProblems(t, "q.yaml", s.Validate(), problem{16, "broker.sync", "must be default, always or a positive duration"})
	}
}
