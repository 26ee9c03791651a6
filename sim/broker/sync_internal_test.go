package broker

import (
	"context"
	"testing"
	"time"

	"github.com/nats-io/nats-server/v2/server"

	"github.com/faultline-sim/faultline/faults"
	"github.com/faultline-sim/faultline/topologies"
)

// syncCases are the settings and what the running server must report.
var syncCases = []struct {
	sync     topologies.Sync
	interval time.Duration
	always   bool
}{
	{topologies.Sync{}, DefaultSyncInterval, false},
	{topologies.Sync{Always: true}, DefaultSyncInterval, true},
	{topologies.Sync{Interval: 250 * time.Millisecond}, 250 * time.Millisecond, false},
}

// The setting reaches the JetStream configuration of the running server,
// of a single broker and of every node of a cluster.
func TestSyncReachesTheServer(t *testing.T) {
	for _, c := range syncCases {
		t.Run(c.sync.String(), func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
			defer cancel()
			b := NewWithConfig(Config{Sync: c.sync})
			if err := b.Start(ctx); err != nil {
				t.Fatal(err)
			}
			defer b.Close()
			checkNodeSync(t, "broker", b.node, c.interval, c.always)

			cl, err := NewCluster(ClusterConfig{Nodes: 3, Replicas: 3, Net: faults.NewNet(), Sync: c.sync})
			if err != nil {
				t.Fatal(err)
			}
			if err := cl.Start(ctx); err != nil {
				t.Fatal(err)
			}
			defer cl.Close()
			for i, n := range cl.nodes {
				checkNodeSync(t, NodeEndpoint(i), n, c.interval, c.always)
			}
		})
	}
}

func checkNodeSync(t *testing.T, what string, n *node, interval time.Duration, always bool) {
	t.Helper()
	cfg := n.server().JetStreamConfig()
	if cfg == nil {
		t.Fatalf("%s: no JetStream", what)
	}
	if cfg.SyncInterval != interval || cfg.SyncAlways != always {
		t.Errorf("%s: sync_interval %s, sync_always %t; want %s, %t", what, cfg.SyncInterval, cfg.SyncAlways, interval, always)
	}
}

// A negative interval is refused before anything starts.
func TestSyncNegativeRefused(t *testing.T) {
	bad := topologies.Sync{Interval: -time.Second}
	if err := NewWithConfig(Config{Sync: bad}).Start(context.Background()); err == nil {
		t.Error("Broker.Start accepted a negative sync interval")
	}
	if _, err := NewCluster(ClusterConfig{Net: faults.NewNet(), Sync: bad}); err == nil {
		t.Error("NewCluster accepted a negative sync interval")
	}
	if _, err := StartProc(context.Background(), ProcConfig{StoreDir: t.TempDir(), Sync: bad}); err == nil {
		t.Error("StartProc accepted a negative sync interval")
	}
}

// DefaultSyncInterval is what nats-server itself picks when nothing is set.
func TestDefaultSyncIntervalIsTheServers(t *testing.T) {
	srv, err := server.NewServer(&server.Options{Host: "127.0.0.1", Port: server.RANDOM_PORT, NoLog: true, NoSigs: true, JetStream: true, StoreDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	srv.Start()
	defer func() { srv.Shutdown(); srv.WaitForShutdown() }()
	if !srv.ReadyForConnections(10 * time.Second) {
		t.Fatal("not ready")
	}
	if cfg := srv.JetStreamConfig(); cfg == nil || cfg.SyncInterval != DefaultSyncInterval || cfg.SyncAlways {
		t.Errorf("nats-server's own default: %+v, want sync_interval %s", cfg, DefaultSyncInterval)
	}
}
