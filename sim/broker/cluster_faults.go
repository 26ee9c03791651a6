package broker

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"time"

	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/faultline-sim/faultline/faults"
)

// ErrNoLeader is returned by Leader while no running node leads the stream.
var ErrNoLeader = errors.New("broker cluster: stream has no leader")

// account is the account clients' streams live in (no accounts configured).
const account = server.DEFAULT_GLOBAL_ACCOUNT

// probeTimeout bounds one probe publish of WaitPublishable.
const probeTimeout = 500 * time.Millisecond

func routeURL(addr string) *url.URL { return &url.URL{Scheme: "nats-route", Host: addr} }

// Leader returns the node that leads stream now, without waiting: of the
// running nodes that call themselves its leader, the one with the highest
// raft term (a partitioned old leader keeps the title until healed). It
// returns ErrNoLeader while there is none, for example during an election.
// It does not block.
func (c *Cluster) Leader(ctx context.Context, stream string) (int, error) {
	if err := ctx.Err(); err != nil {
		return -1, err
	}
	best, bestTerm := -1, uint64(0)
	for i, n := range c.nodes {
		srv := n.server()
		if srv == nil || !srv.JetStreamIsStreamLeader(account, stream) {
			continue
		}
		if term := streamTerm(srv, stream); best < 0 || term > bestTerm {
			best, bestTerm = i, term
		}
	}
	if best < 0 {
		return -1, fmt.Errorf("%w: %s", ErrNoLeader, stream)
	}
	return best, nil
}

// streamDetail returns the server's own view of stream, or false.
func streamDetail(srv *server.Server, stream string) (server.StreamDetail, bool) {
	ad, err := srv.JszAccount(&server.JSzOptions{Account: account, Streams: true, RaftGroups: true})
	if err != nil {
		return server.StreamDetail{}, false
	}
	for _, sd := range ad.Streams {
		if sd.Name == stream {
			return sd, true
		}
	}
	return server.StreamDetail{}, false
}

// streamTerm returns the raft term of the server's replica of stream, 0 if
// unknown.
func streamTerm(srv *server.Server, stream string) uint64 {
	sd, ok := streamDetail(srv, stream)
	if !ok || sd.RaftGroup == "" {
		return 0
	}
	rz := srv.Raftz(&server.RaftzOptions{AccountFilter: account, GroupFilter: sd.RaftGroup})
	if rz == nil {
		return 0
	}
	return (*rz)[account][sd.RaftGroup].Term
}

// CrashNode imitates the death of node i's process. It first cuts every
// link of the node, so it cannot hand its raft leaderships over as a
// graceful shutdown would: the proxies of its routes in both directions
// close their connections and refuse new ones, and the fault layer resets
// every connection from or to NodeEndpoint(i) (clients that dial node i
// with that name). Then it shuts the server down and waits for it, keeping
// the store. Surviving nodes elect new leaders after their raft timeouts
// (seconds). It does nothing when node i is down; ctx is only checked first.
func (c *Cluster) CrashNode(ctx context.Context, i int) error {
	if err := c.checkNode(ctx, i); err != nil {
		return err
	}
	c.life.Lock()
	defer c.life.Unlock()
	if !c.nodes[i].running() {
		return nil
	}
	c.setLinks(i, true)
	c.net.CloseConns(faults.Link{From: NodeEndpoint(i)})
	c.net.CloseConns(faults.Link{To: NodeEndpoint(i)})
	c.nodes[i].shutdown()
	return nil
}

// RestartNode starts a crashed node i again on the same ports with the
// same store, its routes open again, and waits until it accepts
// connections with JetStream enabled (at most DefaultStartTimeout or until
// ctx is done). It rejoins the cluster and catches up in the background:
// see WaitCaughtUp. It does nothing when node i is running.
func (c *Cluster) RestartNode(ctx context.Context, i int) error {
	if err := c.checkNode(ctx, i); err != nil {
		return err
	}
	c.life.Lock()
	defer c.life.Unlock()
	if c.closed {
		return errors.New("broker cluster: restart after Close")
	}
	if c.nodes[i].running() {
		return nil
	}
	c.setLinks(i, false)
	if err := c.nodes[i].start(ctx); err != nil {
		return fmt.Errorf("broker cluster: %w", err)
	}
	return nil
}

