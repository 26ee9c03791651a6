package service_test

import (
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/faultline-sim/faultline/sim/service"
)

func TestProcessedStoreCommitsOnce(t *testing.T) {
	var s service.ProcessedStore
	ids := []uint64{0, 1, 63, 64, 4095, 4096, 1 << 40}
	for _, id := range ids {
		if s.Seen(id) {
			t.Errorf("id %d seen before any commit", id)
		}
		applied := false
		if !s.Commit(id, func() { applied = true }) || !applied {
			t.Errorf("first commit of %d: not applied", id)
		}
		if s.Commit(id, func() { t.Errorf("id %d applied twice", id) }) {
			t.Errorf("second commit of %d succeeded", id)
		}
	}
	for _, id := range ids {
		if !s.Seen(id) {
			t.Errorf("id %d not seen after its commit", id)
		}
	}
	for _, id := range []uint64{2, 65, 4097, 1<<40 + 1} {
		if s.Seen(id) {
			t.Errorf("id %d seen, never committed", id)
		}
	}
}

func TestProcessedStoreConcurrentCommits(t *testing.T) {
	var s service.ProcessedStore
	const ids, racers = 500, 4
	var applied atomic.Int64
	var wg sync.WaitGroup
	for range racers {
		wg.Go(func() {
			for id := range uint64(ids) {
				s.Commit(id, func() { applied.Add(1) })
			}
		})
	}
	wg.Wait()
	if got := applied.Load(); got != ids {
		t.Errorf("%d applications of %d ids by %d racers, want one each", got, ids, racers)
	}
}

func TestProcessedStoresPerSubjectAndGroup(t *testing.T) {
	s := service.NewProcessedStores()
	a := s.For("orders.placed", "billing")
	if s.For("orders.placed", "billing") != a {
		t.Error("the same group got two stores")
	}
	if s.For("orders.placed", "shipping") == a || s.For("orders.paid", "billing") == a {
		t.Error("different (subject, group) share a store")
	}
}

func TestNakDelay(t *testing.T) {
	ms := time.Millisecond
	backoff := []time.Duration{10 * ms, 20 * ms, 50 * ms}
	for _, tt := range []struct {
		backoff []time.Duration
		n       uint64
		want    time.Duration
	}{
		{nil, 1, 0},
		{backoff, 1, 10 * ms},
		{backoff, 2, 20 * ms},
		{backoff, 3, 50 * ms},
		{backoff, 4, 50 * ms}, // the last repeats
		{backoff, 100, 50 * ms},
		{backoff, 0, 10 * ms}, // no metadata: as a first delivery
	} {
		if got := service.NakDelay(tt.backoff, tt.n); got != tt.want {
			t.Errorf("nakDelay(%v, %d) = %v, want %v", tt.backoff, tt.n, got, tt.want)
		}
	}
}
