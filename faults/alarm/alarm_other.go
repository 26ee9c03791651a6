//go:build !linux

package alarm

import "time"

// Alarm is Linux-only (a timerfd); elsewhere New returns nil and callers
// sleep on Go timers, which are up to a millisecond late when the process
// is idle.
type Alarm struct{}

func New() *Alarm                    { return nil }
func (a *Alarm) Arm(d time.Duration) {}
func (a *Alarm) Wait()               {}
func (a *Alarm) Disarm()             {}
func (a *Alarm) Kick()               {}
func (a *Alarm) Close()              {}
