package broker_test

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/faultline-sim/faultline/sim/broker"
	"github.com/faultline-sim/faultline/sim/simtest"
	"github.com/faultline-sim/faultline/topologies"
)

// parentEnv makes this test binary a helper parent: given "run:DIR" or
// "pause:DIR" it starts a node process on the store DIR, pauses it for
// pause, prints "child PID" and waits until its stdin ends or it is killed.
const parentEnv = "FAULTLINE_BROKER_TEST_PARENT"

// runHelperParent is the helper parent's main; it returns at once unless
// parentEnv is set.
func runHelperParent() {
	v, ok := os.LookupEnv(parentEnv)
	if !ok {
		return
	}
	mode, dir, _ := strings.Cut(v, ":")
	p, err := broker.StartProc(context.Background(), broker.ProcConfig{StoreDir: dir})
	if err == nil && mode == "pause" {
		err = p.Pause()
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	fmt.Printf("child %d\n", p.PID())
	io.Copy(io.Discard, os.Stdin)
	p.Close()
	os.Exit(0)
}

// childCheck runs the tests, then fails the binary when a node process it
// started is still alive or unreaped, by the package's count and by /proc.
type childCheck struct{ m *testing.M }

func (c childCheck) Run() int {
	code := c.m.Run()
	if pids, kids := broker.LiveProcs(), children(os.Getpid()); len(pids) > 0 || len(kids) > 0 {
		fmt.Fprintf(os.Stderr, "node processes left after the tests: live %v, children in /proc %v\n", pids, kids)
		code = max(code, 1)
	}
	return code
}

// children returns the PIDs of this process's children listed in /proc
// (none where there is no /proc).
func children(ppid int) []int {
	dirs, _ := os.ReadDir("/proc")
	var pids []int
	for _, d := range dirs {
		pid, err := strconv.Atoi(d.Name())
		if err != nil {
			continue
		}
		if st, err := readStat(pid); err == nil && st.ppid == ppid {
			pids = append(pids, pid)
		}
	}
	return pids
}

// stat is what the tests read of /proc/PID/stat.
type stat struct {
	state byte // R, S, T (stopped), Z (zombie), ...
	ppid  int
}

func readStat(pid int) (stat, error) {
	data, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return stat{}, err
	}
	i := strings.LastIndexByte(string(data), ')')
	f := strings.Fields(string(data[i+1:]))
	if i < 0 || len(f) < 2 {
		return stat{}, fmt.Errorf("/proc/%d/stat: %q", pid, data)
	}
	ppid, err := strconv.Atoi(f[1])
	return stat{state: f[0][0], ppid: ppid}, err
}

// gone reports whether pid has exited: no longer in /proc, or a zombie
// waiting for a reaper.
func gone(pid int) bool {
	st, err := readStat(pid)
	return errors.Is(err, os.ErrNotExist) || err == nil && st.state == 'Z'
}

// needProc skips the test where there is no /proc to check processes with.
func needProc(t *testing.T) {
	t.Helper()
	if _, err := os.Stat("/proc/self/stat"); err != nil {
		t.Skip("no /proc/self/stat to check processes with:", err)
	}
}

// startProc starts a node process and, when the test ends, closes it and
// checks it is gone.
func startProc(t *testing.T, cfg broker.ProcConfig) *broker.Proc {
	t.Helper()
	needProc(t)
	p, err := broker.StartProc(simtest.Context(t), cfg)
	if err != nil {
		t.Fatal(err)
	}
	pid := p.PID()
	if pid == 0 || !p.Running() {
		t.Fatalf("started, but PID %d, running %t", pid, p.Running())
	}
	t.Cleanup(func() {
		if err := p.Close(); err != nil {
			t.Error(err)
		}
		if !gone(pid) {
			t.Errorf("node process %d still there after Close", pid)
		}
		if live := broker.LiveProcs(); slices.Contains(live, pid) {
			t.Errorf("node process %d still counted live after Close: %v", pid, live)
		}
	})
	return p
}

