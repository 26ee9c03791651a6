package broker_test

import (
	"context"
	"fmt"
	"path/filepath"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/faultline-sim/faultline/sim/broker"
	"github.com/faultline-sim/faultline/sim/simtest"
	"github.com/faultline-sim/faultline/topologies"
)

// Three node processes form a JetStream cluster over direct routes (each
// node dials the ones started before it): an R3 stream keeps serving
// publishes after its leader is killed with SIGKILL, and the node
// restarted on its store catches up.
func TestProcCluster(t *testing.T) {
	dir := t.TempDir()
	var procs []*broker.Proc
	// JetStream clustering needs a configured route: the first node's
	// leads nowhere (nothing listens on port 1), the others dial it.
	routes := []string{"127.0.0.1:1"}
	for i := range 3 {
		p := startProc(t, broker.ProcConfig{
			StoreDir: filepath.Join(dir, "node-"+strconv.Itoa(i)),
			Name:     "node-" + strconv.Itoa(i),
			Cluster:  "faultline",
			Routes:   slices.Clone(routes),
			Sync:     topologies.Sync{Always: true},
		})
		if p.ClusterAddr() == "" {
			t.Fatalf("node %d: no route listener", i)
		}
		routes = append(routes, p.ClusterAddr())
		procs = append(procs, p)
	}
	js := connectJS(t, procs[0].URL()+","+procs[1].URL()+","+procs[2].URL())
	cfg := jetstream.StreamConfig{Name: "ORDERS", Subjects: []string{"orders.>"}, Storage: jetstream.FileStorage, Replicas: 3}
	var err error
	start := time.Now()
	simtest.EventuallyWhy(t, "an R3 stream created", func() (bool, string) {
		ctx, cancel := context.WithTimeout(simtest.Context(t), simtest.PollTimeout/10)
		defer cancel()
		_, err = js.CreateOrUpdateStream(ctx, cfg)
		return err == nil, fmt.Sprint(err)
	})
	t.Logf("R3 stream created %v after the third node was ready", time.Since(start).Round(time.Millisecond))
	publishN(t, js, 50)

	// Kill the stream's leader; the other two elect another one, and every
	// publish is retried with its message id until acked, stored once.
	ctx := simtest.Context(t)
	s, err := js.Stream(ctx, "ORDERS")
	if err != nil {
		t.Fatal(err)
	}
	info, err := s.Info(ctx)
	if err != nil {
		t.Fatal(err)
	}
	k := slices.IndexFunc(procs, func(p *broker.Proc) bool { return "node-"+strconv.Itoa(slices.Index(procs, p)) == info.Cluster.Leader })
	if k < 0 {
		t.Fatalf("leader %q is none of the nodes", info.Cluster.Leader)
	}
	if err := procs[k].Kill(); err != nil {
		t.Fatal(err)
	}
	start = time.Now()
	for i := 51; i <= 100; i++ {
		id := "m" + strconv.Itoa(i)
		simtest.EventuallyWhy(t, "publish "+id+" with the leader killed", func() (bool, string) {
			ctx, cancel := context.WithTimeout(ctx, simtest.PollTimeout/10)
			defer cancel()
			_, err := js.Publish(ctx, "orders.placed", []byte(id), jetstream.WithMsgID(id))
			return err == nil, fmt.Sprint(err)
		})
	}
	t.Logf("50 publishes acked %v after the leader's SIGKILL", time.Since(start).Round(time.Millisecond))
	start = time.Now()
	if err := procs[k].Restart(ctx); err != nil {
		t.Fatal(err)
	}
	// The restarted node answers alone once it has caught up.
	name := "node-" + strconv.Itoa(k)
	jsk := connectJS(t, procs[k].URL())
	simtest.EventuallyWhy(t, name+" caught up", func() (bool, string) {
		ctx, cancel := context.WithTimeout(ctx, simtest.PollTimeout/10)
		defer cancel()
		s, err := jsk.Stream(ctx, "ORDERS")
		if err != nil {
			return false, err.Error()
		}
		info, err := s.Info(ctx)
		if err != nil {
			return false, err.Error()
		}
		current := info.Cluster.Leader == name
		for _, r := range info.Cluster.Replicas {
			current = current || r.Name == name && r.Current
		}
		return current && info.State.Msgs == 100, fmt.Sprintf("%d messages, leader %s, replicas %+v", info.State.Msgs, info.Cluster.Leader, info.Cluster.Replicas)
	})
	t.Logf("%s restarted and caught up in %v", name, time.Since(start).Round(time.Millisecond))
	if got := readAll(t, js); !slices.Equal(got, want(100)) {
		t.Errorf("read back %d messages: %v", len(got), got)
	}
}
