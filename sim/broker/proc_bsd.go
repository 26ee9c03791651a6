//go:build unix && !linux

package broker

import (
	"errors"
	"syscall"
)

// sysProcAttr puts a node process in its own process group, so a
// terminal's Ctrl-C reaches only the parent. Without Pdeathsig, the child
// stops when its stdin reaches EOF at the parent's death.
func sysProcAttr() *syscall.SysProcAttr { return &syscall.SysProcAttr{Setpgid: true} }

// procState is unknown without /proc: Pause returns once SIGSTOP is sent.
func procState(int) (byte, error) { return 0, errors.ErrUnsupported }