// connectJS connects to url, reconnecting quickly and forever.
func connectJS(t *testing.T, url string) jetstream.JetStream {
	t.Helper()
	nc, err := nats.Connect(url, nats.ReconnectWait(20*time.Millisecond), nats.MaxReconnects(-1))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(nc.Close)
	js, err := jetstream.New(nc)
	if err != nil {
		t.Fatal(err)
	}
	return js
}

// createStream creates the file-backed stream ORDERS on orders.>.
func createStream(t *testing.T, js jetstream.JetStream) {
	t.Helper()
	_, err := js.CreateStream(simtest.Context(t), jetstream.StreamConfig{Name: "ORDERS", Subjects: []string{"orders.>"}, Storage: jetstream.FileStorage})
	if err != nil {
		t.Fatal(err)
	}
}

// publishN publishes n acked messages "m1" … "mn" to orders.placed.
func publishN(t *testing.T, js jetstream.JetStream, n int) {
	t.Helper()
	ctx := simtest.Context(t)
	for i := 1; i <= n; i++ {
		if _, err := js.Publish(ctx, "orders.placed", []byte("m"+strconv.Itoa(i))); err != nil {
			t.Fatalf("publish %d: %v", i, err)
		}
	}
}

// readAll returns the payloads of the stream ORDERS in order.
func readAll(t *testing.T, js jetstream.JetStream) []string {
	t.Helper()
	ctx := simtest.Context(t)
	s, err := js.Stream(ctx, "ORDERS")
	if err != nil {
		t.Fatal(err)
	}
	info, err := s.Info(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for seq := info.State.FirstSeq; seq <= info.State.LastSeq && info.State.Msgs > 0; seq++ {
		m, err := s.GetMsg(ctx, seq)
		if err != nil {
			t.Fatalf("message %d: %v", seq, err)
		}
		got = append(got, string(m.Data))
	}
	return got
}

func want(n int) []string {
	var w []string
	for i := 1; i <= n; i++ {
		w = append(w, "m"+strconv.Itoa(i))
	}
	return w
}

func TestProcPublishAndReadBack(t *testing.T) {
	p := startProc(t, broker.ProcConfig{StoreDir: t.TempDir()})
	if !strings.HasPrefix(p.URL(), "nats://127.0.0.1:") || !strings.HasPrefix(p.MonitorURL(), "http://127.0.0.1:") || p.ClusterAddr() != "" {
		t.Errorf("URL %q, monitor %q, cluster %q", p.URL(), p.MonitorURL(), p.ClusterAddr())
	}
	if st, err := readStat(p.PID()); err != nil || st.ppid != os.Getpid() {
		t.Errorf("node process %d: %+v, %v; want a child of %d", p.PID(), st, err, os.Getpid())
	}
	js := connectJS(t, p.URL())
	createStream(t, js)
	publishN(t, js, 20)
	if got := readAll(t, js); !slices.Equal(got, want(20)) {
		t.Errorf("read back %v", got)
	}
}

// The sync setting reaches the node process's server, as its /varz says.
func TestProcSyncReachesTheServer(t *testing.T) {
	for _, c := range []struct {
		sync     topologies.Sync
		interval time.Duration
		always   bool
	}{
		{topologies.Sync{}, broker.DefaultSyncInterval, false},
		{topologies.Sync{Always: true}, broker.DefaultSyncInterval, true},
		{topologies.Sync{Interval: 250 * time.Millisecond}, 250 * time.Millisecond, false},
	} {
		p := startProc(t, broker.ProcConfig{StoreDir: t.TempDir(), Sync: c.sync})
		resp, err := http.Get(p.MonitorURL() + "/varz")
		if err != nil {
			t.Fatal(err)
		}
		var varz struct {
			JetStream struct {
				Config struct {
					SyncInterval time.Duration `json:"sync_interval"`
					SyncAlways   bool          `json:"sync_always"`
				} `json:"config"`
			} `json:"jetstream"`
		}
		err = json.NewDecoder(resp.Body).Decode(&varz)
		resp.Body.Close()
		if err != nil {
			t.Fatal(err)
		}
		if got := varz.JetStream.Config; got.SyncInterval != c.interval || got.SyncAlways != c.always {
			t.Errorf("sync %s: varz reports %+v, want interval %s always %t", c.sync, got, c.interval, c.always)
		}
	}
}

// A real SIGKILL, then a new process on the same store and port: with
// sync: always every acked message is still there, and the client that was
// connected before reconnects to the same URL.
func TestProcKillRestartKeepsSyncedAcks(t *testing.T) {
	p := startProc(t, broker.ProcConfig{StoreDir: t.TempDir(), Sync: topologies.Sync{Always: true}})
	url, pid := p.URL(), p.PID()
	js := connectJS(t, url)
	createStream(t, js)
	publishN(t, js, 200)

	if err := p.Kill(); err != nil {
		t.Fatal(err)
	}
	if !gone(pid) || p.Running() || p.PID() != 0 {
		t.Fatalf("after Kill: process %d gone %t, running %t", pid, gone(pid), p.Running())
	}
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	_, err := js.Publish(ctx, "orders.placed", []byte("while down"))
	cancel()
	if err == nil {
		t.Error("a publish was acked while the node was killed")
	}
	if err := p.Restart(simtest.Context(t)); err != nil {
		t.Fatal(err)
	}
	if p.URL() != url || p.PID() == pid {
		t.Errorf("restarted at %s (pid %d), was %s (pid %d)", p.URL(), p.PID(), url, pid)
	}
	got := readAll(t, js)
	// The publish tried while down may have been queued by the client and
	// stored after the reconnect; every acked one must be there, in order.
	if len(got) < 200 || !slices.Equal(got[:200], want(200)) {
		t.Errorf("after kill -9 and restart, %d messages: %v", len(got), got)
	}
}

// Pause freezes the process (state T): a publish times out; after Resume
// it is served again.
func TestProcPauseResume(t *testing.T) {
	p := startProc(t, broker.ProcConfig{StoreDir: t.TempDir()})
	js := connectJS(t, p.URL())
	createStream(t, js)
	publishN(t, js, 1)

	if err := p.Pause(); err != nil {
		t.Fatal(err)
	}
	if st, err := readStat(p.PID()); err != nil || st.state != 'T' || !p.Paused() {
		t.Fatalf("paused: state %q, %v, Paused %t; want T", st.state, err, p.Paused())
	}
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	_, err := js.Publish(ctx, "orders.placed", []byte("paused"))
	cancel()
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("publish while paused: %v, want a timeout", err)
	}
	if err := p.Resume(); err != nil {
		t.Fatal(err)
	}
	if _, err := js.Publish(simtest.Context(t), "orders.placed", []byte("resumed")); err != nil {
		t.Errorf("publish after Resume: %v", err)
	}
	if st, err := readStat(p.PID()); err != nil || st.state == 'T' || p.Paused() {
		t.Errorf("resumed: state %q, %v, Paused %t", st.state, err, p.Paused())
	}
	// Close kills a paused process too.
	if err := p.Pause(); err != nil {
		t.Fatal(err)
	}
}

