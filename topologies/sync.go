package topologies

import "time"

// Sync is how a broker node's JetStream file store reaches the disk,
// nats-server's sync_interval, written in a scenario `sync: default |
// always | DURATION`. Until a sync an acked message may be only in the
// page cache. The zero value is nats-server's default, a background fsync
// every two minutes. Scenarios decode it; the broker applies it.
type Sync struct {
	// Always fsyncs after every write, before the ack; Interval is then
	// ignored.
	Always bool
	// Interval is the time between background fsyncs; 0 is the default.
	// Negative is invalid.
	Interval time.Duration
}

// String returns the value as a scenario writes it: "default", "always"
// or the interval.
func (s Sync) String() string {
	switch {
	case s.Always:
		return "always"
	case s.Interval == 0:
		return "default"
	}
	return s.Interval.String()
}
