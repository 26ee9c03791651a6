package lazyfs

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"syscall"
	"testing"

	"github.com/faultline-sim/faultline/sim/simtest"
)

// TestFreeze: while frozen, writes, fsync and metadata changes fail
// with EIO and reads work; Thaw restores writes.
func TestFreeze(t *testing.T) {
	l, _, mnt := mountT(t)
	path := filepath.Join(mnt, "f")
	f := create(t, path)
	write(t, f, []byte("before"))

	l.Freeze()
	if !l.Frozen() {
		t.Fatal("Frozen() = false after Freeze")
	}
	eio := func(what string, err error) {
		t.Helper()
		if !errors.Is(err, syscall.EIO) {
			t.Errorf("%s while frozen: %v, want EIO", what, err)
		}
	}
	_, err := f.Write([]byte("during"))
	eio("write", err)
	eio("fsync", f.Sync())
	eio("truncate", f.Truncate(0))
	_, err = os.Create(filepath.Join(mnt, "new"))
	eio("create", err)
	eio("mkdir", os.Mkdir(filepath.Join(mnt, "dir"), 0o755))
	eio("rename", os.Rename(path, filepath.Join(mnt, "g")))
	eio("remove", os.Remove(path))
	expectFile(t, path, []byte("before"))

	l.Thaw()
	if l.Frozen() {
		t.Fatal("Frozen() = true after Thaw")
	}
	write(t, f, []byte(" after"))
	fsync(t, f)
	expectFile(t, path, []byte("before after"))
}

// TestFreezeThenDrop is the power cut as the fault uses it: freeze,
// drop, and only the synced bytes remain; nothing written while frozen
// lands.
func TestFreezeThenDrop(t *testing.T) {
	l, backing, mnt := mountT(t)
	f := create(t, filepath.Join(mnt, "log"))
	write(t, f, []byte("synced"))
	fsync(t, f)
	write(t, f, []byte("+unsynced"))
	l.Freeze()
	if _, err := f.Write([]byte("+frozen")); !errors.Is(err, syscall.EIO) {
		t.Errorf("write while frozen: %v", err)
	}
	l.DropUnsynced()
	l.Thaw()
	expectFile(t, filepath.Join(backing, "log"), []byte("synced"))
	expectFile(t, filepath.Join(mnt, "log"), []byte("synced"))
}

// TestFreezeUnderLoad: writers keep writing while the mount is frozen;
// once Freeze returns not one more byte lands, and the drop leaves
// exactly what was synced before.
func TestFreezeUnderLoad(t *testing.T) {
	l, backing, mnt := mountT(t)
	const writers = 4
	files := make([]*os.File, writers)
	for i := range files {
		files[i] = create(t, filepath.Join(mnt, fmt.Sprint("w", i)))
		write(t, files[i], []byte("synced"))
		fsync(t, files[i])
	}
	refused := make(chan struct{}, writers)
	var wg sync.WaitGroup
	for _, f := range files {
		wg.Go(func() {
			for {
				if _, err := f.Write([]byte("more")); err != nil {
					if !errors.Is(err, syscall.EIO) {
						t.Errorf("write: %v, want EIO", err)
					}
					refused <- struct{}{}
					return
				}
			}
		})
	}
	// Let every writer get going, then freeze under them.
	simtest.Eventually(t, "writers under way", func() bool { return l.DirtyBytes() >= writers*4*8 })
	l.Freeze()
	held := l.DirtyBytes()
	for range writers {
		<-refused
	}
	wg.Wait()
	if got := l.DirtyBytes(); got != held {
		t.Errorf("DirtyBytes moved from %d to %d after Freeze returned", held, got)
	}
	if got := l.DropUnsynced(); got != held {
		t.Errorf("DropUnsynced = %d, want %d", got, held)
	}
	l.Thaw()
	for i := range files {
		expectFile(t, filepath.Join(backing, fmt.Sprint("w", i)), []byte("synced"))
		expectFile(t, filepath.Join(mnt, fmt.Sprint("w", i)), []byte("synced"))
	}
}
