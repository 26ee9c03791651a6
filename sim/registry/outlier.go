package registry

import "sync/atomic"

// Outcome is a call's result as discovery counts it.
type Outcome uint8

const (
	// Succeeded resets the replica's consecutive failures.
	Succeeded Outcome = iota
	// Failed counts toward ejecting the replica: the caller decides which
	// errors are the replica's fault.
	Failed
	// Ignored neither counts nor resets (e.g. the caller gave up).
	Ignored
)

// endpointState is what one caller knows about one replica. Times are on
// the client's clock (Client.now).
type endpointState struct {
	outstanding  atomic.Int64 // calls in flight from this caller
	failures     atomic.Int64 // consecutive failed calls
	ejectedUntil atomic.Int64 // ejected while now < ejectedUntil
}

func (s *endpointState) ejected(now int64) bool { return now < s.ejectedUntil.Load() }

// observe is passive outlier detection: the ConsecutiveFailures-th failure
// in a row ejects the replica from this caller's choices for EjectFor (and
// restarts the count). A replica failing again while still ejected, picked
// because every replica was ejected, has its ejection extended without
// counting a new one.
func (c *Client) observe(s *endpointState, o Outcome) {
	switch o {
	case Succeeded:
		if s.failures.Load() != 0 {
			s.failures.Store(0)
		}
	case Failed:
		if s.failures.Add(1) != int64(c.outlier.ConsecutiveFailures) {
			return
		}
		s.failures.Store(0)
		now := c.now()
		was := s.ejected(now)
		s.ejectedUntil.Store(now + int64(c.outlier.EjectFor))
		if !was {
			c.ejections.Add(1)
		}
	}
}
