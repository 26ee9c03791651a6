package broker

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"github.com/faultline-sim/faultline/topologies"
	"io"
	"net"
	"os"
	"os/exec"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
)

// ProcConfig configures a broker node run as a child process.
type ProcConfig struct {
	// StoreDir is the node's JetStream file store, created when missing;
	// required. It is kept across Kill and Restart, and Close leaves it to
	// the caller.
	StoreDir string
	// Sync is how the file store reaches the disk.
	Sync topologies.Sync
	// Name is the server name, unique within a cluster; default
	// "faultline-broker".
	Name string
	// Cluster is the cluster name the node joins; "" for a single node
	// (no route listener).
	Cluster string
	// Routes are the host:port addresses the node dials its routes to.
	Routes []string
}

// Proc is one nats-server node with JetStream in a child process: the
// running binary re-executed (see RunIfNodeProcess), listening on
// 127.0.0.1 (client, route when clustered, HTTP monitoring) with its file
// store in ProcConfig.StoreDir.
//
//	faultline ──exec (FAULTLINE_BROKER_NODE=spec)──► child: nats-server
//	          ◄── stdout: "faultline-broker-node ready {client, cluster, monitor}"
//	          ── stdin held open; EOF (Stop, or the parent's death) ──► clean shutdown
//
// The child never outlives its parent: on Linux it gets SIGKILL when the
// parent dies (Pdeathsig), elsewhere it stops when its stdin reaches EOF.
// It runs in its own process group, so a terminal's Ctrl-C reaches only the
// parent, which decides. Kill is a real kill -9 (no flush, no clean close);
// Pause and Resume are SIGSTOP and SIGCONT; Restart runs a new process on
// the same store and the same ports. Methods are safe for concurrent use.
type Proc struct {
	spec nodeSpec // ports filled in by the first start

	life sync.Mutex // serializes start, Kill, Restart, Stop and Close

	mu     sync.Mutex
	run    *procRun // the current or last process; nil before the first start
	ready  readyLine
	paused bool
	closed bool
}

// procRun is one child process.
type procRun struct {
	cmd    *exec.Cmd
	stdin  io.WriteCloser
	stderr *tailBuffer
	// done is closed once the process has exited and been reaped; err is
	// its exit status then.
	done chan struct{}
	err  error
}

// exited reports whether the process has exited and been reaped.
func (r *procRun) exited() bool {
	select {
	case <-r.done:
		return true
	default:
		return false
	}
}

// StartProc starts a node process configured by cfg and waits until it
// accepts connections with JetStream (streams in its store recovered), at
// most DefaultStartTimeout or until ctx is done; then the child is killed.
// Here a node process is ready ~10 ms after the call, and a kill -9 plus a
// Restart take ~8 ms (BenchmarkStartProc, BenchmarkRestartProc).
func StartProc(ctx context.Context, cfg ProcConfig) (*Proc, error) {
	if cfg.StoreDir == "" {
		return nil, errors.New("broker process: no store directory")
	}
	if err := checkSync(cfg.Sync); err != nil {
		return nil, err
	}
	if cfg.Name == "" {
		cfg.Name = "faultline-broker"
	}
	if err := os.MkdirAll(cfg.StoreDir, 0o755); err != nil {
		return nil, fmt.Errorf("broker process: %w", err)
	}
	p := &Proc{spec: nodeSpec{
		Name: cfg.Name, StoreDir: cfg.StoreDir, Cluster: cfg.Cluster,
		Routes: slices.Clone(cfg.Routes), Sync: cfg.Sync,
	}}
	p.life.Lock()
	defer p.life.Unlock()
	if err := p.start(ctx); err != nil {
		return nil, err
	}
	return p, nil
}

