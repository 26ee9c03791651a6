//go:build !unix

package broker

import (
	"errors"
	"os"
	"syscall"
)

// errNoSignals: pausing a process needs SIGSTOP and SIGCONT.
var errNoSignals = errors.New("pausing a process needs SIGSTOP, which this system lacks")

func sysProcAttr() *syscall.SysProcAttr { return nil }
func procState(int) (byte, error)       { return 0, errors.ErrUnsupported }
func stopProcess(*os.Process) error     { return errNoSignals }
func continueProcess(*os.Process) error { return errNoSignals }
