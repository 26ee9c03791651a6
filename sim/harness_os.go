package sim

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// osSchedFiles is where Linux reports, per thread of this process, the
// time it ran on a CPU and the time it waited on a run queue, in
// nanoseconds: "run wait slices" (needs schedstats, on in common kernels).
const osSchedFiles = "/proc/self/task/*/schedstat"

// osCPUTimes returns the nanoseconds the process's live threads have run
// and have waited, runnable, for a CPU the OS gave to someone else. ok is
// false where that is not reported (not Linux, no schedstats). Threads
// that exited are not counted; the Go runtime rarely ends threads.
func osCPUTimes() (run, wait uint64, ok bool) {
	files, _ := filepath.Glob(osSchedFiles)
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			continue // the thread exited
		}
		fields := strings.Fields(string(data))
		if len(fields) < 2 {
			continue
		}
		r, err1 := strconv.ParseUint(fields[0], 10, 64)
		w, err2 := strconv.ParseUint(fields[1], 10, 64)
		if err1 != nil || err2 != nil {
			continue
		}
		run, wait, ok = run+r, wait+w, true
	}
	return run, wait, ok
}
