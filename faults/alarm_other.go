//go:build !linux

package faults

import "time"

// alarm is Linux-only (a timerfd); elsewhere lines sleep on Go timers,
// which are up to a millisecond late when the process is idle.
type alarm struct{}

func newAlarm() *alarm               { return nil }
func (a *alarm) arm(d time.Duration) {}
func (a *alarm) wait()               {}
func (a *alarm) kick()               {}
func (a *alarm) disarm()             {}
func (a *alarm) close()              {}
