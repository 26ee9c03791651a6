//go:build linux

package lazyfs

import (
	"errors"
	"fmt"
	"os"
	"syscall"
)

// checkFUSE says why a FUSE mount cannot be made here, or nil. The
// mount is made directly with mount(2), which needs root (strictly,
// CAP_SYS_ADMIN) and a usable /dev/fuse.
func checkFUSE() error {
	if os.Geteuid() != 0 {
		return fmt.Errorf("%w: not running as root (uid %d); the lazy store mounts FUSE with mount(2), which needs root", ErrNoFUSE, os.Geteuid())
	}
	f, err := os.OpenFile("/dev/fuse", os.O_RDWR, 0)
	if err != nil {
		return fmt.Errorf("%w: /dev/fuse: %v", ErrNoFUSE, err)
	}
	f.Close()
	return nil
}

// mountRefused wraps a mount(2) failure that means "not allowed here"
// (a container without CAP_SYS_ADMIN, a kernel without fuse) in
// ErrNoFUSE; other errors pass through.
func mountRefused(err error) error {
	for _, e := range []error{syscall.EPERM, syscall.EACCES, syscall.ENODEV} {
		if errors.Is(err, e) {
			return fmt.Errorf("%w: mount(2) of fuse refused: %v", ErrNoFUSE, err)
		}
	}
	return err
}
