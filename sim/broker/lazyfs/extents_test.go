package lazyfs

import (
	"bytes"
	"math/rand/v2"
	"testing"
)

// TestExtentsModel checks the dirty-range set against a plain byte
// slice under random writes and truncations: same bytes, same end,
// runs sorted, disjoint and not touching, bytes counted right.
func TestExtentsModel(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for round := range 200 {
		var x extents
		var model []byte // model[i] != 0 means dirty with that value
		for step := range 60 {
			if rng.IntN(10) == 0 {
				size := rng.IntN(300)
				x.truncate(int64(size))
				if size < len(model) {
					model = model[:size]
				}
			} else {
				off := rng.IntN(256)
				p := bytes.Repeat([]byte{byte(1 + rng.IntN(255))}, 1+rng.IntN(64))
				x.write(int64(off), p)
				if need := off + len(p); need > len(model) {
					model = append(model, make([]byte, need-len(model))...)
				}
				copy(model[off:], p)
			}
			for len(model) > 0 && model[len(model)-1] == 0 {
				model = model[:len(model)-1]
			}
			checkExtents(t, round, step, &x, model)
		}
	}
}

func checkExtents(t *testing.T, round, step int, x *extents, model []byte) {
	t.Helper()
	if x.end() != int64(len(model)) {
		t.Fatalf("round %d step %d: end %d, want %d", round, step, x.end(), len(model))
	}
	var count int64
	prevEnd := int64(-1)
	for _, e := range x.list {
		if len(e.data) == 0 || e.off <= prevEnd {
			t.Fatalf("round %d step %d: runs not sorted, disjoint and apart: %v", round, step, x.list)
		}
		prevEnd = e.end()
		count += int64(len(e.data))
	}
	if count != x.bytes {
		t.Fatalf("round %d step %d: bytes %d, runs hold %d", round, step, x.bytes, count)
	}
	var dirty int64
	for _, b := range model {
		if b != 0 {
			dirty++
		}
	}
	if dirty != count {
		t.Fatalf("round %d step %d: %d dirty bytes, model has %d", round, step, count, dirty)
	}
	got := make([]byte, len(model)+8)
	x.overlay(got, 0)
	if !bytes.Equal(got[:len(model)], model) || !bytes.Equal(got[len(model):], make([]byte, 8)) {
		t.Fatalf("round %d step %d: overlay differs from the model", round, step)
	}
	// A window in the middle.
	if len(model) > 10 {
		w := make([]byte, 7)
		x.overlay(w, 3)
		if !bytes.Equal(w, model[3:10]) {
			t.Fatalf("round %d step %d: windowed overlay differs", round, step)
		}
	}
}

// TestExtentsAppendInPlace: a stream of appends stays one run.
func TestExtentsAppendInPlace(t *testing.T) {
	var x extents
	for i := range 1000 {
		x.write(int64(i*10), bytes.Repeat([]byte{'a'}, 10))
	}
	if len(x.list) != 1 || x.bytes != 10000 || x.end() != 10000 {
		t.Fatalf("after appends: %d runs, %d bytes, end %d", len(x.list), x.bytes, x.end())
	}
}
