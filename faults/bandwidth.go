package faults

import "time"

// burstTime is how much traffic a bandwidth limit lets through at once: a
// bucket holds rate×burstTime bytes (at least 1). 20 ms is well above the
// ~1 ms timer granularity, so pacing does not fall short of the rate
// because of late wake-ups.
const burstTime = 20 * time.Millisecond

// bucket is a token bucket of bytes. It is a pure function of the times it
// is given (nanoseconds on any monotonic scale), so it tests without a
// clock. The zero value is unlimited.
type bucket struct {
	rate   int64   // bytes per second; 0: unlimited
	burst  float64 // capacity in bytes
	tokens float64
	last   int64 // when tokens was last brought up to date
}

// setRate changes the rate at time now. A new limit starts with a full
// bucket; a changed one keeps what it holds up to the new capacity.
func (b *bucket) setRate(rate int64, now int64) {
	if rate == b.rate {
		return
	}
	was := b.rate
	b.refill(now)
	b.rate = rate
	if rate <= 0 {
		b.rate, b.burst, b.tokens = 0, 0, 0
		return
	}
	b.burst = max(float64(rate)*burstTime.Seconds(), 1)
	if was <= 0 || b.tokens > b.burst {
		b.tokens = b.burst
	}
	b.last = now
}

func (b *bucket) refill(now int64) {
	if b.rate <= 0 {
		return
	}
	if el := now - b.last; el > 0 {
		b.tokens = min(b.burst, b.tokens+float64(el)*float64(b.rate)/1e9)
	}
	b.last = now
}

// take asks for up to want bytes at time now. It grants n > 0 bytes when
// the bucket holds at least min(want, burst) tokens — so a large chunk is
// cut into bursts rather than trickled byte by byte — and otherwise
// returns how long to wait before asking again.
func (b *bucket) take(now int64, want int) (n int, wait time.Duration) {
	if b.rate <= 0 || want <= 0 {
		return want, 0
	}
	b.refill(now)
	need := min(float64(want), b.burst)
	if b.tokens < need {
		short := need - b.tokens
		return 0, time.Duration(short*1e9/float64(b.rate)) + 1
	}
	n = min(want, int(b.tokens))
	b.tokens -= float64(n)
	return n, 0
}
