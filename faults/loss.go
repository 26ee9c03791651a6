package faults

import "time"

// Loss as TCP shows it to the application: not as missing bytes but as a
// segment that arrives a retransmission timeout (RTO) late, with every
// later byte waiting behind it. The model keeps Linux's RTO floor and its
// exponential backoff while losses follow one another; it leaves out fast retransmit (after three duplicate
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
	rto     time.Duration // the timeout of the last loss
	pending int64         // when the last lost segment is delivered (line time)
}

// next returns the extra delay of a segment sent at now (nanoseconds on
// the line's clock): 0 when it is not lost; minRTO for a loss when no lost
// segment is outstanding (the last one was delivered, which acknowledges
// it and resets the backoff, as an ACK of new data does in Linux); twice
// the previous timeout, up to maxRTO, for a loss while one still is.
func (r *retx) next(lost bool, now int64) time.Duration {
	if !lost {
		return 0
	}
	if r.rto == 0 || now >= r.pending {
		r.rto = minRTO
	} else {
		r.rto = min(2*r.rto, maxRTO)
	}
	r.pending = now + int64(r.rto)
	return r.rto
}
