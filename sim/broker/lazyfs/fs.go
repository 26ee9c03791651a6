//go:build linux

package lazyfs

import (
	"errors"
	"fmt"
	"path/filepath"
	"sync"
	"syscall"
	"time"

	"github.com/hanwen/go-fuse/v2/fs"
	"github.com/hanwen/go-fuse/v2/fuse"
	"golang.org/x/sys/unix"
)

// FS is a mounted lazy store: a FUSE mount at Mountpoint that passes
// through to Backing, except that written bytes stay in memory until
// their file is fsynced. Its methods are safe for concurrent use.
type FS struct {
	backing    string
	mountpoint string
	server     *fuse.Server
	served     chan struct{}
	connID     uint64

	// gate orders the operations that change the store (writes,
	// fsync, metadata) against Freeze and DropUnsynced: they hold it
	// shared, Freeze and DropUnsynced exclusively, so when those
	// return no change is in flight.
	gate   sync.RWMutex
	frozen bool

	// mu guards files, handles and lazyFile.refs. Lock order: gate,
	// then mu, then a lazyFile's mu.
	mu      sync.Mutex
	files   map[fileKey]*lazyFile
	handles map[*handle]struct{}

	unmountOnce sync.Once
	unmountErr  error
}

// Mount serves a lazy store over backingDir at mountpoint (both
// existing directories) and returns once the mount answers requests.
// The mount is made directly with mount(2); where that cannot be done,
// the error matches ErrNoFUSE and names what is missing.
func Mount(backingDir, mountpoint string) (*FS, error) {
	if err := checkFUSE(); err != nil {
		return nil, err
	}
	backing, err := filepath.Abs(backingDir)
	if err != nil {
		return nil, err
	}
	mnt, err := filepath.Abs(mountpoint)
	if err != nil {
		return nil, err
	}
	var st syscall.Stat_t
	if err := syscall.Stat(backing, &st); err != nil {
		return nil, fmt.Errorf("lazyfs: backing folder: %w", err)
	}
	if st.Mode&syscall.S_IFMT != syscall.S_IFDIR {
		return nil, fmt.Errorf("lazyfs: backing %s is not a directory", backing)
	}

	l := &FS{
		backing:    backing,
		mountpoint: mnt,
		served:     make(chan struct{}),
		files:      map[fileKey]*lazyFile{},
		handles:    map[*handle]struct{}{},
	}
	rootData := &fs.LoopbackRoot{Path: backing, Dev: uint64(st.Dev)}
	root := &node{LoopbackNode: &fs.LoopbackNode{RootData: rootData}, lfs: l}
	rootData.RootNode = root

	// No kernel caching of names or attributes: a file's size changes
	// behind the kernel's back when unsynced bytes are dropped, and
	// faults may edit the backing folder directly.
	zero := time.Duration(0)
	opts := &fs.Options{
		EntryTimeout:    &zero,
		AttrTimeout:     &zero,
		NegativeTimeout: &zero,
		MountOptions: fuse.MountOptions{
			DirectMountStrict: true,
			FsName:            backing,
			Name:              "lazyfs",
		},
	}
	server, err := fuse.NewServer(fs.NewNodeFS(root, opts), mnt, &opts.MountOptions)
	if err != nil {
		return nil, mountRefused(fmt.Errorf("lazyfs: mount %s: %w", mnt, err))
	}
	l.server = server
	go func() {
		defer close(l.served)
		server.Serve()
	}()
	if err := server.WaitMount(); err != nil {
		_ = l.Unmount()
		return nil, fmt.Errorf("lazyfs: mount %s: %w", mnt, err)
	}
	var mst syscall.Stat_t
	if err := syscall.Stat(mnt, &mst); err != nil {
		_ = l.Unmount()
		return nil, fmt.Errorf("lazyfs: mount %s: %w", mnt, err)
	}
	// The kernel names a FUSE connection by the mount's device number
	// in its own encoding (major<<20 | minor).
	l.connID = uint64(unix.Major(uint64(mst.Dev)))<<20 | uint64(unix.Minor(uint64(mst.Dev)))
	return l, nil
}

