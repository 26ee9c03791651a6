package broker_test

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"testing"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/faultline-sim/faultline/faults"
	"github.com/faultline-sim/faultline/sim/broker"
	"github.com/faultline-sim/faultline/sim/simtest"
	"github.com/faultline-sim/faultline/topologies"
)

func TestNewClusterValidates(t *testing.T) {
	n := faults.NewNet()
	for _, tc := range []struct {
		nodes, replicas int
		net             *faults.Net
		ok              bool
		wantNodes       int
	}{
		{3, 3, n, true, 3},
		{1, 1, n, true, 1},
		{5, 3, n, true, 5},
		{0, 0, n, true, 1}, // the defaults: one node, one copy
		{3, 0, n, true, 3},
		{0, 2, n, false, 0},
		{-1, 1, n, false, 0},
		{3, -1, n, false, 0},
		{3, 4, n, false, 0},
		{7, 6, n, false, 0},
		{3, 3, nil, false, 0},
	} {
		c, err := broker.NewCluster(broker.ClusterConfig{Nodes: tc.nodes, Replicas: tc.replicas, Net: tc.net})
		if (err == nil) != tc.ok || (c != nil) != tc.ok {
			t.Errorf("NewCluster(%d nodes, %d replicas, net %v) = %v, %v; want ok %v", tc.nodes, tc.replicas, tc.net != nil, c, err, tc.ok)
		} else if c != nil && c.Nodes() != tc.wantNodes {
			t.Errorf("NewCluster(%d nodes, %d replicas): %d nodes, want %d", tc.nodes, tc.replicas, c.Nodes(), tc.wantNodes)
		}
	}
}

// publishAcked publishes payloads from to to-1, each with its payload as
// message id, retrying each until it is acked (the broker dedupes retries).
func publishAcked(t *testing.T, ctx context.Context, js jetstream.JetStream, from, to int) {
	t.Helper()
	for i := from; i < to; {
		pctx, cancel := context.WithTimeout(ctx, time.Second)
		_, err := js.Publish(pctx, subject, []byte(strconv.Itoa(i)), jetstream.WithMsgID(strconv.Itoa(i)))
		cancel()
		switch {
		case err == nil:
			i++
		case ctx.Err() != nil:
			t.Fatalf("publish %d: %v", i, err)
		default:
			time.Sleep(10 * time.Millisecond)
		}
	}
}

// TestClusterLeaderCrash crashes the leader of an R3 stream on 3 nodes:
// a new leader serves publishes, the node rejoins and catches up, and no
// acked message is lost.
func TestClusterLeaderCrash(t *testing.T) {
	if testing.Short() {
		t.Skip("a leader election takes seconds")
	}
	ctx, cancel := context.WithTimeout(t.Context(), 90*time.Second)
	t.Cleanup(cancel)
	top, err := topologies.Parse("fan-out.yaml", []byte(fanOut))
	if err != nil {
		t.Fatal(err)
	}
	fnet := faults.NewNet()
	c, err := broker.NewCluster(broker.ClusterConfig{Nodes: 3, Replicas: 3, Net: fnet})
	if err != nil {
		t.Fatal(err)
	}
	began := time.Now()
	if err := c.Start(ctx); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.Close)
	if err := c.Setup(ctx, top); err != nil {
		t.Fatal(err)
	}
	t.Logf("3 nodes started and set up in %v", time.Since(began))
	if got := len(c.URLs()); got != 3 {
		t.Fatalf("URLs() has %d entries, want 3", got)
	}
	// Every route goes through the fault layer.
	for i := range 3 {
		for j := range 3 {
			if i < j && len(fnet.Conns(faults.Link{From: broker.NodeEndpoint(i), To: broker.NodeEndpoint(j)}))+
				len(fnet.Conns(faults.Link{From: broker.NodeEndpoint(j), To: broker.NodeEndpoint(i)})) == 0 {
				t.Errorf("no route between nodes %d and %d through the fault layer", i, j)
			}
		}
	}

	_, js := reconnectingClient(t, c.URL(), faultDialer{fnet, func(addr string) string {
		return broker.NodeEndpoint(c.Node(addr))
	}})
	const n = 100
	publishAcked(t, ctx, js, 0, n)

	stream := broker.StreamName(subject)
	old, err := c.Leader(ctx, stream)
	if err != nil {
		t.Fatal(err)
	}
	crashed := time.Now()
	if err := c.CrashNode(ctx, old); err != nil {
		t.Fatal(err)
	}
	for _, l := range []faults.Link{{From: broker.NodeEndpoint(old)}, {To: broker.NodeEndpoint(old)}} {
		if live := fnet.Conns(l); len(live) > 0 {
			t.Errorf("%d connections of %s left after CrashNode", len(live), l)
		}
	}
	publishable, err := c.WaitPublishable(ctx, subject)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("leader node %d crashed: publishable again after %v (CrashNode took %v)",
		old, publishable, time.Since(crashed)-publishable)
	if leader, err := c.Leader(ctx, stream); err != nil || leader == old {
		t.Errorf("leader after the crash: %d, %v; want another node", leader, err)
	}
	publishAcked(t, ctx, js, n, 2*n)

	restarted := time.Now()
	if err := c.RestartNode(ctx, old); err != nil {
		t.Fatal(err)
	}
	caughtUp, err := c.WaitCaughtUp(ctx, old)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("node %d restarted: caught up after %v (RestartNode took %v)",
		old, caughtUp, time.Since(restarted)-caughtUp)

	for _, group := range []string{"billing", "ship"} {
		receiveAll(t, ctx, js, group, 2*n)
	}
	// Everything delivered was acked, and no consumer sees the probes.
	simtest.EventuallyWhy(t, "lag after acking everything", func() (bool, string) {
		got, err := c.Lag(ctx)
		return err == nil && got == 0, fmt.Sprintf("lag %d (%v)", got, err)
	})
}

func TestClusterLeaderWithoutStream(t *testing.T) {
	if testing.Short() {
		t.Skip("forming a cluster takes seconds")
	}
	ctx := simtest.Context(t)
	c, err := broker.NewCluster(broker.ClusterConfig{Nodes: 3, Replicas: 3, Net: faults.NewNet()})
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Start(ctx); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.Close)
	if _, err := c.Leader(ctx, "NO_SUCH_STREAM"); !errors.Is(err, broker.ErrNoLeader) {
		t.Errorf("Leader of a missing stream: %v, want ErrNoLeader", err)
	}
	c.Close()
	c.Close() // idempotent
}
