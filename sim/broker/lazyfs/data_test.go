package lazyfs

import (
	"bytes"
	"os"
	"path/filepath"
	"syscall"
	"testing"
)

// TestReadYourWrites: bytes written through the mount are read back
// through it, while the backing file holds none of them.
func TestReadYourWrites(t *testing.T) {
	l, backing, mnt := mountT(t)
	f := create(t, filepath.Join(mnt, "log"))
	write(t, f, []byte("hello, "))
	write(t, f, []byte("world"))

	expectFile(t, filepath.Join(mnt, "log"), []byte("hello, world"))
	// Through the same descriptor too.
	buf := make([]byte, 5)
	if _, err := f.ReadAt(buf, 7); err != nil || string(buf) != "world" {
		t.Fatalf("ReadAt: %q, %v", buf, err)
	}
	// The file exists on the backing disk (metadata is not lazy), empty.
	expectFile(t, filepath.Join(backing, "log"), nil)
	if got := l.DirtyBytes(); got != 12 {
		t.Errorf("DirtyBytes = %d, want 12", got)
	}
}

// TestHoleAndOverlay: a write past the end leaves zeros in the gap, and
// a read spanning synced and unsynced bytes sees each where it belongs.
func TestHoleAndOverlay(t *testing.T) {
	_, _, mnt := mountT(t)
	path := filepath.Join(mnt, "f")
	f := create(t, path)
	write(t, f, []byte("0123456789"))
	fsync(t, f)
	if _, err := f.WriteAt([]byte("ab"), 4); err != nil {
		t.Fatal(err)
	}
	if _, err := f.WriteAt([]byte("xy"), 14); err != nil {
		t.Fatal(err)
	}
	expectFile(t, path, []byte("0123ab6789\x00\x00\x00\x00xy"))
}

// TestFsyncPersists: after fsync the backing file holds the bytes, and
// a drop keeps them.
func TestFsyncPersists(t *testing.T) {
	l, backing, mnt := mountT(t)
	f := create(t, filepath.Join(mnt, "log"))
	write(t, f, []byte("acknowledged"))
	fsync(t, f)
	expectFile(t, filepath.Join(backing, "log"), []byte("acknowledged"))
	if got := l.DirtyBytes(); got != 0 {
		t.Errorf("DirtyBytes after fsync = %d, want 0", got)
	}
	if got := l.DropUnsynced(); got != 0 {
		t.Errorf("DropUnsynced after fsync dropped %d bytes, want 0", got)
	}
	expectFile(t, filepath.Join(mnt, "log"), []byte("acknowledged"))
}

// TestFdatasyncPersists: fdatasync persists as fsync does.
func TestFdatasyncPersists(t *testing.T) {
	l, backing, mnt := mountT(t)
	f := create(t, filepath.Join(mnt, "log"))
	write(t, f, []byte("data"))
	if err := syscall.Fdatasync(int(f.Fd())); err != nil {
		t.Fatal(err)
	}
	l.DropUnsynced()
	expectFile(t, filepath.Join(backing, "log"), []byte("data"))
	expectFile(t, filepath.Join(mnt, "log"), []byte("data"))
}

// TestFsyncAnyDescriptor: fsync through one descriptor, even a
// read-only one, persists what another descriptor wrote.
func TestFsyncAnyDescriptor(t *testing.T) {
	l, backing, mnt := mountT(t)
	path := filepath.Join(mnt, "log")
	w := create(t, path)
	write(t, w, []byte("written by w"))
	r, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	fsync(t, r)
	l.DropUnsynced()
	expectFile(t, filepath.Join(backing, "log"), []byte("written by w"))
}

// TestCloseDoesNotPersist: closing a file is not an fsync.
func TestCloseDoesNotPersist(t *testing.T) {
	l, backing, mnt := mountT(t)
	path := filepath.Join(mnt, "log")
	if err := os.WriteFile(path, []byte("closed, never synced"), 0o644); err != nil {
		t.Fatal(err)
	}
	expectFile(t, path, []byte("closed, never synced"))
	expectFile(t, filepath.Join(backing, "log"), nil)
	if got := l.DropUnsynced(); got != 20 {
		t.Errorf("DropUnsynced = %d, want 20", got)
	}
	expectFile(t, path, nil)
}

// TestOSync: a write through an O_SYNC descriptor is persisted before
// it returns.
func TestOSync(t *testing.T) {
	l, backing, mnt := mountT(t)
	f, err := os.OpenFile(filepath.Join(mnt, "log"), os.O_RDWR|os.O_CREATE|os.O_SYNC, 0o644)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	write(t, f, []byte("sync"))
	l.DropUnsynced()
	expectFile(t, filepath.Join(backing, "log"), []byte("sync"))
}

// TestAppend: O_APPEND writes land at the end, dirty bytes included.
func TestAppend(t *testing.T) {
	_, _, mnt := mountT(t)
	path := filepath.Join(mnt, "log")
	for _, s := range []string{"one ", "two ", "three"} {
		f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o644)
		if err != nil {
			t.Fatal(err)
		}
		write(t, f, []byte(s))
		if s == "one " {
			fsync(t, f)
		}
		f.Close()
	}
	expectFile(t, path, []byte("one two three"))
}

// TestLargeWrite: writes bigger than one FUSE request and reads across
// request boundaries come back intact.
func TestLargeWrite(t *testing.T) {
	l, backing, mnt := mountT(t)
	data := bytes.Repeat([]byte("0123456789abcdef"), 1<<16) // 1 MiB
	f := create(t, filepath.Join(mnt, "big"))
	write(t, f, data[:600_000])
	fsync(t, f)
	write(t, f, data[600_000:])
	expectFile(t, filepath.Join(mnt, "big"), data)
	l.DropUnsynced()
	expectFile(t, filepath.Join(mnt, "big"), data[:600_000])
	expectFile(t, filepath.Join(backing, "big"), data[:600_000])
}
