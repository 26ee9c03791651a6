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
// pure function of (seed, service, operation, attempt), so a run asks the
// same of every service whatever the scheduling, and two runs with the same
// seed ask the same. Safe for concurrent use; allocates nothing.
type Sampler struct {
	key       uint64
	fixed     time.Duration
	mu, sigma float64
	errorRate float64
}

// NewSampler returns the sampler of service s under seed.
func NewSampler(seed uint64, s *topologies.Service) Sampler {
	h := fnv.New64a()
	h.Write([]byte(s.Name))
	sm := Sampler{key: mix(seed ^ h.Sum64()), errorRate: s.ErrorRate}
	if s.Work.Fixed() {
		sm.fixed = s.Work.P50
	} else {
		sm.mu = math.Log(float64(s.Work.P50))
		sm.sigma = (math.Log(float64(s.Work.P99)) - sm.mu) / z99
	}
	return sm
}

// Work returns the work time of attempt of operation op.
func (s Sampler) Work(op, attempt uint64) time.Duration {
	if s.sigma == 0 {
		return s.fixed
	}
	u1, u2 := s.uniform(op, attempt, 1), s.uniform(op, attempt, 2)
	z := math.Sqrt(-2*math.Log(u1)) * math.Cos(2*math.Pi*u2)
	return time.Duration(math.Exp(s.mu + s.sigma*z))
}

// Fails reports whether attempt of operation op fails with an injected error.
func (s Sampler) Fails(op, attempt uint64) bool {
	return s.errorRate > 0 && s.uniform(op, attempt, 3) < s.errorRate
}

// FailsAt is Fails with rate in place of the service's error rate.
func (s Sampler) FailsAt(rate float64, op, attempt uint64) bool {
	return rate > 0 && s.uniform(op, attempt, 3) < rate
}

// Poisoned reports whether event is one of the share rate of events that
// can never be processed: a function of the event alone, so every delivery
// of it agrees.
func (s Sampler) Poisoned(rate float64, event uint64) bool {
	return rate > 0 && s.uniform(event, 0, 4) < rate
}

// uniform returns a value in (0, 1).
func (s Sampler) uniform(op, attempt, salt uint64) float64 {
	x := mix(s.key ^ mix(op^mix(attempt<<8|salt)))
	return (float64(x>>11) + 0.5) / (1 << 53)
}

// mix is the splitmix64 finalizer.
func mix(x uint64) uint64 {
	x += 0x9e3779b97f4a7c15
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9
	x = (x ^ (x >> 27)) * 0x94d049bb133111eb
	return x ^ (x >> 31)
}
