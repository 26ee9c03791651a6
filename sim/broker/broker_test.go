package broker_test

import (
	"context"
	"errors"
	"io/fs"
	"net"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"go.uber.org/goleak"

	"github.com/faultline-sim/faultline/sim/broker"
	"github.com/faultline-sim/faultline/sim/simtest"
	"github.com/faultline-sim/faultline/topologies"
)

// TestMain runs a broker node or a helper parent when this binary was
// started as one (see proc_test.go); otherwise the tests, failing when a
// goroutine or a child process outlives them.
func TestMain(m *testing.M) {
	broker.RunIfNodeProcess()
	runHelperParent()
	goleak.VerifyTestMain(childCheck{m})
}

// fanOut publishes one subject that two groups consume, each with its own
// delivery settings.
const fanOut = `
name: fan-out
entry: order
services:
  - name: order
    work: 1ms
    publish: [orders.placed]
  - name: billing
    work: 1ms
    consume: [{subject: orders.placed, max_deliver: 5, ack_wait: 7s}]
  - name: shipping
    work: 1ms
    consume: [{subject: orders.placed, group: ship, max_deliver: 3, ack_wait: 11s}]
`

const subject = "orders.placed"

// start starts a broker, sets it up for fanOut and closes it at the end of
// the test.
func start(t *testing.T, ctx context.Context) *broker.Broker {
	t.Helper()
	top, err := topologies.Parse("fan-out.yaml", []byte(fanOut))
	if err != nil {
		t.Fatal(err)
	}
	b := broker.New()
	if err := b.Start(ctx); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(b.Close)
	if err := b.Setup(ctx, top); err != nil {
		t.Fatal(err)
	}
	return b
}

// client connects a JetStream client to b, closed at the end of the test.
func client(t *testing.T, b *broker.Broker) jetstream.JetStream {
	t.Helper()
	return connectJS(t, b.URL())
}

func TestStartListensOnLoopback(t *testing.T) {
	ctx := simtest.Context(t)
	b := broker.New()
	if err := b.Start(ctx); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(b.Close)
	if !strings.HasPrefix(b.URL(), "nats://127.0.0.1:") {
		t.Errorf("URL() = %q, want nats://127.0.0.1:port", b.URL())
	}
	host, port, err := net.SplitHostPort(b.Addr())
	if err != nil || host != "127.0.0.1" || port == "0" || port == "" {
		t.Errorf("Addr() = %q (%v), want 127.0.0.1 with an assigned port", b.Addr(), err)
	}
	if b.URL() != "nats://"+b.Addr() {
		t.Errorf("URL() %q and Addr() %q disagree", b.URL(), b.Addr())
	}
	// Something real answers: a client connects.
	nc, err := nats.Connect(b.URL())
	if err != nil {
		t.Fatalf("connect to %s: %v", b.URL(), err)
	}
	nc.Close()
}

