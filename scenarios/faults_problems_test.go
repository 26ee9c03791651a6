package scenarios

import (
	"strings"
	"testing"
)

func TestParseFaultProblems(t *testing.T) {
	cases := []struct {
		name string
		src  string
		want []problem
	}{
		// shape
		{"faults mapping", plus("faults: {crash: payment}"), []problem{{16, "faults", "must be a list"}}},
		{"fault scalar", oneFault("crash payment"), []problem{{17, "faults[0]", "must be a mapping"}}},
		{"unknown key", oneFault("{at: 1s, for: 1s, crash: order, colour: red}"), []problem{{17, "faults[0].colour", "unknown key (expected one of: at, for, bandwidth, close, crash"}}},
		{"unknown latency key", oneFault("{at: 1s, for: 1s, latency: {from: order, to: payment, mean: 1ms, sigma: 2ms}}"), []problem{{17, "faults[0].latency.sigma", "unknown key"}}},
		{"unknown request key", oneFault("{at: 1s, for: 1s, request: {service: payment, code: internal, status: 503}}"), []problem{{17, "faults[0].request.status", "unknown key"}}},
		{"no kind", oneFault("{at: 1s, for: 1s}"), []problem{{17, "faults[0]", "a fault needs one kind key"}}},
		{"two kinds", oneFault("{at: 1s, for: 1s, crash: order, pause: payment}"), []problem{{17, "faults[0]", "exactly one kind, got crash and pause"}}},
		// timing
		{"at missing", oneFault("{for: 1s, crash: order}"), []problem{{17, "faults[0].at", "required"}}},
		{"at negative", oneFault("{at: -1s, for: 1s, crash: order}"), []problem{{17, "faults[0].at", "must not be negative, got -1s"}}},
		{"at text", oneFault("{at: soon, for: 1s, crash: order}"), []problem{{17, "faults[0].at", `"soon" is not a duration`}}},
		{"for missing", oneFault("{at: 1s, crash: order}"), []problem{{17, "faults[0].for", "required"}}},
		{"for zero", oneFault("{at: 1s, for: 0s, crash: order}"), []problem{{17, "faults[0].for", "must be positive, got 0s"}}},
		{"for negative", oneFault("{at: 1s, for: -2s, crash: order}"), []problem{{17, "faults[0].for", "must be positive, got -2s"}}},
		{"reset with for", oneFault("{at: 1s, for: 1s, reset: {from: order, to: payment}}"), []problem{{17, "faults[0].for", "a reset is instantaneous"}}},
		{"ends after load", oneFault("{at: 20s, for: 3s, crash: order}"), []problem{{17, "faults[0].for", "fault ends after the load (at+for = 23s > warmup+duration = 22s)"}}},
		{"huge for", oneFault("{at: 1s, for: 2562047h, crash: order}"), []problem{{17, "faults[0].for", "fault ends after the load"}}},
		{"reset after load", oneFault("{at: 23s, reset: {from: order, to: payment}}"), []problem{{17, "faults[0].at", "the reset comes after the load"}}},
		// crash and pause targets
		{"crash leader one node", oneFault("{at: 1s, for: 1s, crash: broker#leader}"), []problem{{17, "faults[0].crash", `"broker#leader" needs a broker of several nodes`}}},
		{"crash broker node missing", oneFault("{at: 1s, for: 1s, crash: broker#1}"), []problem{{17, "faults[0].crash", `"broker#1" does not exist: the broker has 1 node(s)`}}},
		{"crash broker node 3 of 3", plus("broker: {nodes: 3, replicas: 1}", "faults:", "  - {at: 1s, for: 1s, crash: broker#3}"), []problem{{18, "faults[0].crash", `"broker#3" does not exist: the broker has 3 node(s)`}}},
		{"crash client", oneFault("{at: 1s, for: 1s, crash: client}"), []problem{{17, "faults[0].crash", `"client" cannot be a target here`}}},
		{"crash any", oneFault("{at: 1s, for: 1s, crash: '*'}"), []problem{{17, "faults[0].crash", `"*" (any endpoint) is only for the from and to of link faults`}}},
		{"pause bad replica", oneFault("{at: 1s, for: 1s, pause: 'payment#x'}"), []problem{{17, "faults[0].pause", `"payment#x" is not an endpoint`}}},
		{"pause leading zero", oneFault("{at: 1s, for: 1s, pause: 'payment#01'}"), []problem{{17, "faults[0].pause", `"payment#01" is not an endpoint`}}},
		{"crash empty", oneFault("{at: 1s, for: 1s, crash: ''}"), []problem{{17, "faults[0].crash", "required"}}},
		{"crash list", oneFault("{at: 1s, for: 1s, crash: [a, b]}"), []problem{{17, "faults[0].crash", "must be a string"}}},
		// overlaps
		{"overlap service and replica", plus("faults:", "  - {at: 8s, for: 5s, crash: payment}", "  - {at: 10s, for: 1s, crash: payment#0}"),
			[]problem{{18, "faults[1].crash", "overlaps faults[0] (crash payment from 8s to 13s, line 17)"}}},
		{"overlap same replica", plus("faults:", "  - {at: 8s, for: 5s, pause: payment#1}", "  - {at: 3s, for: 6s, crash: payment#1}"),
			[]problem{{18, "faults[1].crash", "overlaps faults[0] (pause payment#1"}}},
		{"overlap leader", plus("broker: {nodes: 3, replicas: 3}", "faults:", "  - {at: 8s, for: 5s, crash: broker#leader}", "  - {at: 9s, for: 1s, crash: broker#2}"),
			[]problem{{19, "faults[1].crash", "overlaps faults[0]"}}},
		// latency
		{"latency mean missing", oneFault("{at: 1s, for: 1s, latency: {from: order, to: payment}}"), []problem{{17, "faults[0].latency.mean", "required"}}},
		{"latency mean negative", oneFault("{at: 1s, for: 1s, latency: {from: order, to: payment, mean: -5ms}}"), []problem{{17, "faults[0].latency.mean", "must not be negative"}}},
		{"latency nothing", oneFault("{at: 1s, for: 1s, latency: {from: order, to: payment, mean: 0s}}"), []problem{{17, "faults[0].latency.mean", "adds no latency"}}},
		{"latency jitter negative", oneFault("{at: 1s, for: 1s, latency: {from: order, to: payment, mean: 5ms, jitter: -1ms}}"), []problem{{17, "faults[0].latency.jitter", "must not be negative"}}},
		{"latency dist unknown", oneFault("{at: 1s, for: 1s, latency: {from: order, to: payment, mean: 5ms, dist: pareto}}"), []problem{{17, "faults[0].latency.dist", `unknown distribution "pareto"`}}},
		{"latency fixed jitter", oneFault("{at: 1s, for: 1s, latency: {from: order, to: payment, mean: 5ms, jitter: 1ms, dist: fixed}}"), []problem{{17, "faults[0].latency.dist", "fixed takes no jitter"}}},
		{"latency lognormal zero", oneFault("{at: 1s, for: 1s, latency: {from: order, to: payment, mean: 0s, jitter: 1ms, dist: lognormal}}"), []problem{{17, "faults[0].latency.mean", "must be positive for a lognormal"}}},
		{"latency both text", oneFault("{at: 1s, for: 1s, latency: {from: order, to: payment, mean: 5ms, both: yes}}"), []problem{{17, "faults[0].latency.both", `"yes" is not a boolean`}}},
		{"latency from missing", oneFault("{at: 1s, for: 1s, latency: {to: payment, mean: 5ms}}"), []problem{{17, "faults[0].latency.from", "required"}}},
		{"latency to bad", oneFault("{at: 1s, for: 1s, latency: {from: order, to: 'gateway#1', mean: 5ms}}"), []problem{{17, "faults[0].latency.to", `"gateway#1" is not an endpoint`}}},
		{"latency to leader", plus("broker: {nodes: 3, replicas: 3}", "faults:", "  - {at: 1s, for: 1s, latency: {from: order, to: broker#leader, mean: 5ms}}"), []problem{{18, "faults[0].latency.to", "only a crash or pause target"}}},
		// bandwidth
		{"bandwidth zero", oneFault("{at: 1s, for: 1s, bandwidth: {from: order, to: broker, rate: 0}}"), []problem{{17, "faults[0].bandwidth.rate", "must be positive"}}},
		{"bandwidth negative", oneFault("{at: 1s, for: 1s, bandwidth: {from: order, to: broker, rate: -10}}"), []problem{{17, "faults[0].bandwidth.rate", "must be positive"}}},
		{"bandwidth missing", oneFault("{at: 1s, for: 1s, bandwidth: {from: order, to: broker}}"), []problem{{17, "faults[0].bandwidth.rate", "required"}}},
		{"bandwidth float", oneFault("{at: 1s, for: 1s, bandwidth: {from: order, to: broker, rate: 1.5}}"), []problem{{17, "faults[0].bandwidth.rate", `"1.5" is not an integer`}}},
		// partition
		{"partition one group", oneFault("{at: 1s, for: 1s, partition: [[order, payment]]}"), []problem{{17, "faults[0].partition", "needs at least 2 groups"}}},
		{"partition empty group", oneFault("{at: 1s, for: 1s, partition: [[order], []]}"), []problem{{17, "faults[0].partition", "group 1 is empty"}}},
		{"partition twice", oneFault("{at: 1s, for: 1s, partition: [[order], [payment, order]]}"), []problem{{17, "faults[0].partition", `"order" overlaps "order"`}}},
		{"partition replica twice", oneFault("{at: 1s, for: 1s, partition: [[payment#0], [payment]]}"), []problem{{17, "faults[0].partition", `"payment" overlaps "payment#0"`}}},
		{"partition star twice", oneFault("{at: 1s, for: 1s, partition: [['*'], [order, '*']]}"), []problem{{17, "faults[0].partition", `"*" may be in one group only, once`}}},
		{"partition flat", oneFault("{at: 1s, for: 1s, partition: [order, payment]}"), []problem{{17, "faults[0].partition[0]", `must be a list, got "order"`}, {17, "faults[0].partition[1]", "must be a list"}}},
		{"partition scalar", oneFault("{at: 1s, for: 1s, partition: order}"), []problem{{17, "faults[0].partition", "must be a list"}}},
		// reset
		{"reset to missing", oneFault("{at: 1s, reset: {from: order}}"), []problem{{17, "faults[0].reset.to", "required"}}},
		// request
		{"request unknown code", oneFault("{at: 1s, for: 1s, request: {service: payment, code: teapot}}"), []problem{{17, "faults[0].request.code", `unknown code "teapot"`}}},
		{"request share zero", oneFault("{at: 1s, for: 1s, request: {service: payment, code: internal, share: 0}}"), []problem{{17, "faults[0].request.share", "must be in (0, 1], got 0"}}},
		{"request share big", oneFault("{at: 1s, for: 1s, request: {service: payment, code: internal, share: 1.5}}"), []problem{{17, "faults[0].request.share", "must be in (0, 1], got 1.5"}}},
		{"request nothing", oneFault("{at: 1s, for: 1s, request: {service: payment}}"), []problem{{17, "faults[0].request", "needs a code, a delay or both"}}},
		{"request delay negative", oneFault("{at: 1s, for: 1s, request: {service: payment, delay: -1ms}}"), []problem{{17, "faults[0].request.delay", "must not be negative"}}},
		{"request method", oneFault("{at: 1s, for: 1s, request: {service: payment, code: internal, method: 'pay/Handle'}}"), []problem{{17, "faults[0].request.method", "not an RPC method name"}}},
		{"request method empty token", oneFault("{at: 1s, for: 1s, request: {service: payment, code: internal, method: orders..placed}}"), []problem{{17, "faults[0].request.method", "or a subject (e.g. orders.placed)"}}},
		{"request sticky not a boolean", oneFault("{at: 1s, for: 1s, request: {service: payment, code: internal, sticky: often}}"), []problem{{17, "faults[0].request.sticky", "not a boolean"}}},
		{"errors sticky not a boolean", oneFault("{at: 1s, for: 1s, errors: {target: payment, rate: 0.1, sticky: 1}}"), []problem{{17, "faults[0].errors.sticky", "not a boolean"}}},
		{"request header", oneFault("{at: 1s, for: 1s, request: {service: payment, code: internal, header: canary}}"), []problem{{17, "faults[0].request.header", `"canary" is not a header`}}},
		{"request gateway", oneFault("{at: 1s, for: 1s, request: {service: gateway, code: internal}}"), []problem{{17, "faults[0].request.service", `"gateway" cannot be a target here`}}},
		{"request service missing", oneFault("{at: 1s, for: 1s, request: {code: internal}}"), []problem{{17, "faults[0].request.service", "required"}}},
		// slow and errors
		{"slow factor zero", oneFault("{at: 1s, for: 1s, slow: {target: payment, factor: 0}}"), []problem{{17, "faults[0].slow.factor", "must be positive, got 0"}}},
		{"slow factor missing", oneFault("{at: 1s, for: 1s, slow: {target: payment}}"), []problem{{17, "faults[0].slow.factor", "required"}}},
		{"slow broker", oneFault("{at: 1s, for: 1s, slow: {target: broker, factor: 2}}"), []problem{{17, "faults[0].slow.target", `"broker" cannot be a target here`}}},
		{"errors rate big", oneFault("{at: 1s, for: 1s, errors: {target: payment, rate: 1.5}}"), []problem{{17, "faults[0].errors.rate", "must be between 0 and 1, got 1.5"}}},
		{"errors rate negative", oneFault("{at: 1s, for: 1s, errors: {target: payment, rate: -0.1}}"), []problem{{17, "faults[0].errors.rate", "must be between 0 and 1"}}},
		{"errors rate missing", oneFault("{at: 1s, for: 1s, errors: {target: payment}}"), []problem{{17, "faults[0].errors.rate", "required"}}},
		{"errors target missing", oneFault("{at: 1s, for: 1s, errors: {rate: 0.5}}"), []problem{{17, "faults[0].errors.target", "required"}}},
		// broker
		{"broker nodes 2", plus("broker: {nodes: 2, replicas: 1}"), []problem{{16, "broker.nodes", "must be 1, 3 or 5, got 2"}}},
		{"broker nodes 0", plus("broker: {nodes: 0}"), []problem{{16, "broker.nodes", "must be 1, 3 or 5, got 0"}}},
		{"broker replicas 0", plus("broker: {nodes: 3, replicas: 0}"), []problem{{16, "broker.replicas", "must be between 1 and nodes (3), got 0"}}},
		{"broker replicas over", plus("broker:", "  nodes: 3", "  replicas: 4"), []problem{{18, "broker.replicas", "must be between 1 and nodes (3), got 4"}}},
		{"broker replicas over default", plus("broker: {replicas: 3}"), []problem{{16, "broker.replicas", "must be between 1 and nodes (1), got 3"}}},
		{"broker unknown key", plus("broker: {nodes: 3, raft: true}"), []problem{{16, "broker.raft", "unknown key (expected one of: nodes, replicas, sync)"}}},
		{"broker sync word", plus("broker: {sync: sometimes}"), []problem{{16, "broker.sync", `must be default, always or a duration (e.g. 1s), got "sometimes"`}}},
		{"broker sync zero", plus("broker:", "  sync: 0s"), []problem{{17, "broker.sync", "must be a positive duration, default or always, got 0s"}}},
		{"broker sync negative", plus("broker: {nodes: 3, replicas: 3, sync: -1s}"), []problem{{16, "broker.sync", "must be a positive duration, default or always, got -1s"}}},
		{"broker sync case", plus("broker: {sync: Always}"), []problem{{16, "broker.sync", `got "Always"`}}},
		{"broker sync list", plus("broker: {sync: [always]}"), []problem{{16, "broker.sync", "must be a string, got a list"}}},
		{"broker sync null", plus("broker: {sync: ~}"), []problem{{16, "broker.sync", "must be a string, got null"}}},
		{"broker text", plus("broker: {nodes: three}"), []problem{{16, "broker.nodes", `"three" is not an integer`}}},
		{"broker scalar", plus("broker: 3"), []problem{{16, "broker", "must be a mapping"}}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s, err := Parse("q.yaml", []byte(c.src))
			if s != nil {
				t.Error("Parse returned a scenario with an error")
			}
			checkProblems(t, "q.yaml", err, c.want...)
			if n := strings.Count(err.Error(), "\n") + 1; n != len(c.want) {
				t.Errorf("got %d problems, want %d:\n%v", n, len(c.want), err)
			}
		})
	}
}