// Stop shuts the node down cleanly (exit 0); Restart brings the store
// back. Restart while running and after Close fails.
func TestProcStopRestart(t *testing.T) {
	p := startProc(t, broker.ProcConfig{StoreDir: t.TempDir()})
	js := connectJS(t, p.URL())
	createStream(t, js)
	publishN(t, js, 10)
	if err := p.Restart(simtest.Context(t)); err == nil {
		t.Error("Restart while running succeeded")
	}
	if err := p.Stop(simtest.Context(t)); err != nil {
		t.Fatal(err)
	}
	if p.Running() {
		t.Fatal("running after Stop")
	}
	if err := p.Restart(simtest.Context(t)); err != nil {
		t.Fatal(err)
	}
	if got := readAll(t, js); !slices.Equal(got, want(10)) {
		t.Errorf("after Stop and Restart: %v", got)
	}
	if err := p.Close(); err != nil {
		t.Fatal(err)
	}
	if err := p.Restart(simtest.Context(t)); err == nil {
		t.Error("Restart after Close succeeded")
	}
}

// A start that runs out of time kills its process.
func TestProcStartTimesOut(t *testing.T) {
	needProc(t)
	ctx, cancel := context.WithTimeout(context.Background(), time.Millisecond)
	defer cancel()
	if p, err := broker.StartProc(ctx, broker.ProcConfig{StoreDir: t.TempDir()}); err == nil {
		p.Close()
		t.Fatal("started within 1ms")
	}
	if live := broker.LiveProcs(); len(live) > 0 {
		t.Errorf("processes left after a failed start: %v", live)
	}
}

