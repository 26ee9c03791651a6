package lazyfs

import (
	"bytes"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"testing"

	"github.com/faultline-sim/faultline/sim/simtest"
)

// TestTruncate: truncation applies to the backing file at once and cuts
// the dirty bytes; a drop afterwards keeps the truncation.
func TestTruncate(t *testing.T) {
	l, backing, mnt := mountT(t)
	path := filepath.Join(mnt, "f")
	f := create(t, path)
	write(t, f, []byte("0123456789"))
	fsync(t, f)
	write(t, f, []byte("abcdefghij")) // dirty, bytes 10..19

	// Shrink into the synced part: dirty bytes past it are gone, the
	// backing file is cut at once.
	if err := f.Truncate(5); err != nil {
		t.Fatal(err)
	}
	expectFile(t, path, []byte("01234"))
	expectFile(t, filepath.Join(backing, "f"), []byte("01234"))
	if got := l.DirtyBytes(); got != 0 {
		t.Errorf("DirtyBytes after truncate = %d, want 0", got)
	}

	// Grow: zeros, on the backing file too.
	if err := f.Truncate(8); err != nil {
		t.Fatal(err)
	}
	expectFile(t, path, []byte("01234\x00\x00\x00"))

	// A dirty write crossing the cut point is cut in two.
	if _, err := f.WriteAt([]byte("XYZ"), 6); err != nil {
		t.Fatal(err)
	}
	if err := os.Truncate(path, 7); err != nil { // by path, no descriptor
		t.Fatal(err)
	}
	expectFile(t, path, []byte("01234\x00X"))
	if got := l.DirtyBytes(); got != 1 {
		t.Errorf("DirtyBytes = %d, want 1", got)
	}
	l.DropUnsynced()
	expectFile(t, path, []byte("01234\x00\x00"))
}

// TestOpenTrunc: O_TRUNC empties the file, dirty bytes included.
func TestOpenTrunc(t *testing.T) {
	l, backing, mnt := mountT(t)
	path := filepath.Join(mnt, "f")
	f := create(t, path)
	write(t, f, []byte("synced"))
	fsync(t, f)
	write(t, f, []byte(" dirty"))
	if err := os.WriteFile(path, []byte("new"), 0o644); err != nil { // O_TRUNC
		t.Fatal(err)
	}
	expectFile(t, path, []byte("new"))
	l.DropUnsynced()
	expectFile(t, path, nil)
	expectFile(t, filepath.Join(backing, "f"), nil)
}

// TestRenameKeepsDirtyBytes: a renamed file keeps its unsynced bytes
// (they belong to the file, not its name); the rename itself is on the
// backing disk at once and survives a cut.
func TestRenameKeepsDirtyBytes(t *testing.T) {
	l, backing, mnt := mountT(t)
	f := create(t, filepath.Join(mnt, "tmp"))
	write(t, f, []byte("synced"))
	fsync(t, f)
	write(t, f, []byte("+dirty"))
	if err := os.Rename(filepath.Join(mnt, "tmp"), filepath.Join(mnt, "final")); err != nil {
		t.Fatal(err)
	}
	expectFile(t, filepath.Join(mnt, "final"), []byte("synced+dirty"))
	if _, err := os.Stat(filepath.Join(backing, "final")); err != nil {
		t.Errorf("rename not on the backing disk: %v", err)
	}
	// Writing through the old descriptor still reaches the renamed file.
	write(t, f, []byte("+more"))
	expectFile(t, filepath.Join(mnt, "final"), []byte("synced+dirty+more"))

	l.DropUnsynced()
	expectFile(t, filepath.Join(mnt, "final"), []byte("synced"))
	if _, err := os.Stat(filepath.Join(mnt, "tmp")); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("old name after the cut: %v", err)
	}
}