func TestSetupCreatesStreamAndDurableConsumers(t *testing.T) {
	ctx := simtest.Context(t)
	b := start(t, ctx)
	js := client(t, b)

	// fan-out's consumers have max_deliver, so they dead-letter by default:
	// the dead-letter stream may be there too (TestSetupDeadLetterStream).
	var streams []string
	for name := range js.StreamNames(ctx).Name() {
		if name != broker.DeadLetterStream {
			streams = append(streams, name)
		}
	}
	if len(streams) != 1 || streams[0] != broker.StreamName(subject) {
		t.Fatalf("streams %v, want [%s] (and the dead-letter stream)", streams, broker.StreamName(subject))
	}
	st, err := js.Stream(ctx, broker.StreamName(subject))
	if err != nil {
		t.Fatal(err)
	}
	info, err := st.Info(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if got := info.Config.Subjects; len(got) != 1 || got[0] != subject {
		t.Errorf("stream subjects %v, want [%s]", got, subject)
	}
	if info.Config.Storage != jetstream.FileStorage {
		t.Errorf("stream storage %v, want file", info.Config.Storage)
	}

	var consumers []string
	for name := range st.ConsumerNames(ctx).Name() {
		consumers = append(consumers, name)
	}
	if len(consumers) != 2 {
		t.Errorf("consumers %v, want one per group", consumers)
	}
	for _, tc := range []struct {
		group      string
		maxDeliver int
		ackWait    time.Duration
	}{
		{"billing", 5, 7 * time.Second},
		{"ship", 3, 11 * time.Second},
	} {
		c, err := st.Consumer(ctx, broker.DurableName(subject, tc.group))
		if err != nil {
			t.Errorf("consumer of group %s: %v", tc.group, err)
			continue
		}
		ci, err := c.Info(ctx)
		if err != nil {
			t.Fatal(err)
		}
		cfg := ci.Config
		if cfg.Durable != broker.DurableName(subject, tc.group) {
			t.Errorf("%s: durable %q, want %q", tc.group, cfg.Durable, broker.DurableName(subject, tc.group))
		}
		if cfg.AckPolicy != jetstream.AckExplicitPolicy {
			t.Errorf("%s: ack policy %v, want explicit", tc.group, cfg.AckPolicy)
		}
		if cfg.MaxDeliver != tc.maxDeliver {
			t.Errorf("%s: max deliver %d, want %d", tc.group, cfg.MaxDeliver, tc.maxDeliver)
		}
		if cfg.AckWait != tc.ackWait {
			t.Errorf("%s: ack wait %v, want %v", tc.group, cfg.AckWait, tc.ackWait)
		}
		if cfg.FilterSubject != subject {
			t.Errorf("%s: filter subject %q, want %q", tc.group, cfg.FilterSubject, subject)
		}
	}
}

func TestLagCountsUnackedMessages(t *testing.T) {
	ctx := simtest.Context(t)
	b := start(t, ctx)
	js := client(t, b)

	lag := func() (int64, string) {
		n, err := b.Lag(ctx)
		if err != nil {
			t.Fatalf("Lag: %v", err)
		}
		return n, "lag " + strconv.FormatInt(n, 10)
	}
	if n, _ := lag(); n != 0 {
		t.Fatalf("lag %d before any publish, want 0", n)
	}

	const n = 5
	for range n {
		if _, err := js.Publish(ctx, subject, []byte("x")); err != nil {
			t.Fatal(err)
		}
	}
	simtest.EventuallyWhy(t, "lag after publishing 5", func() (bool, string) {
		got, s := lag()
		return got == n, s
	})

	// Both groups must ack every message before the lag is back to 0: Lag is
	// the largest of the consumers' lags.
	for _, group := range []string{"billing", "ship"} {
		c, err := js.Consumer(ctx, broker.StreamName(subject), broker.DurableName(subject, group))
		if err != nil {
			t.Fatal(err)
		}
		for got := 0; got < n; {
			batch, err := c.Fetch(n-got, jetstream.FetchMaxWait(5*time.Second))
			if err != nil {
				t.Fatal(err)
			}
			for m := range batch.Messages() {
				if err := m.DoubleAck(ctx); err != nil {
					t.Fatal(err)
				}
				got++
			}
			if err := batch.Error(); err != nil && !errors.Is(err, nats.ErrTimeout) {
				t.Fatal(err)
			}
		}
		if group == "billing" {
			if got, _ := lag(); got != n {
				t.Errorf("lag %d with group ship still behind, want %d", got, n)
			}
		}
	}
	simtest.EventuallyWhy(t, "lag after acking everything", func() (bool, string) {
		got, s := lag()
		return got == 0, s
	})
}

func TestCloseRemovesStoreAndIsIdempotent(t *testing.T) {
	ctx := simtest.Context(t)
	b := start(t, ctx)
	js := client(t, b)
	if _, err := js.Publish(ctx, subject, []byte("x")); err != nil {
		t.Fatal(err)
	}
	dir := b.StoreDir()
	if dir == "" {
		t.Fatal("StoreDir() is empty after Start")
	}
	if _, err := os.Stat(dir); err != nil {
		t.Fatalf("store directory: %v", err)
	}
	b.Close()
	if _, err := os.Stat(dir); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("store %s after Close: %v, want it removed", dir, err)
	}
	if got := b.StoreDir(); got != "" {
		t.Errorf("StoreDir() = %q after Close, want empty", got)
	}
	b.Close() // idempotent: neither panics nor blocks

	broker.New().Close() // closing an unstarted broker is a no-op
}

func TestNamesAreValidJetStreamNames(t *testing.T) {
	for _, tc := range []struct {
		subject, group  string
		stream, durable string
	}{
		{"orders", "billing", "EV_orders", "billing__orders"},
		{"orders.placed", "billing", "EV_orders_placed", "billing__orders_placed"},
		{"orders.*.placed", "ship-2", "EV_orders___placed", "ship-2__orders___placed"},
		{"orders.>", "g_1", "EV_orders__", "g_1__orders__"},
		{"a.b c\td", "x.y", "EV_a_b_c_d", "x_y__a_b_c_d"},
		{"ünï.cödé", "grüp", "EV__n__c_d_", "gr_p___n__c_d_"},
	} {
		t.Run(tc.subject, func(t *testing.T) {
			if got := broker.StreamName(tc.subject); got != tc.stream {
				t.Errorf("StreamName(%q) = %q, want %q", tc.subject, got, tc.stream)
			}
			if got := broker.DurableName(tc.subject, tc.group); got != tc.durable {
				t.Errorf("DurableName(%q, %q) = %q, want %q", tc.subject, tc.group, got, tc.durable)
			}
			for _, name := range []string{broker.StreamName(tc.subject), broker.DurableName(tc.subject, tc.group)} {
				if strings.ContainsAny(name, ".*> \t/\\") {
					t.Errorf("%q holds a character JetStream names must not", name)
				}
			}
		})
	}
}