// start runs a new child on p's spec and waits for its ready line. The
// caller holds p.life and no child is running.
func (p *Proc) start(ctx context.Context) error {
	ctx, cancel := withDefaultTimeout(ctx, DefaultStartTimeout)
	defer cancel()
	exe, err := os.Executable()
	if err != nil {
		return fmt.Errorf("broker process: %w", err)
	}
	p.mu.Lock()
	spec, err := json.Marshal(p.spec)
	p.mu.Unlock()
	if err != nil {
		return fmt.Errorf("broker process: %w", err)
	}
	args := []string{nodeArg}
	if strings.HasSuffix(exe, ".test") {
		// A test binary whose TestMain lacks the hook runs no tests and
		// exits, instead of starting its own nodes again.
		args = []string{"-test.run=^$", nodeArg}
	}
	cmd := exec.Command(exe, args...)
	cmd.Env = append(os.Environ(), nodeEnv+"="+string(spec))
	cmd.SysProcAttr = sysProcAttr()
	r := &procRun{cmd: cmd, stderr: &tailBuffer{}, done: make(chan struct{})}
	cmd.Stderr = r.stderr
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return fmt.Errorf("broker process: %w", err)
	}
	if r.stdin, err = cmd.StdinPipe(); err != nil {
		return fmt.Errorf("broker process: %w", err)
	}
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("broker process: %w", err)
	}
	live.add(cmd.Process.Pid)
	readyc := make(chan readyLine, 1)
	var other tailBuffer // stdout lines that are not the ready line
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			if line, ok := parseReady(sc.Text()); ok {
				readyc <- line
				break
			}
			fmt.Fprintln(&other, sc.Text())
		}
		io.Copy(io.Discard, stdout) // until the child exits
		r.err = cmd.Wait()
		live.remove(cmd.Process.Pid)
		close(r.done)
	}()
	select {
	case line := <-readyc:
		p.mu.Lock()
		p.run, p.ready, p.paused = r, line, false
		p.spec.ClientPort = port(line.Client)
		p.spec.ClusterPort = port(line.Cluster)
		p.spec.MonitorPort = port(line.Monitor)
		p.mu.Unlock()
		return nil
	case <-r.done:
		return fmt.Errorf("broker process %s: exited before it was ready (%v): %s%s", p.spec.Name, r.err, r.stderr, &other)
	case <-ctx.Done():
		cmd.Process.Kill()
		<-r.done
		return fmt.Errorf("broker process %s: not ready: %w; stderr: %s", p.spec.Name, ctx.Err(), r.stderr)
	}
}

// port returns the port at the end of a URL or host:port, or 0.
func port(addr string) int {
	_, ps, err := net.SplitHostPort(strings.TrimPrefix(strings.TrimPrefix(addr, "nats://"), "http://"))
	if err != nil {
		return 0
	}
	n, _ := strconv.Atoi(ps)
	return n
}

// URL returns the client URL, nats://127.0.0.1:port. It stays the same
// across Kill and Restart.
func (p *Proc) URL() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.ready.Client
}

// ClusterAddr returns host:port of the route listener; "" for a single
// node. It stays the same across Kill and Restart.
func (p *Proc) ClusterAddr() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.ready.Cluster
}

// MonitorURL returns http://127.0.0.1:port of nats-server's HTTP
// monitoring (/varz, /jsz). It stays the same across Kill and Restart.
func (p *Proc) MonitorURL() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.ready.Monitor
}

// StoreDir returns the node's store directory.
func (p *Proc) StoreDir() string { return p.spec.StoreDir }

// PID returns the process id of the running child, or 0 when none runs.
func (p *Proc) PID() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.run == nil || p.run.exited() {
		return 0
	}
	return p.run.cmd.Process.Pid
}

// Running reports whether a child runs (paused included).
func (p *Proc) Running() bool { return p.PID() != 0 }

// current returns the running child, or nil.
func (p *Proc) current() *procRun {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.run == nil || p.run.exited() {
		return nil
	}
	return p.run
}

// Kill sends SIGKILL to the child (paused or not) and waits until it is
// gone: the server gets no chance to flush or close anything, and what its
// store wrote stays with the kernel's page cache. A no-op when no child
// runs.
func (p *Proc) Kill() error {
	p.life.Lock()
	defer p.life.Unlock()
	return p.kill()
}

func (p *Proc) kill() error {
	r := p.current()
	if r == nil {
		return nil
	}
	err := r.cmd.Process.Kill()
	<-r.done
	p.mu.Lock()
	p.paused = false
	p.mu.Unlock()
	if err != nil && !errors.Is(err, os.ErrProcessDone) {
		return fmt.Errorf("broker process %s: kill: %w", p.spec.Name, err)
	}
	return nil
}

// pauseWait bounds how long Pause waits for the child to be stopped.
const pauseWait = 5 * time.Second

