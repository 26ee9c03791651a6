//go:build linux

package lazyfs

import (
	"context"
	"fmt"
	"io"
	"os"
	"syscall"

	"github.com/hanwen/go-fuse/v2/fs"
	"github.com/hanwen/go-fuse/v2/fuse"
)

// handle is one open file of the mount. Reads return the backing
// file's bytes with the file's dirty bytes laid over them; writes only
// add dirty bytes; fsync writes them to the backing file and fsyncs
// it. It deliberately implements no passthrough and no copy_file_range,
// so every byte goes through it.
type handle struct {
	lfs  *FS
	file *lazyFile
	// f is the backing file, opened without O_APPEND, O_DIRECT,
	// O_SYNC or O_TRUNC (the handle applies those itself).
	f        *os.File
	writable bool
	// sync is set for O_SYNC / O_DSYNC opens: each write is persisted
	// before it returns, as those flags promise.
	sync bool
}

var (
	_ fs.FileReader    = (*handle)(nil)
	_ fs.FileWriter    = (*handle)(nil)
	_ fs.FileFsyncer   = (*handle)(nil)
	_ fs.FileFlusher   = (*handle)(nil)
	_ fs.FileReleaser  = (*handle)(nil)
	_ fs.FileGetattrer = (*handle)(nil)
	_ fs.FileLseeker   = (*handle)(nil)
	_ fs.FileAllocater = (*handle)(nil)
)

// newHandle wraps the backing file f, opened for a request with the
// given open flags, and registers it with its file's state.
func (l *FS) newHandle(f *os.File, flags uint32) (*handle, syscall.Errno) {
	var st syscall.Stat_t
	if err := syscall.Fstat(int(f.Fd()), &st); err != nil {
		f.Close()
		return nil, fs.ToErrno(err)
	}
	acc := int(flags) & syscall.O_ACCMODE
	h := &handle{
		lfs:      l,
		file:     l.acquire(keyOf(&st)),
		f:        f,
		writable: acc == syscall.O_WRONLY || acc == syscall.O_RDWR,
		sync:     int(flags)&syscall.O_DSYNC != 0,
	}
	l.mu.Lock()
	l.handles[h] = struct{}{}
	l.mu.Unlock()
	return h, 0
}

// backingFlags returns the flags to open the backing file with for a
// request's open flags: the handle implements append (the kernel
// passes explicit offsets), truncation, O_SYNC and direct I/O itself.
func backingFlags(flags uint32) int {
	return int(flags)&^(syscall.O_APPEND|syscall.O_TRUNC|syscall.O_DIRECT|syscall.O_SYNC|syscall.O_DSYNC|syscall.O_CREAT|syscall.O_EXCL|fuse.FMODE_EXEC) |
		syscall.O_CLOEXEC | syscall.O_NOFOLLOW
}

func (h *handle) Read(ctx context.Context, buf []byte, off int64) (fuse.ReadResult, syscall.Errno) {
	h.file.mu.RLock()
	defer h.file.mu.RUnlock()
	n, err := h.f.ReadAt(buf, off)
	if err != nil && err != io.EOF {
		return nil, fs.ToErrno(err)
	}
	// A short read means the backing file ends at off+n; dirty bytes
	// past it extend the file, with zeros in any gap.
	if end := h.file.dirty.end(); end > off+int64(n) {
		m := int(min(int64(len(buf)), end-off))
		clear(buf[n:m])
		n = m
	}
	h.file.dirty.overlay(buf[:n], off)
	return fuse.ReadResultData(buf[:n]), 0
}

func (h *handle) Write(ctx context.Context, data []byte, off int64) (uint32, syscall.Errno) {
	if !h.lfs.enter() {
		return 0, syscall.EIO
	}
	defer h.lfs.leave()
	h.file.mu.Lock()
	defer h.file.mu.Unlock()
	h.file.dirty.write(off, data)
	if h.sync {
		if err := h.file.persistLocked(h.f, h.writable, true); err != nil {
			return 0, syscall.EIO
		}
	}
	return uint32(len(data)), 0
}

