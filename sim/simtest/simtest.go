// Package simtest holds the helpers the tests of every package share: a
// bounded context for a test's blocking calls and bounded polling for a
// state that has no signal to wait on. It imports only the standard
// library, so the tests of any package, in-package ones included, can use
// it without an import cycle.
package simtest

import (
	"context"
	"testing"
	"time"
)

// Bounds of Context and of polling. Both are further cut short by the test
// binary's deadline (go test -timeout) when that comes first, so a stuck
// test fails with its own message rather than the binary's panic.
const (
	// ContextTimeout bounds the context Context returns; nothing in a
	// test should come close to it.
	ContextTimeout = 30 * time.Second
	// PollTimeout bounds Eventually and EventuallyWhy.
	PollTimeout = 10 * time.Second
)

// Polling starts at pollMin between checks and backs off to pollMax.
const (
	pollMin = time.Millisecond
	pollMax = 10 * time.Millisecond
)

// deadlineMargin is left before the test binary's deadline, for the
// failure to be reported and the cleanups to run.
const deadlineMargin = 2 * time.Second

// Context returns t's context (cancelled when the test ends) with a
// timeout of ContextTimeout, for the test's blocking calls.
func Context(t testing.TB) context.Context {
	ctx, cancel := context.WithDeadline(t.Context(), deadline(t, ContextTimeout))
	t.Cleanup(cancel)
	return ctx
}

// Eventually polls cond until it holds and fails the test if it does not
// within PollTimeout. It is for a state with no signal to wait on, never
// for start-up where a ready signal exists; what names the state in the
// failure.
func Eventually(t testing.TB, what string, cond func() bool) {
	t.Helper()
	EventuallyWhy(t, what, func() (bool, string) { return cond(), "not reached" })
}

// EventuallyWhy is Eventually for a cond that also says what it saw: the
// failure reports the last one.
func EventuallyWhy(t testing.TB, what string, cond func() (ok bool, got string)) {
	t.Helper()
	start := time.Now()
	end := deadline(t, PollTimeout)
	for wait := pollMin; ; wait = min(2*wait, pollMax) {
		ok, got := cond()
		if ok {
			return
		}
		if !time.Now().Before(end) {
			t.Fatalf("%s: still %s after %v", what, got, time.Since(start).Round(time.Millisecond))
		}
		time.Sleep(wait)
	}
}

// deadline returns d from now, or deadlineMargin before the test binary's
// deadline if that is sooner (but never in the past).
func deadline(t testing.TB, d time.Duration) time.Time {
	now := time.Now()
	end := now.Add(d)
	if dt, ok := t.(interface{ Deadline() (time.Time, bool) }); ok {
		if bin, ok := dt.Deadline(); ok && bin.Add(-deadlineMargin).Before(end) {
			end = bin.Add(-deadlineMargin)
			if end.Before(now) {
				end = now
			}
		}
	}
	return end
}
