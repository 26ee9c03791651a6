package sim

import (
	"runtime"
	"sync"
	"testing"
	"time"
)

// Twice as many busy threads as CPUs must wait for one about half of
// their runnable time; harnessSince reports that wait, which the Go
// runtime's own figures (scheduling delay, CPU busy) do not show. The
// bound is a quarter, generous for a machine that is busy anyway (that
// only adds wait).
func TestHarnessCPUWaitShare(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("schedstat is Linux only")
	}
	if _, _, ok := osCPUTimes(); !ok {
		t.Skip("no /proc/self/task/*/schedstat")
	}
	n := 2 * runtime.NumCPU()
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(n + 1))
	from := readRuntime()
	stop := time.Now().Add(400 * time.Millisecond)
	var wg sync.WaitGroup
	for range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			runtime.LockOSThread()
			defer runtime.UnlockOSThread()
			for time.Now().Before(stop) {
			}
		}()
	}
	wg.Wait()
	h := harnessSince(from, readRuntime())
	if h.CPUWaitShare != nil {
		t.Logf("cpu wait share %.2f, cpu busy %.2f (%d busy threads, %d CPUs)", *h.CPUWaitShare, h.CPUBusy, n, runtime.NumCPU())
	}
	if h.CPUWaitShare == nil || *h.CPUWaitShare < 0.25 || *h.CPUWaitShare > 1 {
		t.Fatalf("cpu wait share %v with %d busy threads on %d CPUs, want about 0.5", h.CPUWaitShare, n, runtime.NumCPU())
	}
}
