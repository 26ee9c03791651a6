package broker_test

import (
	"context"
	"errors"
	"net"
	"strconv"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/faultline-sim/faultline/faults"
	"github.com/faultline-sim/faultline/sim/broker"
	"github.com/faultline-sim/faultline/sim/simtest"
)

// faultDialer dials the broker through the fault layer as the engine's
// replicas do; to names the callee of an address.
type faultDialer struct {
	net *faults.Net
	to  func(addr string) string
}

func (d faultDialer) Dial(network, addr string) (net.Conn, error) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	return d.net.Dial(ctx, faults.Link{From: "client", To: d.to(addr)}, network, addr)
}

// reconnectingClient connects to url with the settings the engine's
// replicas use, through the fault layer; closed at the end of the test.
func reconnectingClient(t *testing.T, url string, d faultDialer) (*nats.Conn, jetstream.JetStream) {
	t.Helper()
	nc, err := nats.Connect(url,
		nats.SetCustomDialer(d),
		nats.Timeout(time.Second),
		nats.MaxReconnects(-1),
		nats.ReconnectWait(100*time.Millisecond),
		nats.PingInterval(500*time.Millisecond),
		nats.MaxPingsOutstanding(2),
	)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(nc.Close)
	js, err := jetstream.New(nc)
	if err != nil {
		t.Fatal(err)
	}
	return nc, js
}

// receiveAll fetches from group's consumer, acking, until it has seen the
// payloads "0" to want-1 (duplicates and others allowed) or ctx is done.
func receiveAll(t *testing.T, ctx context.Context, js jetstream.JetStream, group string, want int) {
	t.Helper()
	seen := map[string]bool{}
	missing := func() int {
		n := 0
		for i := range want {
			if !seen[strconv.Itoa(i)] {
				n++
			}
		}
		return n
	}
	for missing() > 0 {
		if ctx.Err() != nil {
			t.Fatalf("group %s is missing %d of %d acked messages", group, missing(), want)
		}
		time.Sleep(10 * time.Millisecond)
		rctx, cancel := context.WithTimeout(ctx, time.Second)
		c, err := js.Consumer(rctx, broker.StreamName(subject), broker.DurableName(subject, group))
		cancel()
		if err != nil {
			continue // no consumer leader yet
		}
		batch, err := c.FetchNoWait(want)
		if err != nil {
			continue
		}
		for m := range batch.Messages() {
			seen[string(m.Data())] = true
			m.Ack()
		}
	}
}

func TestCrashRestartKeepsAckedMessages(t *testing.T) {
	ctx := simtest.Context(t)
	b := start(t, ctx)
	fnet := faults.NewNet()
	nc, js := reconnectingClient(t, b.URL(), faultDialer{fnet, func(string) string { return "broker" }})

	const n = 50
	for i := range n {
		if _, err := js.Publish(ctx, subject, []byte(strconv.Itoa(i))); err != nil {
			t.Fatal(err)
		}
	}
	url, dir := b.URL(), b.StoreDir()

	// As the engine does: cut the clients' links, then crash.
	if cut := fnet.CloseConns(faults.Link{To: "broker"}); cut == 0 {
		t.Error("no client connection to the broker to cut")
	}
	if err := b.Crash(ctx); err != nil {
		t.Fatal(err)
	}
	if err := b.Crash(ctx); err != nil {
		t.Errorf("second Crash: %v, want nil (no-op)", err)
	}

	// Generous bounds: they tell "fails at its timeout" from "hangs" on a
	// loaded machine.
	began := time.Now()
	if _, err := b.Lag(ctx); !errors.Is(err, broker.ErrCrashed) {
		t.Errorf("Lag while crashed: %v, want ErrCrashed", err)
	}
	if took := time.Since(began); took > 100*time.Millisecond {
		t.Errorf("Lag while crashed took %v, want it to fail at once", took)
	}
	began = time.Now()
	pctx, cancel := context.WithTimeout(ctx, 200*time.Millisecond)
	_, err := js.Publish(pctx, subject, []byte("during crash"))
	cancel()
	if err == nil {
		t.Error("publish while crashed was acked")
	}
	if took := time.Since(began); took > 2*time.Second {
		t.Errorf("publish while crashed took %v with a 200ms context", took)
	}

	if err := b.Restart(ctx); err != nil {
		t.Fatal(err)
	}
	if b.URL() != url || b.StoreDir() != dir {
		t.Errorf("after Restart: %s in %s, want the same %s in %s", b.URL(), b.StoreDir(), url, dir)
	}
	if err := b.Restart(ctx); err != nil {
		t.Errorf("Restart of a running broker: %v, want nil (no-op)", err)
	}
	simtest.EventuallyWhy(t, "client reconnected after Restart", func() (bool, string) {
		return nc.IsConnected(), nc.Status().String()
	})
	if _, err := js.Publish(ctx, subject, []byte(strconv.Itoa(n))); err != nil {
		t.Fatalf("publish after Restart: %v", err)
	}
	for _, group := range []string{"billing", "ship"} {
		receiveAll(t, ctx, js, group, n+1)
	}
	if _, err := b.Lag(ctx); err != nil {
		t.Errorf("Lag after Restart: %v", err)
	}
	// The publish that timed out was buffered by the reconnecting client and
	// is normally stored after the restart: a failed publish is not a lost
	// one.
	st, err := js.Stream(ctx, broker.StreamName(subject))
	if err != nil {
		t.Fatal(err)
	}
	info, err := st.Info(ctx)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("stream holds %d messages: %d acked + %d published while crashed", info.State.Msgs, n+1, int(info.State.Msgs)-n-1)
}
