//go:build linux

package lazyfs

import (
	"fmt"
	"os"
	"sync"
	"syscall"

	"golang.org/x/sys/unix"
)

// fileKey names a backing file by device and inode number, so every
// name (hard links) and every handle of one file share its dirty
// bytes, and the dirty bytes outlive the kernel forgetting the inode.
type fileKey struct {
	dev, ino uint64
}

func keyOf(st *syscall.Stat_t) fileKey {
	return fileKey{dev: uint64(st.Dev), ino: st.Ino}
}

// lazyFile is the in-memory state of one backing file: the bytes
// written to it and not yet fsynced.
type lazyFile struct {
	key fileKey

	// mu guards dirty. Writers (write, fsync, truncate, drop) hold it
	// exclusively, readers shared, so a read never sees half of a
	// write or of an fsync.
	mu    sync.RWMutex
	dirty extents

	// refs counts open handles; guarded by FS.mu.
	refs int
}

// size returns the file's size as the mount shows it: the backing
// size or the end of the highest dirty byte, whichever is larger.
// The caller holds f.mu.
func (f *lazyFile) size(backing int64) int64 {
	return max(backing, f.dirty.end())
}

// persistLocked writes the dirty bytes to the backing file and fsyncs
// it (fdatasync when datasync), then forgets them. On error the dirty
// bytes stay, so a later fsync writes them again. fd is the handle's
// backing file; when it was opened read-only (fsync through a
// read-only descriptor is allowed), a write descriptor is opened on
// the same file through /proc. The caller holds f.mu exclusively.
func (f *lazyFile) persistLocked(fd *os.File, writable, datasync bool) error {
	if f.dirty.empty() {
		return syncFile(fd, datasync)
	}
	w := fd
	if !writable {
		var err error
		w, err = os.OpenFile(fmt.Sprintf("/proc/self/fd/%d", fd.Fd()), os.O_WRONLY, 0)
		if err != nil {
			return err
		}
		defer w.Close()
	}
	for _, e := range f.dirty.list {
		if _, err := w.WriteAt(e.data, e.off); err != nil {
			return err
		}
	}
	if err := syncFile(w, datasync); err != nil {
		return err
	}
	f.dirty.reset()
	return nil
}

func syncFile(f *os.File, datasync bool) error {
	if datasync {
		return unix.Fdatasync(int(f.Fd()))
	}
	return f.Sync()
}

// acquire returns the state of the file named by key, creating it,
// and counts one more open handle on it.
func (l *FS) acquire(key fileKey) *lazyFile {
	l.mu.Lock()
	defer l.mu.Unlock()
	f := l.files[key]
	if f == nil {
		f = &lazyFile{key: key}
		l.files[key] = f
	}
	f.refs++
	return f
}

// release counts one handle less on f. When none is left, the state
// is forgotten if nothing is dirty or the file has no name any more
// (its last link was removed, so its bytes can never be read again
// and its inode number may be reused).
func (l *FS) release(f *lazyFile, unlinked bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	f.refs--
	if f.refs > 0 || l.files[f.key] != f {
		return
	}
	f.mu.RLock()
	clean := f.dirty.empty()
	f.mu.RUnlock()
	if clean || unlinked {
		delete(l.files, f.key)
	}
}

// lookup returns the state of the file named by key, or nil when it
// has none (nothing dirty and no open handle).
func (l *FS) lookup(key fileKey) *lazyFile {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.files[key]
}

// forget drops the state of a file whose last name was removed. A file
// still open keeps its state until its last handle is released: its
// dirty bytes stay readable through those handles.
func (l *FS) forget(key fileKey) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if f := l.files[key]; f != nil && f.refs == 0 {
		delete(l.files, key)
	}
}

// tracking reports whether any file has in-memory state, so attribute
// answers can skip the extra stat when none has.
func (l *FS) tracking() bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.files) > 0
}

// sizeAt returns the size the mount shows for the backing file at path
// whose stored size is backing.
func (l *FS) sizeAt(path string, backing uint64) uint64 {
	if !l.tracking() {
		return backing
	}
	var st syscall.Stat_t
	if err := syscall.Lstat(path, &st); err != nil || st.Mode&syscall.S_IFMT != syscall.S_IFREG {
		return backing
	}
	f := l.lookup(keyOf(&st))
	if f == nil {
		return backing
	}
	f.mu.RLock()
	defer f.mu.RUnlock()
	return uint64(f.size(int64(backing)))
}
