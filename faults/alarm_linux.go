package faults

import (
	"os"
	"sync/atomic"
	"time"

	"golang.org/x/sys/unix"
)

// An alarm puts one goroutine to sleep until an instant, and wakes it there
// whether the process is busy or idle. A Go timer alone is late when the
// process is idle: the runtime then sleeps in epoll_wait, whose timeout has
// millisecond resolution, so a timer due in 0.3 ms fires up to 1 ms late
// (measured: the pump's own lateness had p90 0.99 ms at 5,000 calls/s). A
// kernel timerfd registered in the netpoller wakes epoll_wait on time, but
// the netpoller is not consulted while both Ps are busy (measured: a pump
// woken 3.2 ms late during a GC mark phase). So an alarm arms both, and the
// first to fire ends the sleep: the timerfd when the process is idle, the
// read deadline (a runtime timer, checked at every scheduling point) when
// it is busy.
//
// One goroutine sleeps at a time (the holder of the line's cmu); kick may be
// called from any goroutine.
type alarm struct {
	fd    int
	f     *os.File
	armed atomic.Bool
	spec  unix.ItimerSpec // reused: no allocation per sleep
	buf   [8]byte
}

// newAlarm returns an alarm, or nil if the kernel refuses a timerfd (the
// caller then sleeps on a Go timer).
func newAlarm() *alarm {
	fd, err := unix.TimerfdCreate(unix.CLOCK_MONOTONIC, unix.TFD_NONBLOCK|unix.TFD_CLOEXEC)
	if err != nil {
		return nil
	}
	// A non-blocking descriptor: os.NewFile registers it with the
	// netpoller, so Read parks the goroutine instead of a thread.
	return &alarm{fd: fd, f: os.NewFile(uintptr(fd), "faults-alarm")}
}

// arm sets the alarm to go off after d (> 0). Call wait next, after
// checking whatever kick signals.
func (a *alarm) arm(d time.Duration) {
	a.armed.Store(true)
	a.spec.Value = unix.NsecToTimespec(int64(max(d, 1)))
	if err := unix.TimerfdSettime(a.fd, 0, &a.spec, nil); err != nil {
		// Cannot happen for a valid descriptor; the deadline below still
		// ends the sleep.
		a.spec.Value = unix.Timespec{}
	}
	a.f.SetReadDeadline(time.Now().Add(d))
}

// wait blocks until the alarm goes off or is kicked.
func (a *alarm) wait() {
	a.f.Read(a.buf[:])
	a.armed.Store(false)
}

// disarm records that no wait follows arm (the sleep ended before it).
func (a *alarm) disarm() { a.armed.Store(false) }

// kick ends a sleep in wait early (or makes the next wait return at once).
func (a *alarm) kick() {
	if a.armed.Load() {
		a.f.SetReadDeadline(aLongTimeAgo)
	}
}

// close releases the descriptor. No goroutine may be in arm or wait.
func (a *alarm) close() { a.f.Close() }