// Fsync persists the file's dirty bytes, whichever handle wrote them,
// as fsync(2) does for a file. flags bit 0 asks for fdatasync.
func (h *handle) Fsync(ctx context.Context, flags uint32) syscall.Errno {
	if !h.lfs.enter() {
		return syscall.EIO
	}
	defer h.lfs.leave()
	h.file.mu.Lock()
	defer h.file.mu.Unlock()
	if err := h.file.persistLocked(h.f, h.writable, flags&1 != 0); err != nil {
		return syscall.EIO
	}
	return 0
}

// Flush is called on every close(2) of a descriptor. It persists
// nothing: on Linux close does not fsync, and a store that relied on
// it would lose data after a power cut.
func (h *handle) Flush(ctx context.Context) syscall.Errno { return 0 }

func (h *handle) Release(ctx context.Context) syscall.Errno {
	var st syscall.Stat_t
	unlinked := syscall.Fstat(int(h.f.Fd()), &st) == nil && st.Nlink == 0
	h.lfs.mu.Lock()
	_, open := h.lfs.handles[h]
	delete(h.lfs.handles, h)
	h.lfs.mu.Unlock()
	if !open {
		return 0
	}
	h.lfs.release(h.file, unlinked)
	return fs.ToErrno(h.f.Close())
}

func (h *handle) Getattr(ctx context.Context, out *fuse.AttrOut) syscall.Errno {
	var st syscall.Stat_t
	if err := syscall.Fstat(int(h.f.Fd()), &st); err != nil {
		return fs.ToErrno(err)
	}
	out.FromStat(&st)
	h.file.mu.RLock()
	out.Size = uint64(h.file.size(st.Size))
	h.file.mu.RUnlock()
	return 0
}

// size returns the file's size as the mount shows it.
func (h *handle) size() (int64, syscall.Errno) {
	var st syscall.Stat_t
	if err := syscall.Fstat(int(h.f.Fd()), &st); err != nil {
		return 0, fs.ToErrno(err)
	}
	h.file.mu.RLock()
	defer h.file.mu.RUnlock()
	return h.file.size(st.Size), 0
}

// Lseek answers SEEK_DATA and SEEK_HOLE (the kernel handles the other
// whences itself) as for a file without holes: all of it is data.
func (h *handle) Lseek(ctx context.Context, off uint64, whence uint32) (uint64, syscall.Errno) {
	size, errno := h.size()
	if errno != 0 {
		return 0, errno
	}
	if int64(off) >= size {
		return 0, syscall.ENXIO
	}
	switch whence {
	case seekData:
		return off, 0
	case seekHole:
		return uint64(size), 0
	}
	return 0, syscall.EINVAL
}

const (
	seekData = 3 // SEEK_DATA
	seekHole = 4 // SEEK_HOLE
)

// Allocate refuses fallocate(2): preallocation, hole punching and
// zeroing would change the backing file outside the dirty-byte model.
// Callers fall back to writing (glibc's posix_fallocate does).
func (h *handle) Allocate(ctx context.Context, off, size uint64, mode uint32) syscall.Errno {
	return syscall.EOPNOTSUPP
}

// truncate sets the file's size in the backing file at once and cuts
// its dirty bytes to match (see the package doc for why).
func (h *handle) truncate(size uint64) syscall.Errno {
	h.file.mu.Lock()
	defer h.file.mu.Unlock()
	var err error
	if h.writable {
		err = h.f.Truncate(int64(size))
	} else {
		// O_RDONLY|O_TRUNC truncates on Linux; ftruncate needs a
		// write descriptor, truncate(2) through /proc does not.
		err = syscall.Truncate(fmt.Sprintf("/proc/self/fd/%d", h.f.Fd()), int64(size))
	}
	if err != nil {
		return fs.ToErrno(err)
	}
	h.file.dirty.truncate(int64(size))
	return 0
}
