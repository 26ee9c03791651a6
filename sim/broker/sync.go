package broker

import (
	"fmt"
	"time"

	"github.com/nats-io/nats-server/v2/server"
)

// DefaultSyncInterval is how often nats-server fsyncs a JetStream file
// store in the background when nothing else is set: until then, acked
// messages may be only in the page cache, lost by a power failure or an OS
// crash (a process kill leaves them to the kernel).
const DefaultSyncInterval = 2 * time.Minute

// Sync is how a node's JetStream file store reaches the disk, nats-server's
// sync_interval option. The zero value is nats-server's default: a
// background fsync every DefaultSyncInterval.
type Sync struct {
	// Always fsyncs after every write, before the ack (sync_interval:
	// always); Interval is then ignored.
	Always bool
	// Interval is the time between background fsyncs; 0 is
	// DefaultSyncInterval. Negative is invalid.
	Interval time.Duration
}

// String returns "default", "always" or the interval, as a scenario
// writes it.
func (s Sync) String() string {
	switch {
	case s.Always:
		return "always"
	case s.Interval == 0:
		return "default"
	}
	return s.Interval.String()
}

// check returns an error when the interval is negative.
func (s Sync) check() error {
	if s.Interval < 0 {
		return fmt.Errorf("broker: sync interval %s, want positive or 0 for the default", s.Interval)
	}
	return nil
}

// apply sets opts as nats-server's sync_interval option in a configuration
// file does ("always" keeps the default interval and sets SyncAlways).
func (s Sync) apply(opts *server.Options) {
	switch {
	case s.Always:
		opts.SyncAlways = true
		opts.SyncInterval = DefaultSyncInterval
	case s.Interval > 0:
		opts.SyncInterval = s.Interval
	default:
		opts.SyncInterval = DefaultSyncInterval
	}
}
