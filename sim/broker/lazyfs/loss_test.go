package lazyfs

import (
	"os"
	"path/filepath"
	"testing"
)

// TestDropLosesExactlyUnsynced: write A, fsync, write B, power cut: the
// file holds A only, with A's size, through the mount, through the
// descriptor that wrote B and on the backing disk.
func TestDropLosesExactlyUnsynced(t *testing.T) {
	l, backing, mnt := mountT(t)
	path := filepath.Join(mnt, "log")
	f := create(t, path)
	write(t, f, []byte("A-synced;"))
	fsync(t, f)
	write(t, f, []byte("B-not-synced"))
	expectFile(t, path, []byte("A-synced;B-not-synced"))

	if got := l.DropUnsynced(); got != int64(len("B-not-synced")) {
		t.Errorf("DropUnsynced = %d, want %d", got, len("B-not-synced"))
	}
	expectFile(t, path, []byte("A-synced;"))
	expectFile(t, filepath.Join(backing, "log"), []byte("A-synced;"))
	st, err := f.Stat()
	if err != nil {
		t.Fatal(err)
	}
	if st.Size() != 9 {
		t.Errorf("size through the writing descriptor = %d, want 9", st.Size())
	}
	buf := make([]byte, 32)
	n, _ := f.ReadAt(buf, 0)
	if string(buf[:n]) != "A-synced;" {
		t.Errorf("read through the writing descriptor: %q", buf[:n])
	}
}

// TestDropRestoresOverwrittenBytes: synced bytes overwritten and not
// fsynced come back after the cut.
func TestDropRestoresOverwrittenBytes(t *testing.T) {
	l, _, mnt := mountT(t)
	path := filepath.Join(mnt, "f")
	f := create(t, path)
	write(t, f, []byte("AAAAAAAA"))
	fsync(t, f)
	if _, err := f.WriteAt([]byte("BB"), 2); err != nil {
		t.Fatal(err)
	}
	if _, err := f.WriteAt([]byte("CCCC"), 6); err != nil {
		t.Fatal(err)
	}
	expectFile(t, path, []byte("AABBAACCCC"))
	l.DropUnsynced()
	expectFile(t, path, []byte("AAAAAAAA"))
}

// TestDropAcrossFiles: the cut hits every file, open or closed, and a
// file created and never synced survives empty.
func TestDropAcrossFiles(t *testing.T) {
	l, _, mnt := mountT(t)
	if err := os.WriteFile(filepath.Join(mnt, "closed"), []byte("lost"), 0o644); err != nil {
		t.Fatal(err)
	}
	open := create(t, filepath.Join(mnt, "open"))
	write(t, open, []byte("lost too"))
	synced := create(t, filepath.Join(mnt, "synced"))
	write(t, synced, []byte("kept"))
	fsync(t, synced)

	l.DropUnsynced()
	expectFile(t, filepath.Join(mnt, "closed"), nil)
	expectFile(t, filepath.Join(mnt, "open"), nil)
	expectFile(t, filepath.Join(mnt, "synced"), []byte("kept"))
	if got := l.DirtyBytes(); got != 0 {
		t.Errorf("DirtyBytes after drop = %d", got)
	}
	// The store keeps working after the cut. The descriptor's offset
	// is the process's own and still 8, past the synced end: a write
	// there leaves a hole, as on a real file.
	write(t, open, []byte("after"))
	expectFile(t, filepath.Join(mnt, "open"), []byte("\x00\x00\x00\x00\x00\x00\x00\x00after"))
}
