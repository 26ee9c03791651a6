package lazyfs

import "sort"

// extent is one run of dirty bytes: data written at off and not yet
// fsynced.
type extent struct {
	off  int64
	data []byte
}

func (e extent) end() int64 { return e.off + int64(len(e.data)) }

// extents is the set of dirty byte ranges of one file: sorted by
// offset, never overlapping and never touching (a write next to a run
// joins it). The zero value is an empty set. It is not safe for
// concurrent use; lazyFile guards it.
type extents struct {
	list  []extent
	bytes int64
}

// write records p as written at off. p is copied.
func (x *extents) write(off int64, p []byte) {
	if len(p) == 0 {
		return
	}
	end := off + int64(len(p))
	// Runs i..j-1 overlap or touch [off, end].
	i := sort.Search(len(x.list), func(k int) bool { return x.list[k].end() >= off })
	j := sort.Search(len(x.list), func(k int) bool { return x.list[k].off > end })
	switch {
	case i == j:
		x.list = append(x.list, extent{})
		copy(x.list[i+1:], x.list[i:])
		x.list[i] = extent{off: off, data: append([]byte(nil), p...)}
		x.bytes += int64(len(p))
		return
	case j == i+1 && off >= x.list[i].off:
		e := &x.list[i]
		if end <= e.end() {
			copy(e.data[off-e.off:], p)
			return
		}
		// The write runs past the end of the run: grow it in place,
		// which keeps a stream of appends amortised.
		x.bytes -= int64(len(e.data))
		e.data = append(e.data[:off-e.off], p...)
		x.bytes += int64(len(e.data))
		return
	}
	start := min(off, x.list[i].off)
	stop := max(end, x.list[j-1].end())
	buf := make([]byte, stop-start)
	for _, e := range x.list[i:j] {
		copy(buf[e.off-start:], e.data)
		x.bytes -= int64(len(e.data))
	}
	copy(buf[off-start:], p)
	x.bytes += int64(len(buf))
	x.list[i] = extent{off: start, data: buf}
	x.list = append(x.list[:i+1], x.list[j:]...)
}

// overlay copies the dirty bytes that fall in [off, off+len(buf)) over
// buf, which holds the file's stored bytes from off.
func (x *extents) overlay(buf []byte, off int64) {
	end := off + int64(len(buf))
	i := sort.Search(len(x.list), func(k int) bool { return x.list[k].end() > off })
	for _, e := range x.list[i:] {
		if e.off >= end {
			return
		}
		lo := max(e.off, off)
		hi := min(e.end(), end)
		copy(buf[lo-off:hi-off], e.data[lo-e.off:hi-e.off])
	}
}

// end returns one past the highest dirty byte, 0 when nothing is dirty.
func (x *extents) end() int64 {
	if len(x.list) == 0 {
		return 0
	}
	return x.list[len(x.list)-1].end()
}

// truncate forgets every dirty byte at or past size.
func (x *extents) truncate(size int64) {
	i := sort.Search(len(x.list), func(k int) bool { return x.list[k].end() > size })
	if i < len(x.list) && x.list[i].off < size {
		e := &x.list[i]
		x.bytes -= e.end() - size
		e.data = e.data[:size-e.off]
		i++
	}
	for _, e := range x.list[i:] {
		x.bytes -= int64(len(e.data))
	}
	clear(x.list[i:])
	x.list = x.list[:i]
}

// reset forgets every dirty byte.
func (x *extents) reset() {
	x.list = nil
	x.bytes = 0
}

// empty reports whether nothing is dirty.
func (x *extents) empty() bool { return len(x.list) == 0 }
