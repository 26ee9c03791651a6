package broker

import (
	"bytes"
	"fmt"
	"os"
	"strconv"
	"syscall"
)

// sysProcAttr puts a node process in its own process group (a terminal's
// Ctrl-C reaches only the parent) and has the kernel SIGKILL it when the
// parent dies. The kernel ties that to the thread that started the child;
// Go keeps its threads unless a goroutine locked to one exits, which
// nothing here does.
func sysProcAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
}

// procState returns the state letter of process pid from /proc/PID/stat:
// R running, S sleeping, T stopped, Z zombie, and so on.
func procState(pid int) (byte, error) {
	data, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return 0, err
	}
	// pid (comm) state ...: comm may hold spaces and parentheses.
	i := bytes.LastIndexByte(data, ')')
	if i < 0 || i+2 >= len(data) {
		return 0, fmt.Errorf("/proc/%d/stat: unexpected %q", pid, data)
	}
	return data[i+2], nil
}
