package lazyfs

import (
	"os"
	"path/filepath"
	"testing"
)

// TestUnmountWithOpenFile: Unmount returns while a file on the mount is
// still open; the descriptor then fails instead of hanging, and the
// mountpoint is an ordinary empty folder again.
func TestUnmountWithOpenFile(t *testing.T) {
	l, backing, mnt := mountT(t)
	f := create(t, filepath.Join(mnt, "held"))
	write(t, f, []byte("synced"))
	fsync(t, f)
	write(t, f, []byte(" unsynced"))
	if err := l.Unmount(); err != nil {
		t.Fatalf("Unmount with an open file: %v", err)
	}
	if _, err := f.Write([]byte("x")); err == nil {
		t.Error("write after Unmount succeeded")
	}
	f.Close()
	entries, err := os.ReadDir(mnt)
	if err != nil || len(entries) != 0 {
		t.Errorf("mountpoint after Unmount: %v, %v", entries, err)
	}
	// Unmounting is not a sync.
	expectFile(t, filepath.Join(backing, "held"), []byte("synced"))
	if err := l.Unmount(); err != nil {
		t.Errorf("second Unmount: %v", err)
	}
}

// TestRemount: a store unmounted and mounted again over the same
// backing folder shows what was synced.
func TestRemount(t *testing.T) {
	l, backing, mnt := mountT(t)
	f := create(t, filepath.Join(mnt, "log"))
	write(t, f, []byte("kept"))
	fsync(t, f)
	write(t, f, []byte(" lost"))
	f.Close()
	if err := l.Unmount(); err != nil {
		t.Fatal(err)
	}
	l2, err := Mount(backing, mnt)
	if err != nil {
		t.Fatal(err)
	}
	defer l2.Unmount()
	expectFile(t, filepath.Join(mnt, "log"), []byte("kept"))
}
