// Package alarm puts one goroutine to sleep until an instant and wakes it
// there whether the process is busy or idle.
//
// A Go timer alone is late when the process is idle: the runtime then
// sleeps in epoll_wait, whose timeout has millisecond resolution, so a
// timer due in 0.3 ms fires up to 1 ms late (measured: the fault layer's
// delivery lateness had p90 0.99 ms at 5,000 calls/s, and the load
// generator's send lag p50 0.49 ms at 1,000/s). A kernel timerfd registered
// in the netpoller wakes epoll_wait on time, but the netpoller is not
// consulted while every P is busy (measured: a pump woken 3.2 ms late during
// a GC mark phase). So an Alarm arms both for one sleep, and the first to
// fire ends it: the timerfd when the process is idle, the read deadline (a
// runtime timer, checked at every scheduling point) when it is busy.
//
// Linux only; elsewhere New returns nil and callers sleep on Go timers.
package alarm

import (
	"os"
	"sync/atomic"
	"time"

	"golang.org/x/sys/unix"
)

// aLongTimeAgo is a deadline in the past: it ends a Read at once.
var aLongTimeAgo = time.Unix(1, 0)

// An Alarm is slept on by one goroutine at a time (Arm, then Wait); Kick
// may be called from any goroutine.
type Alarm struct {
	fd    int
	f     *os.File
	armed atomic.Bool
	spec  unix.ItimerSpec // reused: no allocation per sleep
	buf   [8]byte
}

// New returns an Alarm, or nil if the kernel refuses a timerfd (the caller
// then sleeps on a Go timer).
func New() *Alarm {
	fd, err := unix.TimerfdCreate(unix.CLOCK_MONOTONIC, unix.TFD_NONBLOCK|unix.TFD_CLOEXEC)
	if err != nil {
		return nil
	}
	// A non-blocking descriptor: os.NewFile registers it with the
	// netpoller, so Wait parks the goroutine instead of a thread.
	return &Alarm{fd: fd, f: os.NewFile(uintptr(fd), "alarm")}
}

// Arm sets the alarm to go off after d. Call Wait next, after looking at
// whatever Kick signals: a Kick after Arm ends the Wait.
func (a *Alarm) Arm(d time.Duration) {
	a.armed.Store(true)
	a.spec.Value = unix.NsecToTimespec(int64(max(d, 1)))
	// An error cannot happen for a valid descriptor; the deadline below
	// would still end the sleep.
	_ = unix.TimerfdSettime(a.fd, 0, &a.spec, nil)
	a.f.SetReadDeadline(time.Now().Add(d))
}

// Wait blocks until the alarm goes off or is kicked. The clock that did
// not end the sleep is stopped, so it does not wake the process for
// nothing later.
func (a *Alarm) Wait() {
	if n, _ := a.f.Read(a.buf[:]); n > 0 {
		a.f.SetReadDeadline(time.Time{}) // the timerfd went off
	} else {
		a.stopTimerfd() // the deadline or a kick
	}
	a.armed.Store(false)
}

// Disarm ends a sleep that stopped before Wait: no Wait follows Arm.
func (a *Alarm) Disarm() {
	a.stopTimerfd()
	a.armed.Store(false)
}

// stopTimerfd disarms the timerfd so it does not wake the netpoller later.
func (a *Alarm) stopTimerfd() {
	a.spec.Value = unix.Timespec{}
	_ = unix.TimerfdSettime(a.fd, 0, &a.spec, nil)
}

// Kick ends a Wait early, or makes the Wait after Arm return at once.
func (a *Alarm) Kick() {
	if a.armed.Load() {
		a.f.SetReadDeadline(aLongTimeAgo)
	}
}

// Close releases the descriptor. No goroutine may be in Arm or Wait.
func (a *Alarm) Close() { a.f.Close() }
