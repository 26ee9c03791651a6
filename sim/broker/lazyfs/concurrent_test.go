package lazyfs

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"testing"
)

// block returns the content goroutine g writes as its i-th block.
func block(g, i, size int) []byte {
	return bytes.Repeat([]byte{byte('a' + (g*7+i)%26)}, size)
}

// TestConcurrentWriters: goroutines write to their own files and to
// one shared file at the same time; some files are fsynced, more is
// written, the power is cut, and exactly the synced bytes remain.
func TestConcurrentWriters(t *testing.T) {
	l, backing, mnt := mountT(t)
	const (
		files  = 8
		blocks = 16
		size   = 3000 // not page aligned
	)

	// Each goroutine appends blocks to its own file; the even ones
	// fsync after the first half, all then write a second half.
	var wg sync.WaitGroup
	errs := make(chan error, 2*files)
	for g := range files {
		wg.Go(func() {
			f, err := os.OpenFile(filepath.Join(mnt, fmt.Sprint("own-", g)), os.O_RDWR|os.O_CREATE, 0o644)
			if err != nil {
				errs <- err
				return
			}
			defer f.Close()
			for i := range blocks {
				if i == blocks/2 && g%2 == 0 {
					if err := f.Sync(); err != nil {
						errs <- err
						return
					}
				}
				if _, err := f.Write(block(g, i, size)); err != nil {
					errs <- err
					return
				}
			}
		})
	}
	// Several goroutines write disjoint blocks of one shared file,
	// each through its own descriptor, in two phases with an fsync of
	// the file between them.
	shared := filepath.Join(mnt, "shared")
	sf := create(t, shared)
	phase := func(p int) {
		var pw sync.WaitGroup
		for g := range files {
			pw.Go(func() {
				f, err := os.OpenFile(shared, os.O_WRONLY, 0)
				if err != nil {
					errs <- err
					return
				}
				defer f.Close()
				for i := range blocks / 2 {
					k := p*blocks/2 + i
					if _, err := f.WriteAt(block(g, k, size), int64((k*files+g)*size)); err != nil {
						errs <- err
						return
					}
				}
			})
		}
		pw.Wait()
	}
	wg.Go(func() {
		phase(0)
		if err := sf.Sync(); err != nil {
			errs <- err
		}
		phase(1)
	})
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}

	// Before the cut, every byte reads back.
	want := func(g, upto int) []byte {
		var b []byte
		for i := range upto {
			b = append(b, block(g, i, size)...)
		}
		return b
	}
	sharedWant := func(upto int) []byte {
		b := make([]byte, upto*files*size)
		for k := range upto {
			for g := range files {
				copy(b[(k*files+g)*size:], block(g, k, size))
			}
		}
		return b
	}
	for g := range files {
		expectFile(t, filepath.Join(mnt, fmt.Sprint("own-", g)), want(g, blocks))
	}
	expectFile(t, shared, sharedWant(blocks))

	l.DropUnsynced()
	for g := range files {
		synced := 0
		if g%2 == 0 {
			synced = blocks / 2
		}
		expectFile(t, filepath.Join(mnt, fmt.Sprint("own-", g)), want(g, synced))
		expectFile(t, filepath.Join(backing, fmt.Sprint("own-", g)), want(g, synced))
	}
	expectFile(t, shared, sharedWant(blocks/2))
	expectFile(t, filepath.Join(backing, "shared"), sharedWant(blocks/2))
}

// TestConcurrentReadersDuringFsync: readers racing writes, fsyncs and a
// drop always see a prefix made of whole blocks.
func TestConcurrentReadersDuringFsync(t *testing.T) {
	l, _, mnt := mountT(t)
	path := filepath.Join(mnt, "log")
	f := create(t, path)
	const size = 512
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for range 3 {
		wg.Go(func() {
			r, err := os.Open(path)
			if err != nil {
				t.Error(err)
				return
			}
			defer r.Close()
			buf := make([]byte, 64*size)
			for {
				select {
				case <-stop:
					return
				default:
				}
				n, _ := r.ReadAt(buf, 0)
				for i := 0; i < n; i++ {
					if buf[i] != block(0, i/size, 1)[0] {
						t.Errorf("byte %d = %q, want %q", i, buf[i], block(0, i/size, 1)[0])
						return
					}
				}
			}
		})
	}
	for i := range 64 {
		if _, err := f.WriteAt(block(0, i, size), int64(i*size)); err != nil {
			t.Fatal(err)
		}
		if i%8 == 0 {
			fsync(t, f)
		}
		if i == 40 {
			l.DropUnsynced()
		}
	}
	close(stop)
	wg.Wait()
}
