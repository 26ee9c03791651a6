package sim

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/faultline-sim/faultline/faults"
	"github.com/faultline-sim/faultline/reports/result"
	"github.com/faultline-sim/faultline/sim/broker"
)

// brokerOpTimeout bounds one crash or restart of the broker or a node.
const brokerOpTimeout = 30 * time.Second

// crashBroker crashes the broker, or one node of a cluster ("broker#N",
// "broker#leader"), and returns what restarts it. A crash cuts the links
// first, so it is a death, not a graceful hand-over. For a cluster node it
// measures in the background how long until publishes are acknowledged
// again after the crash, and until the restarted node has caught up.
func (w *world) crashBroker(target faults.Endpoint, obs observer) (func() error, error) {
	ctx, cancel := context.WithTimeout(context.Background(), brokerOpTimeout)
	defer cancel()
	if w.cluster == nil {
		if w.single == nil {
			return nil, errors.New("the variant has no broker")
		}
		obs.record(func(r *result.Fault) { r.MatchedProcesses = []string{faults.EndpointBroker} })
		w.net.CloseConns(faults.Link{From: "*", To: faults.EndpointBroker})
		if err := w.single.Crash(ctx); err != nil {
			return nil, err
		}
		return func() error {
			ctx, cancel := context.WithTimeout(context.Background(), brokerOpTimeout)
			defer cancel()
			return w.single.Restart(ctx)
		}, nil
	}
	nodes, err := w.nodesOf(ctx, string(target))
	if err != nil {
		return nil, err
	}
	names := make([]string, len(nodes))
	for k, i := range nodes {
		names[k] = broker.NodeEndpoint(i)
	}
	obs.record(func(r *result.Fault) { r.MatchedProcesses = names })
	for _, i := range nodes {
		if err := w.cluster.CrashNode(ctx, i); err != nil {
			return nil, err
		}
	}
	subject := w.top.Subjects()[0]
	obs.measure(func(ctx context.Context) {
		if d, err := w.cluster.WaitPublishable(ctx, subject); err == nil {
			v := ms(d)
			obs.record(func(r *result.Fault) { r.PublishableAfterMS = &v })
		}
	})
	return func() error {
		ctx, cancel := context.WithTimeout(context.Background(), brokerOpTimeout)
		defer cancel()
		for _, i := range nodes {
			if err := w.cluster.RestartNode(ctx, i); err != nil {
				return err
			}
			obs.measure(func(ctx context.Context) {
				if d, err := w.cluster.WaitCaughtUp(ctx, i); err == nil {
					v := ms(d)
					obs.record(func(r *result.Fault) { r.CaughtUpAfterMS = &v })
				}
			})
		}
		return nil
	}, nil
}

// nodesOf resolves a crash target to cluster nodes: "broker" is every node,
// "broker#N" node N, "broker#leader" the node leading the first stream now.
func (w *world) nodesOf(ctx context.Context, target string) ([]int, error) {
	_, which, one := strings.Cut(target, "#")
	switch {
	case !one:
		all := make([]int, w.cluster.Nodes())
		for i := range all {
			all[i] = i
		}
		return all, nil
	case which == faults.EndpointLeader:
		stream := broker.StreamName(w.top.Subjects()[0])
		for {
			i, err := w.cluster.Leader(ctx, stream)
			if err == nil {
				return []int{i}, nil
			}
			if !errors.Is(err, broker.ErrNoLeader) {
				return nil, err
			}
			select {
			case <-ctx.Done():
				return nil, fmt.Errorf("no stream leader to crash: %w", ctx.Err())
			case <-time.After(10 * time.Millisecond):
			}
		}
	}
	i, err := strconv.Atoi(which)
	if err != nil || i < 0 || i >= w.cluster.Nodes() {
		return nil, fmt.Errorf("no broker node %q", target)
	}
	return []int{i}, nil
}