func (c *Cluster) checkNode(ctx context.Context, i int) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if i < 0 || i >= len(c.nodes) || c.nodes[i] == nil {
		return fmt.Errorf("broker cluster: no node %d (of %d, started?)", i, len(c.nodes))
	}
	return nil
}

// setLinks takes every route proxy to or from node i down (closing its
// connections) or up again.
func (c *Cluster) setLinks(i int, down bool) {
	for j := range c.nodes {
		if j != i {
			c.proxies[i][j].setDown(down)
			c.proxies[j][i].setDown(down)
		}
	}
}

// WaitPublishable publishes probes to subject's stream until one is acked
// and returns how long that took from the call: after a leader's crash,
// the time until a new leader serves publishes. Probes go to a second
// subject of the stream that no consumer sees, over the harness's own
// connection (no fault layer, reconnecting to a running node by itself).
// It polls every 10ms, each probe bounded by 500ms, and blocks at most
// until ctx is done, or DefaultWaitTimeout without deadline.
func (c *Cluster) WaitPublishable(ctx context.Context, subject string) (time.Duration, error) {
	start := time.Now()
	ctx, cancel := withDefaultTimeout(ctx, DefaultWaitTimeout)
	defer cancel()
	c.mu.Lock()
	js := c.js
	c.mu.Unlock()
	if js == nil {
		return 0, errors.New("broker cluster: not started")
	}
	var last error
	err := poll(ctx, func() bool {
		pctx, cancel := context.WithTimeout(ctx, probeTimeout)
		defer cancel()
		_, last = js.Publish(pctx, probeSubject(subject), nil,
			jetstream.WithExpectStream(StreamName(subject)), jetstream.WithRetryAttempts(0))
		return last == nil
	})
	if err != nil {
		return time.Since(start), fmt.Errorf("broker cluster: %s not publishable: %w", subject, errors.Join(err, last))
	}
	return time.Since(start), nil
}

// WaitCaughtUp waits until running node i holds every stream created by
// Setup up to where its leader was: its replica is current and its last
// sequence is at least the leader's, read just before. It returns how long
// that took from the call (after RestartNode: the time to catch up). It
// polls every 10ms and blocks at most until ctx is done, or
// DefaultWaitTimeout without deadline.
func (c *Cluster) WaitCaughtUp(ctx context.Context, i int) (time.Duration, error) {
	start := time.Now()
	if err := c.checkNode(ctx, i); err != nil {
		return 0, err
	}
	ctx, cancel := withDefaultTimeout(ctx, DefaultWaitTimeout)
	defer cancel()
	c.mu.Lock()
	streams := c.streams
	c.mu.Unlock()
	behind := ""
	err := poll(ctx, func() bool {
		for _, stream := range streams {
			if !c.caughtUp(i, stream) {
				behind = stream
				return false
			}
		}
		return true
	})
	if err != nil {
		return time.Since(start), fmt.Errorf("broker cluster: node %d behind on %s: %w", i, behind, err)
	}
	return time.Since(start), nil
}

// caughtUp reports whether node i's replica of stream has everything its
// leader had a moment ago.
func (c *Cluster) caughtUp(i int, stream string) bool {
	srv := c.nodes[i].server()
	if srv == nil {
		return false
	}
	leader, err := c.Leader(context.Background(), stream)
	if err != nil {
		return false
	}
	if leader == i {
		return true
	}
	lsrv := c.nodes[leader].server()
	if lsrv == nil {
		return false
	}
	want, ok := streamDetail(lsrv, stream)
	if !ok {
		return false
	}
	got, ok := streamDetail(srv, stream)
	return ok && got.State.LastSeq >= want.State.LastSeq && srv.JetStreamIsStreamCurrent(account, stream)
}