// TestRenameOverAndUnlink: a file replaced by a rename or unlinked
// takes its dirty bytes with it, so nothing is held for it any more
// and a new file (perhaps on the same inode number) starts clean.
func TestRenameOverAndUnlink(t *testing.T) {
	l, _, mnt := mountT(t)
	for _, name := range []string{"a", "b", "c"} {
		if err := os.WriteFile(filepath.Join(mnt, name), []byte("dirty "+name), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Rename(filepath.Join(mnt, "a"), filepath.Join(mnt, "b")); err != nil {
		t.Fatal(err)
	}
	expectFile(t, filepath.Join(mnt, "b"), []byte("dirty a"))
	if err := os.Remove(filepath.Join(mnt, "c")); err != nil {
		t.Fatal(err)
	}
	// c's bytes go at its release, which the kernel sends after close.
	simtest.Eventually(t, "only b's dirty bytes held", func() bool { return l.DirtyBytes() == int64(len("dirty a")) })
	for i := range 20 {
		p := filepath.Join(mnt, "new")
		if err := os.WriteFile(p, nil, 0o644); err != nil {
			t.Fatal(err)
		}
		expectFile(t, p, nil)
		if err := os.WriteFile(p, bytes.Repeat([]byte("x"), i), 0o644); err != nil {
			t.Fatal(err)
		}
		if err := os.Remove(p); err != nil {
			t.Fatal(err)
		}
	}
	// The kernel sends a file's release after close returns, and an
	// unlinked file's bytes are forgotten at its release: wait for it.
	simtest.Eventually(t, "the churned files' dirty bytes forgotten", func() bool {
		return l.DirtyBytes() == int64(len("dirty a"))
	})
}

// TestUnlinkedWhileOpen: a file unlinked while open still reads its
// dirty bytes through the open descriptor, and is forgotten on close.
func TestUnlinkedWhileOpen(t *testing.T) {
	l, _, mnt := mountT(t)
	path := filepath.Join(mnt, "f")
	f := create(t, path)
	write(t, f, []byte("still here"))
	if err := os.Remove(path); err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 10)
	if _, err := f.ReadAt(buf, 0); err != nil || string(buf) != "still here" {
		t.Errorf("read after unlink: %q, %v", buf, err)
	}
	f.Close()
	// The kernel sends the release of a closed file asynchronously.
	simtest.Eventually(t, "DirtyBytes = 0 after closing an unlinked file", func() bool { return l.DirtyBytes() == 0 })
}

// TestDirectories: mkdir, readdir, rmdir and fsync of a directory pass
// through.
func TestDirectories(t *testing.T) {
	_, backing, mnt := mountT(t)
	dir := filepath.Join(mnt, "stream", "msgs")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "1.blk"), []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	d, err := os.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	if err := d.Sync(); err != nil {
		t.Errorf("fsync of a directory: %v", err)
	}
	names, err := d.Readdirnames(-1)
	d.Close()
	if err != nil || len(names) != 1 || names[0] != "1.blk" {
		t.Errorf("readdir: %v, %v", names, err)
	}
	if _, err := os.Stat(filepath.Join(backing, "stream", "msgs", "1.blk")); err != nil {
		t.Error(err)
	}
	if err := os.RemoveAll(filepath.Join(mnt, "stream")); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(backing, "stream")); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("after RemoveAll: %v", err)
	}
}

// TestHardLinkSharesDirtyBytes: two names of one file see the same
// unsynced bytes, and an fsync through either persists them.
func TestHardLinkSharesDirtyBytes(t *testing.T) {
	l, backing, mnt := mountT(t)
	a, b := filepath.Join(mnt, "a"), filepath.Join(mnt, "b")
	f := create(t, a)
	write(t, f, []byte("shared"))
	if err := os.Link(a, b); err != nil {
		t.Fatal(err)
	}
	expectFile(t, b, []byte("shared"))
	g, err := os.OpenFile(b, os.O_RDWR, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer g.Close()
	if _, err := g.WriteAt([]byte("S"), 0); err != nil {
		t.Fatal(err)
	}
	expectFile(t, a, []byte("Shared"))
	fsync(t, g)
	l.DropUnsynced()
	expectFile(t, filepath.Join(backing, "a"), []byte("Shared"))
	// Removing one name keeps the file's state for the other.
	write(t, f, []byte("+dirty"))
	if err := os.Remove(a); err != nil {
		t.Fatal(err)
	}
	expectFile(t, b, []byte("Shared+dirty"))
}
