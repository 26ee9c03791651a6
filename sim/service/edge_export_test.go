package service

import (
	"time"

	"github.com/faultline-sim/faultline/topologies"
)

// RetryDelays returns the delays before retries 1..n of an edge from caller
// to callee with retry r, drawn as the edge draws them. Exported for tests
// only.
func RetryDelays(r *topologies.Retry, seed uint64, caller, callee string, n int) []time.Duration {
	er := newEdgeRetry(r, seed, caller, callee)
	out := make([]time.Duration, n)
	for i := range out {
		out[i] = er.delay(i + 1)
	}
	return out
}
