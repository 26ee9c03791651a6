package load

import (
	"context"
	"time"

	"github.com/faultline-sim/faultline/faults/alarm"
	"github.com/faultline-sim/faultline/sim/metrics"
)

// handoff is what became of one request given to dispatch.
type handoff uint8

const (
	handedOff handoff = iota // a worker has it
	dropped                  // every worker busy past the give-up time
	stopped                  // ctx done or Wait gave up
)

// scheduler is the state of one Run's scheduling loop. It lives on Run's
// goroutine only.
type scheduler struct {
	g        *Generator
	start    time.Time
	end      time.Duration // Warmup + Duration
	giveUpAt time.Time
	done     <-chan struct{}
	wake     *time.Timer // reused for every wait without an alarm
	alarm    *alarm.Alarm
	giveUp   *time.Timer // reused while blocked on a full pool
	workers  int
}

// schedule offers and dispatches every request of the schedule in order,
// sleeping until the next one is due and dispatching all that are due at
// each wake. Sleeps of alarmFrom or more are taken on an alarm
// (faults/alarm), which wakes on time whether the process is idle or busy:
// on a Go timer alone, requests left 0.49 ms late at p50 at 1,000/s, where
// the process is mostly idle, and 0.08 ms late on the alarm. Shorter sleeps
// use one reused timer. It returns the offset at which it stopped.
func (g *Generator) schedule(ctx context.Context, start time.Time) time.Duration {
	end := g.cfg.Warmup + g.cfg.Duration
	s := &scheduler{
		g:        g,
		start:    start,
		end:      end,
		giveUpAt: start.Add(end + giveUpAfter),
		done:     ctx.Done(),
		wake:     time.NewTimer(time.Hour),
		giveUp:   time.NewTimer(time.Hour),
	}
	s.wake.Stop()
	s.giveUp.Stop()
	defer s.wake.Stop()
	defer s.giveUp.Stop()
	if s.alarm = alarm.New(); s.alarm != nil {
		defer s.alarm.Close()
		g.alarm.Store(s.alarm) // abort kicks it
		defer g.alarm.Store(nil)
		defer context.AfterFunc(ctx, s.alarm.Kick)()
	}

	for n := uint64(0); ; n++ {
		at := g.cfg.Pacer.At(n)
		if at >= end {
			return end
		}
		intended := start.Add(at)
		if d := time.Until(intended); d > 0 {
			if !s.sleep(d) {
				return s.stopAt(n)
			}
		} else {
			select {
			case <-s.done:
				return s.stopAt(n)
			case <-g.stop:
				return s.stopAt(n)
			default:
			}
		}
		g.offer(at)
		if s.dispatch(job{n: n, at: at, intended: intended}) == stopped {
			return s.stopAt(n + 1)
		}
	}
}

// sleep waits d, and reports false if ctx is done or Wait gave up first.
func (s *scheduler) sleep(d time.Duration) bool {
	if s.alarm == nil || d < alarmFrom {
		s.wake.Reset(d)
		select {
		case <-s.wake.C:
			return true
		case <-s.done:
			return false
		case <-s.g.stop:
			return false
		}
	}
	// Armed before looking: a stop after this look kicks the armed alarm.
	s.alarm.Arm(d)
	if s.stopped() {
		s.alarm.Disarm()
		return false
	}
	s.alarm.Wait()
	return !s.stopped() // a kick comes only with a stop
}

// alarmFrom is the shortest sleep taken on the alarm. Shorter sleeps mean a
// busy process, where Go timers fire on time (send lag p50 0.014–0.018 ms at
// 5,000/s) and an alarm per request only costs: with it on every 200 µs
// sleep at 5,000/s, CPU rose from 14.0 to 15.2 s (user+sys) and p99 from
// 4.8 to 8.4–10.2 ms in one-hop runs.
const alarmFrom = 500 * time.Microsecond

// stopped reports whether ctx is done or Wait gave up.
func (s *scheduler) stopped() bool {
	select {
	case <-s.done:
		return true
	case <-s.g.stop:
		return true
	default:
		return false
	}
}

// dispatch hands j to an idle worker, or to a new one while the pool is
// below MaxInFlight, or else blocks until a worker is free. It gives up
// (dropped) once the schedule ended more than giveUpAfter ago.
func (s *scheduler) dispatch(j job) handoff {
	g := s.g
	select {
	case g.jobs <- j:
		return handedOff
	default:
	}
	if s.workers < g.cfg.MaxInFlight {
		s.workers++
		g.workers.Add(1)
		go g.worker(j)
		return handedOff
	}
	wait := time.Until(s.giveUpAt)
	if wait <= 0 {
		return dropped
	}
	s.giveUp.Reset(wait)
	select {
	case g.jobs <- j:
		return handedOff
	case <-s.giveUp.C:
		return dropped
	case <-s.done:
		return stopped
	case <-g.stop:
		return stopped
	}
}

// stopAt ends scheduling now: requests from n on whose intended time has
// passed are offered but never sent (dropped); later ones are not offered.
// It returns the offset of now, at most the end of the schedule.
func (s *scheduler) stopAt(n uint64) time.Duration {
	cut := min(time.Since(s.start), s.end)
	for ; ; n++ {
		at := s.g.cfg.Pacer.At(n)
		if at >= s.end || at > cut {
			return cut
		}
		s.g.offer(at)
	}
}

// offer counts one scheduled request if it is in the recorded window.
func (g *Generator) offer(at time.Duration) {
	if g.cfg.Recorder != nil && at >= g.cfg.Warmup {
		g.cfg.Recorder.Offered(at - g.cfg.Warmup)
	}
}

// worker performs first, then every job it receives until jobs is closed.
func (g *Generator) worker(first job) {
	defer g.workers.Done()
	for j, ok := first, true; ok; j, ok = <-g.jobs {
		g.do(j)
	}
}

// do performs one request and records it. Latency runs from the intended
// time, so time spent waiting for a worker counts.
func (g *Generator) do(j job) {
	rec := g.cfg.Recorder
	recorded := rec != nil && j.at >= g.cfg.Warmup
	off := j.at - g.cfg.Warmup
	if recorded {
		rec.Sent(off, time.Since(j.intended))
	}
	n := g.inFlight.Add(1)
	if rec != nil {
		rec.InFlight(n)
	}
	ctx, cancel := context.WithTimeout(g.reqCtx, g.cfg.Timeout)
	err := g.cfg.Target(ctx, j.n, j.intended)
	cancel()
	latency := time.Since(j.intended)
	g.inFlight.Add(-1)
	if recorded {
		o := metrics.OutcomeOf(err)
		rec.Record(off, latency, o)
		if err != nil {
			rec.Error(o, err)
		}
	}
}
