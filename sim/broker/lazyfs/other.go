//go:build !linux

package lazyfs

import (
	"fmt"
	"runtime"
)

// FS is a mounted lazy store. On this system it cannot be mounted:
// the lazy store serves FUSE with mount(2), which is Linux only.
type FS struct{}

// Mount returns an error matching ErrNoFUSE: not Linux.
func Mount(backingDir, mountpoint string) (*FS, error) {
	return nil, fmt.Errorf("%w: not Linux (%s)", ErrNoFUSE, runtime.GOOS)
}

// Backing returns "".
func (l *FS) Backing() string { return "" }

// Mountpoint returns "".
func (l *FS) Mountpoint() string { return "" }

// Unmount does nothing.
func (l *FS) Unmount() error { return nil }

// Freeze does nothing.
func (l *FS) Freeze() {}

// Thaw does nothing.
func (l *FS) Thaw() {}

// Frozen reports false.
func (l *FS) Frozen() bool { return false }

// DropUnsynced drops nothing.
func (l *FS) DropUnsynced() int64 { return 0 }

// DirtyBytes returns 0.
func (l *FS) DirtyBytes() int64 { return 0 }
