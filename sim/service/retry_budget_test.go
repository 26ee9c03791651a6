package service

import (
	"testing"
	"time"
)

func TestRetryBudgetCapsRetriesAtAShareOfCalls(t *testing.T) {
	b := newRetryBudget(0.1, 0)
	now := time.Unix(0, 0)
	retries := 0
	for range 1000 {
		b.RecordExecution()
		// Every call fails and asks for 3 retries.
		for range 3 {
			if b.withdraw(now) {
				retries++
			}
		}
	}
	if retries != 100 {
		t.Errorf("%d retries for 1000 calls at budget 0.1, want 100", retries)
	}
}

func TestRetryBudgetMinimumPerSecond(t *testing.T) {
	b := newRetryBudget(0.1, 3)
	now := time.Unix(0, 0)
	got := 0
	for range 10 {
		if b.withdraw(now) {
			got++
		}
	}
	if got != 3 {
		t.Fatalf("%d retries without calls, want the minimum 3", got)
	}
	if b.withdraw(now.Add(100 * time.Millisecond)) {
		t.Error("a retry 100ms later: the minimum refills at 3/s, so none yet")
	}
	if !b.withdraw(now.Add(time.Second)) {
		t.Error("no retry a second later")
	}
}

func TestRetryBudgetBalanceIsCapped(t *testing.T) {
	b := newRetryBudget(0.5, 0)
	for range 10_000 {
		b.RecordExecution() // a long healthy period
	}
	if got := b.Rate(); got != 50 {
		t.Fatalf("balance %v after 10,000 calls at 0.5, want the cap 50", got)
	}
}
