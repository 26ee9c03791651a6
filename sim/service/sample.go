package service

import (
	"hash/fnv"
	"math"
	"time"

	"github.com/faultline-sim/faultline/topologies"
)

// z99 is the standard normal quantile of 0.99.
const z99 = 2.3263478740408408

// Sampler draws a service's work times and injected errors. Every draw is a
// pure function of (seed, service, operation, hop, attempt), so a run asks
// the same of every service whatever the scheduling, and two runs with the
// same seed ask the same. Each attempt of a call (a retry, a redelivery)
// draws afresh: a transient error is as likely on the retry as on the first
// try, independently. The hop (see ChildHop, EventHop) tells apart the
// handlings of one operation by one service reached by different paths;
// hop 0 is a request from a caller that does not send one. A sticky error
// rate draws from (seed, service, operation) alone: every attempt of a
// failing operation fails. Safe for concurrent use; allocates nothing.
type Sampler struct {
	key       uint64
	fixed     time.Duration
	mu, sigma float64
	errorRate float64
	sticky    bool
}

// NewSampler returns the sampler of service s under seed.
func NewSampler(seed uint64, s *topologies.Service) Sampler {
	h := fnv.New64a()
	h.Write([]byte(s.Name))
	sm := Sampler{key: mix(seed ^ h.Sum64()), errorRate: s.ErrorRate, sticky: s.ErrorSticky}
	if s.Work.Fixed() {
		sm.fixed = s.Work.P50
	} else {
		sm.mu = math.Log(float64(s.Work.P50))
		sm.sigma = (math.Log(float64(s.Work.P99)) - sm.mu) / z99
	}
	return sm
}

// Work returns the work time of attempt (from 1) of operation op at hop.
func (s Sampler) Work(op, hop, attempt uint64) time.Duration {
	if s.sigma == 0 {
		return s.fixed
	}
	u1, u2 := s.uniform(op, hop, attempt, 1), s.uniform(op, hop, attempt, 2)
	z := math.Sqrt(-2*math.Log(u1)) * math.Cos(2*math.Pi*u2)
	return time.Duration(math.Exp(s.mu + s.sigma*z))
}

// Fails reports whether attempt of operation op at hop fails with an
// injected error under the service's error rate (and its stickiness).
func (s Sampler) Fails(op, hop, attempt uint64) bool {
	return s.FailsAt(s.errorRate, s.sticky, op, hop, attempt)
}

// FailsAt is Fails with rate and sticky in place of the service's own: a
// transient rate draws per (operation, hop, attempt), a sticky one per
// operation alone.
func (s Sampler) FailsAt(rate float64, sticky bool, op, hop, attempt uint64) bool {
	if rate <= 0 {
		return false
	}
	if sticky {
		hop, attempt = 0, 0 // attempts count from 1: no transient draw uses 0
	}
	return s.uniform(op, hop, attempt, 3) < rate
}

// Poisoned reports whether event is one of the share rate of events that
// can never be processed: a function of the event alone, so every delivery
// of it agrees.
func (s Sampler) Poisoned(rate float64, event uint64) bool {
	return rate > 0 && s.uniform(event, 0, 0, 4) < rate
}

// uniform returns a value in (0, 1).
func (s Sampler) uniform(op, hop, attempt, salt uint64) float64 {
	a := mix(attempt<<8 | salt)
	if hop != 0 {
		a = mix(a ^ hop)
	}
	x := mix(s.key ^ mix(op^a))
	return (float64(x>>11) + 0.5) / (1 << 53)
}

// ChildHop returns the hop of call index (from 0) made by a handling at
// hop parent, attempt parentAttempt: the path through the operation's call
// tree, so a retried parent's calls draw afresh too. The load client's
// requests are at hop 0 attempt 0; the gateway's call to the entry service
// is ChildHop(0, 0, 0). Never 0.
func ChildHop(parent, parentAttempt uint64, index int) uint64 {
	return mix(parent^mix(parentAttempt<<16^uint64(index)+1)) | 1
}

// EventHop returns the hop of the handlings of events of subject by
// consumer group: their attempt is the delivery number. Never 0.
func EventHop(subject, group string) uint64 {
	h := fnv.New64a()
	h.Write([]byte(subject))
	h.Write([]byte{0})
	h.Write([]byte(group))
	return mix(h.Sum64()) | 1
}

// mix is the splitmix64 finalizer.
func mix(x uint64) uint64 {
	x += 0x9e3779b97f4a7c15
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9
	x = (x ^ (x >> 27)) * 0x94d049bb133111eb
	return x ^ (x >> 31)
}
