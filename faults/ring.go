package faults

// record is a run of bytes in a ring, all due at the same time, or an end
// marker (err != nil, n == 0) carrying the error that ended the stream.
type record struct {
	n   int
	at  int64 // due, in nanoseconds since the line's epoch
	err error
}

// ring is a FIFO of bytes with their due times. It grows on demand up to
// limit bytes and holds only what was put, so a line that carries little
// costs little. Not safe for concurrent use.
type ring struct {
	limit int

	buf        []byte
	head, size int

	recs        []record
	rhead, rlen int
}

// free returns how many more bytes fit.
func (r *ring) free() int { return r.limit - r.size }

// empty reports whether neither bytes nor an end marker are queued.
func (r *ring) empty() bool { return r.rlen == 0 }

// front returns the oldest record, or nil when the ring is empty.
func (r *ring) front() *record {
	if r.rlen == 0 {
		return nil
	}
	return &r.recs[r.rhead]
}

// push appends p, due at at; len(p) must not exceed free(). Bytes due at
// the same time as the last run join it.
func (r *ring) push(p []byte, at int64) {
	if len(p) == 0 {
		return
	}
	if need := r.size + len(p); need > len(r.buf) {
		nb := make([]byte, min(max(2*len(r.buf), need, 4096), r.limit))
		r.read(nb[:r.size], r.size)
		r.buf, r.head = nb, 0
	}
	tail := (r.head + r.size) % len(r.buf)
	k := copy(r.buf[tail:], p)
	copy(r.buf, p[k:])
	r.size += len(p)

	if r.rlen > 0 {
		last := &r.recs[(r.rhead+r.rlen-1)%len(r.recs)]
		if last.err == nil && last.at == at {
			last.n += len(p)
			return
		}
	}
	r.pushRecord(record{n: len(p), at: at})
}

// end appends an end marker due at at.
func (r *ring) end(err error, at int64) { r.pushRecord(record{at: at, err: err}) }

func (r *ring) pushRecord(rec record) {
	if r.rlen == len(r.recs) {
		nr := make([]record, max(16, 2*len(r.recs)))
		for i := 0; i < r.rlen; i++ {
			nr[i] = r.recs[(r.rhead+i)%len(r.recs)]
		}
		r.recs, r.rhead = nr, 0
	}
	r.recs[(r.rhead+r.rlen)%len(r.recs)] = rec
	r.rlen++
}

// pop moves the first len(dst) bytes of the front record, which must hold
// that many, into dst.
func (r *ring) pop(dst []byte) {
	n := len(dst)
	r.read(dst, n)
	r.head = (r.head + n) % len(r.buf)
	r.size -= n
	f := r.front()
	if f.n -= n; f.n == 0 {
		r.recs[r.rhead] = record{}
		r.rhead = (r.rhead + 1) % len(r.recs)
		r.rlen--
	}
}

// read copies the first n queued bytes into dst without removing them.
func (r *ring) read(dst []byte, n int) {
	if n == 0 {
		return
	}
	k := copy(dst[:n], r.buf[r.head:])
	copy(dst[k:n], r.buf)
}

// release drops the storage of an empty ring.
func (r *ring) release() {
	r.buf, r.head, r.size = nil, 0, 0
	r.recs, r.rhead, r.rlen = nil, 0, 0
}
