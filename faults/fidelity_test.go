package faults

import (
	"encoding/binary"
	"fmt"
	"io"
	"net"
	"slices"
	"testing"
	"time"
)

// BenchmarkLatencyFidelity measures how much later than asked a latency
// fault delivers, over a loopback TCP echo with the delay on the outbound
// direction. Each sample's error is its round trip minus the mean minus
// the median no-fault round trip. b.N is the number of samples:
//
//	go test -run ^$ -bench Fidelity -benchtime 2000x ./faults/
//
// "open" sends a ping every 1 ms whatever is in flight (a busy caller);
// "closed" waits for each echo before the next ping (an idle process, where
// Go's timers are coarsest).
func BenchmarkLatencyFidelity(b *testing.B) {
	for _, mode := range []string{"open", "closed"} {
		for _, mean := range []time.Duration{time.Millisecond, 20 * time.Millisecond, 200 * time.Millisecond} {
			b.Run(fmt.Sprintf("%s/mean=%v", mode, mean), func(b *testing.B) {
				n := NewNet()
				c := dialEcho(b, n, listen(b))
				base := percentile(closedLoop(b, c, 200), 0.5)
				defer n.Apply(LinkRule{Match: LinkSpec{From: "a", To: "b"}, Latency: LatencySpec{Mean: mean}})()
				b.ResetTimer()
				var rtts []time.Duration
				if mode == "open" {
					rtts = openLoop(b, c, b.N, time.Millisecond)
				} else {
					rtts = closedLoop(b, c, b.N)
				}
				b.StopTimer()
				for i := range rtts {
					rtts[i] -= mean + base
				}
				us := func(d time.Duration) float64 { return float64(d) / float64(time.Microsecond) }
				b.ReportMetric(us(base), "base-rtt-us")
				b.ReportMetric(us(percentile(rtts, 0)), "min-err-us")
				b.ReportMetric(us(percentile(rtts, 0.5)), "p50-err-us")
				b.ReportMetric(us(percentile(rtts, 0.99)), "p99-err-us")
			})
		}
	}
}

// percentile returns the q-quantile of ds (sorting it).
func percentile(ds []time.Duration, q float64) time.Duration {
	slices.Sort(ds)
	return ds[min(len(ds)-1, int(q*float64(len(ds))))]
}

// closedLoop measures k ping round trips, one at a time.
func closedLoop(tb testing.TB, c net.Conn, k int) []time.Duration {
	out, in := make([]byte, 16), make([]byte, 16)
	rtts := make([]time.Duration, k)
	for i := range rtts {
		start := time.Now()
		if err := roundTrip(c, out, in); err != nil {
			tb.Fatal(err)
		}
		rtts[i] = time.Since(start)
	}
	return rtts
}

// openLoop sends k pings every gap, each stamped with its send time, and
// measures each one's round trip as its echo is read.
func openLoop(tb testing.TB, c net.Conn, k int, gap time.Duration) []time.Duration {
	epoch := time.Now()
	errc := make(chan error, 1)
	go func() {
		msg := make([]byte, 16)
		for range k {
			binary.LittleEndian.PutUint64(msg, uint64(time.Since(epoch)))
			if _, err := c.Write(msg); err != nil {
				errc <- err
				return
			}
			time.Sleep(gap)
		}
		errc <- nil
	}()
	rtts := make([]time.Duration, k)
	in := make([]byte, 16)
	for i := range rtts {
		if _, err := io.ReadFull(c, in); err != nil {
			tb.Fatal(err)
		}
		rtts[i] = time.Since(epoch) - time.Duration(binary.LittleEndian.Uint64(in))
	}
	if err := <-errc; err != nil {
		tb.Fatal(err)
	}
	return rtts
}