// A node process dies with its parent: the helper parent (this binary
// again) starts a node and is killed with SIGKILL, which gives it no
// chance to clean up. A paused node cannot notice its stdin closing, so
// its death shows the kernel's Pdeathsig at work.
func TestProcDiesWithItsParent(t *testing.T) {
	needProc(t)
	for _, mode := range []string{"run", "pause"} {
		t.Run(mode, func(t *testing.T) { diesWithParent(t, mode) })
	}
}

func diesWithParent(t *testing.T, mode string) {
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	parent := exec.Command(exe, "-test.run=^$")
	parent.Env = append(os.Environ(), parentEnv+"="+mode+":"+filepath.Join(t.TempDir(), "store"))
	parent.Stderr = os.Stderr
	stdin, err := parent.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	stdout, err := parent.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := parent.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() {
		stdin.Close()
		parent.Process.Kill()
		parent.Wait()
	}()
	line, err := bufio.NewReader(stdout).ReadString('\n')
	if err != nil {
		t.Fatalf("helper parent: %v", err)
	}
	pid, err := strconv.Atoi(strings.TrimSpace(strings.TrimPrefix(line, "child ")))
	if err != nil {
		t.Fatalf("helper parent said %q", line)
	}
	t.Cleanup(func() {
		if !gone(pid) {
			if proc, err := os.FindProcess(pid); err == nil {
				proc.Kill() // do not leave it behind
			}
		}
	})
	st, err := readStat(pid)
	if err != nil || st.ppid != parent.Process.Pid {
		t.Fatalf("node process %d: %+v, %v; want a child of the helper %d", pid, st, err, parent.Process.Pid)
	}
	if mode == "pause" && st.state != 'T' {
		t.Fatalf("node process %d: state %q, want T (stopped)", pid, st.state)
	}
	start := time.Now()
	if err := parent.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	parent.Wait()
	simtest.Eventually(t, fmt.Sprintf("node process %d gone after its parent's SIGKILL", pid), func() bool { return gone(pid) })
	t.Logf("node process %d gone %v after its parent's SIGKILL", pid, time.Since(start).Round(time.Microsecond))
}

// BenchmarkStartProc measures starting a node process on an empty store
// until it is ready, and killing it.
func BenchmarkStartProc(b *testing.B) {
	for b.Loop() {
		p, err := broker.StartProc(context.Background(), broker.ProcConfig{StoreDir: b.TempDir()})
		if err != nil {
			b.Fatal(err)
		}
		p.Close()
	}
}

// BenchmarkRestartProc measures a kill -9 and a restart on a store with
// one stream until the node is ready again.
func BenchmarkRestartProc(b *testing.B) {
	p, err := broker.StartProc(context.Background(), broker.ProcConfig{StoreDir: b.TempDir()})
	if err != nil {
		b.Fatal(err)
	}
	defer p.Close()
	nc, err := nats.Connect(p.URL())
	if err != nil {
		b.Fatal(err)
	}
	js, _ := jetstream.New(nc)
	_, err = js.CreateStream(context.Background(), jetstream.StreamConfig{Name: "ORDERS", Subjects: []string{"orders.>"}})
	nc.Close()
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if err := p.Kill(); err != nil {
			b.Fatal(err)
		}
		if err := p.Restart(context.Background()); err != nil {
			b.Fatal(err)
		}
	}
}
