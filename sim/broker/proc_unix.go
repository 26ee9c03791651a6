//go:build unix

package broker

import (
	"os"
	"syscall"
)

// stopProcess freezes p (SIGSTOP, which it cannot catch).
func stopProcess(p *os.Process) error { return p.Signal(syscall.SIGSTOP) }

// continueProcess resumes p after stopProcess (SIGCONT).
func continueProcess(p *os.Process) error { return p.Signal(syscall.SIGCONT) }
