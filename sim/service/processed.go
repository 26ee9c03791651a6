package service

import "sync"

// ProcessedStore is the processed-id store of one idempotent consumer
// group: the ids of the events the group applied. It stands for a table
// with a unique key in a database every replica of the group shares;
// Commit is the transaction that applies an event and inserts its id.
//
// Event ids are dense (a variant numbers them from 1), so the store is a
// bitset in pages of pageIDs ids: memory is one bit per id up to the
// largest seen, about 125 KB per million events, kept for the run only
// (the store lives as long as its world). Safe for concurrent use.
type ProcessedStore struct {
	mu    sync.Mutex
	pages map[uint64]*page
}

const pageIDs = 4096

type page [pageIDs / 64]uint64

// Seen reports whether the event was already applied.
func (s *ProcessedStore) Seen(event uint64) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.has(event)
}

// Commit applies the event once: unless its id is already stored, it calls
// apply and stores the id, both under the store's lock, as one
// transaction; it reports whether it did. A false return is the unique-key
// violation of a concurrent or earlier application: the transaction rolls
// back and apply is not called.
func (s *ProcessedStore) Commit(event uint64, apply func()) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.has(event) {
		return false
	}
	apply()
	p := s.pages[event/pageIDs]
	if p == nil {
		if s.pages == nil {
			s.pages = make(map[uint64]*page)
		}
		p = new(page)
		s.pages[event/pageIDs] = p
	}
	i := event % pageIDs
	p[i/64] |= 1 << (i % 64)
	return true
}

// has reports whether event is stored. s.mu is held.
func (s *ProcessedStore) has(event uint64) bool {
	p := s.pages[event/pageIDs]
	i := event % pageIDs
	return p != nil && p[i/64]&(1<<(i%64)) != 0
}

// ProcessedStores holds one ProcessedStore per (subject, group) of a
// variant. The world creates one and passes it to every replica in
// Config.Processed, so the replicas of a group share their store. The zero
// value is ready to use; safe for concurrent use.
type ProcessedStores struct {
	mu     sync.Mutex
	stores map[[2]string]*ProcessedStore
}

// NewProcessedStores returns an empty set of stores.
func NewProcessedStores() *ProcessedStores { return &ProcessedStores{} }

// For returns the store of group on subject, creating it on first use.
func (s *ProcessedStores) For(subject, group string) *ProcessedStore {
	s.mu.Lock()
	defer s.mu.Unlock()
	key := [2]string{subject, group}
	st := s.stores[key]
	if st == nil {
		if s.stores == nil {
			s.stores = make(map[[2]string]*ProcessedStore)
		}
		st = &ProcessedStore{}
		s.stores[key] = st
	}
	return st
}
