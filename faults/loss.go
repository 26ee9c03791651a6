package faults

import "time"

// Loss as TCP shows it to the application: not as missing bytes but as a
// segment that arrives a retransmission timeout (RTO) late, with every
// later byte waiting behind it. The model keeps Linux's RTO floor and its
// exponential backoff; it leaves out fast retransmit (after three duplicate
// ACKs, about one round trip instead of an RTO), SACK, the collapse of the
// congestion window after a loss, the loss of ACKs, and it loses whole
// writes (or chunks read) rather than packets.
const (
	// minRTO is the retransmission timeout of a first loss: Linux's
	// TCP_RTO_MIN. On loopback the smoothed RTT is far below it, so the
	// RTO is this floor.
	minRTO = 200 * time.Millisecond
	// maxRTO caps the backoff: Linux's TCP_RTO_MAX.
	maxRTO = 120 * time.Second
)

// retx is the retransmission backoff of one direction of one connection.
// The zero value has seen no loss. Not safe for concurrent use; a line
// guards it with its mutex.
type retx struct {
	rto time.Duration // the timeout of the last loss; 0 after a delivered segment
}

// next returns the extra delay of a segment: 0 when it is not lost (which
// resets the backoff), else minRTO for a first loss and twice the previous
// timeout for each consecutive one, up to maxRTO.
func (r *retx) next(lost bool) time.Duration {
	switch {
	case !lost:
		r.rto = 0
	case r.rto == 0:
		r.rto = minRTO
	default:
		r.rto = min(2*r.rto, maxRTO)
	}
	return r.rto
}
