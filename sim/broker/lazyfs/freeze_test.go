package lazyfs

import (
	"errors"
	"os"
	"path/filepath"
	"syscall"
	"testing"
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