// Backing returns the folder on the real disk the mount passes
// through to.
func (l *FS) Backing() string { return l.backing }

// Mountpoint returns where the store is mounted.
func (l *FS) Mountpoint() string { return l.mountpoint }

// Unmount removes the mount and stops serving it. It works while
// processes still hold files on the mount: the mount is then detached
// and its FUSE connection aborted, so those processes get errors
// (ENOTCONN) instead of hanging. Unsynced bytes are not written back:
// unmounting is not a sync. Unmount may be called more than once.
func (l *FS) Unmount() error {
	l.unmountOnce.Do(func() { l.unmountErr = l.unmount() })
	return l.unmountErr
}

func (l *FS) unmount() error {
	if err := syscall.Unmount(l.mountpoint, 0); err != nil {
		if !errors.Is(err, syscall.EBUSY) {
			return fmt.Errorf("lazyfs: unmount %s: %w", l.mountpoint, err)
		}
		if err := syscall.Unmount(l.mountpoint, syscall.MNT_DETACH); err != nil {
			return fmt.Errorf("lazyfs: detach %s: %w", l.mountpoint, err)
		}
		if err := abortConnection(l.connID); err != nil {
			return fmt.Errorf("lazyfs: detached %s but its connection stays open: %w", l.mountpoint, err)
		}
	}
	<-l.served
	// A connection aborted under open files leaves their handles
	// unreleased: close their backing descriptors here.
	l.mu.Lock()
	defer l.mu.Unlock()
	for h := range l.handles {
		h.f.Close()
		delete(l.handles, h)
	}
	return nil
}

// Freeze makes the mount refuse every change with EIO (writes, fsync,
// truncate, create, rename, unlink, ...) until Thaw. Reads keep
// working. When Freeze returns, no change is in flight, so nothing
// lands between a power cut and the kill of the processes.
func (l *FS) Freeze() {
	l.gate.Lock()
	l.frozen = true
	l.gate.Unlock()
}

// Thaw undoes Freeze.
func (l *FS) Thaw() {
	l.gate.Lock()
	l.frozen = false
	l.gate.Unlock()
}

// Frozen reports whether the mount is frozen.
func (l *FS) Frozen() bool {
	l.gate.RLock()
	defer l.gate.RUnlock()
	return l.frozen
}

// DropUnsynced is the power cut: it discards every byte written and
// not fsynced, in every file, so what remains is exactly what was
// fsynced (and the metadata, which is applied at once). It returns the
// number of bytes dropped. Open descriptors stay valid and read the
// synced bytes from now on; their offsets are their processes' own and
// are not moved back (the processes of a power cut are killed anyway).
func (l *FS) DropUnsynced() int64 {
	l.gate.Lock()
	defer l.gate.Unlock()
	l.mu.Lock()
	defer l.mu.Unlock()
	var dropped int64
	for key, f := range l.files {
		f.mu.Lock()
		dropped += f.dirty.bytes
		f.dirty.reset()
		f.mu.Unlock()
		if f.refs == 0 {
			delete(l.files, key)
		}
	}
	return dropped
}

// DirtyBytes returns how many bytes are written and not yet fsynced,
// over all files: what DropUnsynced would discard now.
func (l *FS) DirtyBytes() int64 {
	l.mu.Lock()
	defer l.mu.Unlock()
	var n int64
	for _, f := range l.files {
		f.mu.RLock()
		n += f.dirty.bytes
		f.mu.RUnlock()
	}
	return n
}

// enter admits one change to the store, or refuses it when frozen.
// Each admitted change calls leave when done.
func (l *FS) enter() bool {
	l.gate.RLock()
	if l.frozen {
		l.gate.RUnlock()
		return false
	}
	return true
}

func (l *FS) leave() { l.gate.RUnlock() }
