package lazyfs

import (
	"fmt"
	"os"
	"path/filepath"
	"syscall"
)

// abortConnection aborts the FUSE connection id through the fuse
// control filesystem, so its serve loop ends even while files are
// open. fusectl is used where it is mounted, else mounted on a
// temporary folder for the purpose.
func abortConnection(id uint64) error {
	write := func(dir string) error {
		return os.WriteFile(filepath.Join(dir, fmt.Sprint(id), "abort"), []byte("1"), 0)
	}
	if err := write("/sys/fs/fuse/connections"); err == nil {
		return nil
	}
	dir, err := os.MkdirTemp("", "lazyfs-fusectl-")
	if err != nil {
		return err
	}
	defer os.Remove(dir)
	if err := syscall.Mount("fusectl", dir, "fusectl", 0, ""); err != nil {
		return fmt.Errorf("mount fusectl: %w", err)
	}
	defer syscall.Unmount(dir, syscall.MNT_DETACH)
	return write(dir)
}
