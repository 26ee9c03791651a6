package lazyfs

import (
	"context"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// TestJetStreamPowerLoss runs a real JetStream file store on the mount
// and cuts the power after acknowledged publishes: with nats-server's
// default sync interval (two minutes) acknowledged messages are lost;
// with sync_always none is.
func TestJetStreamPowerLoss(t *testing.T) {
	for _, always := range []bool{false, true} {
		t.Run(fmt.Sprint("sync_always=", always), func(t *testing.T) {
			l, _, mnt := mountT(t)
			ctx := context.Background()
			s, js := startJetStream(t, mnt, always)
			if _, err := js.CreateStream(ctx, jetstream.StreamConfig{Name: "S", Subjects: []string{"s"}, Storage: jetstream.FileStorage}); err != nil {
				t.Fatal(err)
			}
			// The stream's creation reaches the disk, as it would
			// some seconds later through the OS's writeback.
			syncAll(t, mnt)

			const n = 1000
			start := time.Now()
			for i := range n {
				if _, err := js.Publish(ctx, "s", fmt.Appendf(nil, "msg %d", i)); err != nil {
					t.Fatal(err)
				}
			}
			took := time.Since(start)

			l.Freeze()
			dropped := l.DropUnsynced()
			s.Shutdown() // its last writes fail: the power is off
			s.WaitForShutdown()
			l.Thaw()

			s, js = startJetStream(t, mnt, always)
			st, err := js.Stream(ctx, "S")
			if err != nil {
				t.Fatal(err)
			}
			info, err := st.Info(ctx)
			if err != nil {
				t.Fatal(err)
			}
			kept := info.State.Msgs
			t.Logf("%d acknowledged in %v, %d bytes unsynced at the cut, %d messages kept", n, took, dropped, kept)
			if always && kept != n {
				t.Errorf("sync_always kept %d of %d acknowledged messages", kept, n)
			}
			if !always && kept >= n {
				t.Errorf("default sync kept all %d acknowledged messages (%d bytes dropped); expected a loss", n, dropped)
			}
		})
	}
}

// startJetStream starts an in-process nats-server with JetStream
// storing in dir, stopped when the test ends, and a client of it.
func startJetStream(t *testing.T, dir string, syncAlways bool) (*server.Server, jetstream.JetStream) {
	t.Helper()
	s, err := server.NewServer(&server.Options{JetStream: true, StoreDir: dir, Port: -1, NoLog: true, NoSigs: true, SyncAlways: syncAlways})
	if err != nil {
		t.Fatal(err)
	}
	s.Start()
	if !s.ReadyForConnections(10 * time.Second) {
		t.Fatal("nats-server not ready")
	}
	nc, err := nats.Connect(s.ClientURL())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		nc.Close()
		s.Shutdown()
		s.WaitForShutdown()
	})
	js, err := jetstream.New(nc)
	if err != nil {
		t.Fatal(err)
	}
	return s, js
}

// syncAll fsyncs every file under dir through the mount.
func syncAll(t *testing.T, dir string) {
	t.Helper()
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		f, err := os.Open(p)
		if err != nil {
			return err
		}
		defer f.Close()
		return f.Sync()
	})
	if err != nil {
		t.Fatal(err)
	}
}