// Pause sends SIGSTOP to the child and waits until the kernel reports it
// stopped (on Linux; elsewhere it returns once the signal is sent): every
// thread frozen, its sockets open, its peers' writes queuing. An error
// when no child runs.
func (p *Proc) Pause() error {
	p.life.Lock()
	defer p.life.Unlock()
	r := p.current()
	if r == nil {
		return fmt.Errorf("broker process %s: pause: not running", p.spec.Name)
	}
	if err := stopProcess(r.cmd.Process); err != nil {
		return fmt.Errorf("broker process %s: pause: %w", p.spec.Name, err)
	}
	p.mu.Lock()
	p.paused = true
	p.mu.Unlock()
	ctx, cancel := context.WithTimeout(context.Background(), pauseWait)
	defer cancel()
	pid := r.cmd.Process.Pid
	if err := poll(ctx, func() bool { s, err := procState(pid); return err != nil || s == 'T' || s == 't' }); err != nil {
		return fmt.Errorf("broker process %s: pause: not stopped after %s", p.spec.Name, pauseWait)
	}
	return nil
}

// Resume sends SIGCONT to a paused child. A no-op when it is not paused.
func (p *Proc) Resume() error {
	p.life.Lock()
	defer p.life.Unlock()
	return p.resume()
}

func (p *Proc) resume() error {
	r := p.current()
	p.mu.Lock()
	paused := p.paused
	p.paused = false
	p.mu.Unlock()
	if r == nil || !paused {
		return nil
	}
	if err := continueProcess(r.cmd.Process); err != nil {
		return fmt.Errorf("broker process %s: resume: %w", p.spec.Name, err)
	}
	return nil
}

// Paused reports whether the child is paused.
func (p *Proc) Paused() bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.paused
}

// Restart starts a new child on the same store and the same ports, so
// clients reconnect to the same URL, after Kill or Stop; it waits like
// StartProc. The ports may take a moment to become free: the child retries
// binding meanwhile. An error while a child runs or after Close.
func (p *Proc) Restart(ctx context.Context) error {
	p.life.Lock()
	defer p.life.Unlock()
	p.mu.Lock()
	closed := p.closed
	p.mu.Unlock()
	switch {
	case closed:
		return fmt.Errorf("broker process %s: restart after Close", p.spec.Name)
	case p.current() != nil:
		return fmt.Errorf("broker process %s: restart while running", p.spec.Name)
	}
	return p.start(ctx)
}

// Stop shuts the child down cleanly (its store flushed and closed) by
// closing its stdin, resuming it first when paused, and waits until it has
// exited; when ctx is done first, it kills it. A no-op when no child runs.
func (p *Proc) Stop(ctx context.Context) error {
	p.life.Lock()
	defer p.life.Unlock()
	r := p.current()
	if r == nil {
		return nil
	}
	if err := p.resume(); err != nil {
		return err
	}
	r.stdin.Close()
	ctx, cancel := withDefaultTimeout(ctx, DefaultStartTimeout)
	defer cancel()
	select {
	case <-r.done:
		if r.err != nil {
			return fmt.Errorf("broker process %s: stop: %w; stderr: %s", p.spec.Name, r.err, r.stderr)
		}
		return nil
	case <-ctx.Done():
		p.kill()
		return fmt.Errorf("broker process %s: stop: killed after %w", p.spec.Name, ctx.Err())
	}
}

// Close kills the child, when one runs, and waits for it; Restart fails
// afterwards. It leaves the store directory. Idempotent.
func (p *Proc) Close() error {
	p.life.Lock()
	defer p.life.Unlock()
	p.mu.Lock()
	p.closed = true
	p.mu.Unlock()
	return p.kill()
}

// tailBuffer keeps the last tailMax bytes written to it, for messages
// about a child's output. Safe for concurrent use.
type tailBuffer struct {
	mu  sync.Mutex
	buf []byte
}

const tailMax = 4096

func (b *tailBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.buf = append(b.buf, p...)
	if over := len(b.buf) - tailMax; over > 0 {
		b.buf = slices.Clone(b.buf[over:])
	}
	return len(p), nil
}

// String returns what was kept, trimmed.
func (b *tailBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return strings.TrimSpace(string(b.buf))
}

// live holds the PIDs of node processes started and not yet reaped.
var live = &pidSet{pids: map[int]bool{}}

type pidSet struct {
	mu   sync.Mutex
	pids map[int]bool
}

func (s *pidSet) add(pid int)    { s.mu.Lock(); s.pids[pid] = true; s.mu.Unlock() }
func (s *pidSet) remove(pid int) { s.mu.Lock(); delete(s.pids, pid); s.mu.Unlock() }

// LiveProcs returns the PIDs of the node processes this process started
// that have not exited and been reaped, in increasing order: empty once
// every Proc is closed.
func LiveProcs() []int {
	live.mu.Lock()
	defer live.mu.Unlock()
	pids := make([]int, 0, len(live.pids))
	for pid := range live.pids {
		pids = append(pids, pid)
	}
	slices.Sort(pids)
	return pids
}
