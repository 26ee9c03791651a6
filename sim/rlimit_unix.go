//go:build unix

package sim

import "syscall"

// RaiseFDLimit raises the process's soft RLIMIT_NOFILE to its hard limit
// and returns the soft limit now in effect. Go's syscall package already
// raises it at start, to one below the hard limit (go.dev/issue/46279);
// this takes the last one and reads the result. When the raise is refused
// it returns the soft limit as it was. Safe for concurrent use; it changes
// process state, so call it once before a run starts.
func RaiseFDLimit() (int64, error) {
	var lim syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &lim); err != nil {
		return 0, err
	}
	if lim.Cur < lim.Max {
		raised := lim
		raised.Cur = lim.Max
		if err := syscall.Setrlimit(syscall.RLIMIT_NOFILE, &raised); err == nil {
			lim = raised
		}
	}
	if lim.Cur > 1<<40 { // RLIM_INFINITY, or as good as
		return 1 << 40, nil
	}
	return int64(lim.Cur), nil
}
