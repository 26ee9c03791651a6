package broker

import (
	"fmt"
	"time"

	"github.com/nats-io/nats-server/v2/server"

	"github.com/faultline-sim/faultline/topologies"
)

// DefaultSyncInterval is how often nats-server fsyncs a JetStream file
// store in the background when nothing else is set: until then, acked
// messages may be only in the page cache, lost by a power failure or an OS
// crash (a process kill leaves them to the kernel).
const DefaultSyncInterval = 2 * time.Minute

// checkSync returns an error when the interval is negative.
func checkSync(s topologies.Sync) error {
	if s.Interval < 0 {
		return fmt.Errorf("broker: sync interval %s, want positive or 0 for the default", s.Interval)
	}
	return nil
}

// applySync sets opts as nats-server's sync_interval option in a configuration
// file does ("always" keeps the default interval and sets SyncAlways).
func applySync(s topologies.Sync, opts *server.Options) {
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
