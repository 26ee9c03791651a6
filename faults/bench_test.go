package faults

import (
	"context"
	"fmt"
	"io"
	"net"
	"sync/atomic"
	"testing"
	"time"
)

// dialEcho dials the loopback echo server at addr through n.
func dialEcho(tb testing.TB, n *Net, addr string) *Conn {
	tb.Helper()
	c, err := n.Dial(context.Background(), Link{"a", "b"}, "tcp", addr)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { c.Close() })
	return c.(*Conn)
}

// roundTrip writes out and reads as many bytes back.
func roundTrip(c net.Conn, out, in []byte) error {
	if _, err := c.Write(out); err != nil {
		return err
	}
	_, err := io.ReadFull(c, in)
	return err
}

// The no-fault path is a pass-through: nothing allocated per Read/Write.
func TestNoFaultPathAllocatesNothing(t *testing.T) {
	c := dialEcho(t, NewNet(), listen(t))
	out, in := make([]byte, 512), make([]byte, 512)
	if a := testing.AllocsPerRun(200, func() {
		if err := roundTrip(c, out, in); err != nil {
			t.Fatal(err)
		}
	}); a != 0 {
		t.Fatalf("%v allocations per round trip, want 0", a)
	}
}

// BenchmarkConnRaw is the baseline: a 512-byte echo round trip on a plain
// loopback TCP conn.
func BenchmarkConnRaw(b *testing.B) {
	c, err := net.Dial("tcp", listen(b))
	if err != nil {
		b.Fatal(err)
	}
	defer c.Close()
	benchRoundTrip(b, c)
}

// BenchmarkConnNoFault is the same round trip through a *Conn with no
// fault: it must allocate nothing.
func BenchmarkConnNoFault(b *testing.B) {
	benchRoundTrip(b, dialEcho(b, NewNet(), listen(b)))
}

// BenchmarkConnNoFaultAfterFault: a conn whose fault was removed is a
// pass-through again.
func BenchmarkConnNoFaultAfterFault(b *testing.B) {
	n := NewNet()
	c := dialEcho(b, n, listen(b))
	n.Apply(LinkRule{Match: LinkSpec{From: "a", To: "b", Both: true}, Latency: LatencySpec{Mean: time.Microsecond}})()
	out, in := make([]byte, 8), make([]byte, 8)
	for attached(c, Outbound) || attached(c, Inbound) {
		if err := roundTrip(c, out, in); err != nil {
			b.Fatal(err)
		}
	}
	benchRoundTrip(b, c)
}

func benchRoundTrip(b *testing.B, c net.Conn) {
	out, in := make([]byte, 512), make([]byte, 512)
	b.SetBytes(512)
	b.ReportAllocs()
	for b.Loop() {
		if err := roundTrip(c, out, in); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkConnLatency streams 16 KiB writes through a one-way latency
// (and, for comparison, none) to a sink, counting until the last byte
// arrived. The delay does not serialize writes; what bounds throughput is
// the 4 MiB a direction holds per delay, as a TCP window would
// (4 MiB / 20 ms ≈ 210 MB/s).
func BenchmarkConnLatency(b *testing.B) {
	for _, mean := range []time.Duration{0, time.Millisecond, 20 * time.Millisecond} {
		b.Run(fmt.Sprint("mean=", mean), func(b *testing.B) {
			var got atomic.Int64
			addr := sink(b, &got)
			n := NewNet()
			if mean > 0 {
				defer n.Apply(LinkRule{Match: LinkSpec{From: "a", To: "b"}, Latency: LatencySpec{Mean: mean}})()
			}
			c := dialEcho(b, n, addr)
			msg := make([]byte, 16<<10)
			b.SetBytes(int64(len(msg)))
			b.ReportAllocs()
			var sent int64
			for b.Loop() {
				if _, err := c.Write(msg); err != nil {
					b.Fatal(err)
				}
				sent += int64(len(msg))
			}
			for got.Load() < sent {
				time.Sleep(100 * time.Microsecond)
			}
		})
	}
}

// sink accepts connections on loopback and counts the bytes they send.
func sink(tb testing.TB, got *atomic.Int64) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				buf := make([]byte, 64<<10)
				for {
					k, err := c.Read(buf)
					got.Add(int64(k))
					if err != nil {
						c.Close()
						return
					}
				}
			}()
		}
	}()
	tb.Cleanup(func() { ln.Close(); <-done })
	return ln.Addr().String()
}
