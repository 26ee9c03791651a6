package lazyfs

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"go.uber.org/goleak"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

// mountT mounts a lazy store over a fresh backing folder on a fresh
// mountpoint and unmounts it when the test ends. It skips the test,
// saying why, only where FUSE cannot be mounted.
func mountT(t testing.TB) (l *FS, backing, mnt string) {
	t.Helper()
	backing, mnt = t.TempDir(), t.TempDir()
	l, err := Mount(backing, mnt)
	if errors.Is(err, ErrNoFUSE) {
		t.Skipf("lazy store cannot be mounted here: %v", err)
	}
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := l.Unmount(); err != nil {
			t.Errorf("unmount: %v", err)
		}
	})
	return l, backing, mnt
}

// create opens a new file on the mount for reading and writing.
func create(t testing.TB, path string) *os.File {
	t.Helper()
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	return f
}

func write(t testing.TB, f *os.File, p []byte) {
	t.Helper()
	if _, err := f.Write(p); err != nil {
		t.Fatal(err)
	}
}

func fsync(t testing.TB, f *os.File) {
	t.Helper()
	if err := f.Sync(); err != nil {
		t.Fatal(err)
	}
}

// expectFile checks that path holds exactly want, both by its size and
// by its bytes.
func expectFile(t testing.TB, path string, want []byte) {
	t.Helper()
	got, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s holds %d bytes %q, want %d bytes %q", filepath.Base(path), len(got), clip(got), len(want), clip(want))
	}
	st, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if st.Size() != int64(len(want)) {
		t.Errorf("%s has size %d, want %d", filepath.Base(path), st.Size(), len(want))
	}
}

func clip(p []byte) []byte {
	if len(p) > 40 {
		return p[:40]
	}
	return p
}

// TestMountErrors: a backing path that is not a folder is refused with
// an error that does not claim FUSE is missing.
func TestMountErrors(t *testing.T) {
	_, _, _ = mountT(t) // skips where FUSE cannot be mounted
	file := filepath.Join(t.TempDir(), "file")
	if err := os.WriteFile(file, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	_, err := Mount(file, t.TempDir())
	if err == nil || errors.Is(err, ErrNoFUSE) {
		t.Fatalf("Mount over a file: %v, want a non-ErrNoFUSE error", err)
	}
}
