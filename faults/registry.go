package faults

import (
	"slices"
	"sync"
)

// registry holds every kind by key.
var registry = struct {
	sync.RWMutex
	kinds map[string]func() Kind
}{kinds: map[string]func() Kind{}}

// Register makes a kind known by key: new returns a zero value of it,
// ready to Decode. Each kind registers itself from its file's init; a key
// registered twice panics, as it is a programming error.
func Register(key string, new func() Kind) {
	registry.Lock()
	defer registry.Unlock()
	if _, dup := registry.kinds[key]; dup {
		panic("faults: kind " + key + " registered twice")
	}
	registry.kinds[key] = new
}

// New returns a zero value of the kind registered as key, or nil.
func New(key string) Kind {
	registry.RLock()
	defer registry.RUnlock()
	if n := registry.kinds[key]; n != nil {
		return n()
	}
	return nil
}

// Keys returns the key of every registered kind, sorted.
func Keys() []string {
	registry.RLock()
	defer registry.RUnlock()
	keys := make([]string, 0, len(registry.kinds))
	for k := range registry.kinds {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
