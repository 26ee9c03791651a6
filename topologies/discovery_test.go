package topologies

import (
	"testing"
	"time"
)

// disc is a one-service topology followed by lines (from line 3) about
// discovery.
func disc(lines ...string) string {
	return doc(append([]string{"entry: a", "services: [{name: a}]"}, lines...)...)
}

func TestParseDiscoveryProblems(t *testing.T) {
	cases := []struct {
		name string
		src  string
		want []problem
	}{
		{"unknown balancer", disc("discovery:", "  balancer: random"),
			[]problem{{4, "discovery.balancer", `unknown balancer "random" (round_robin, least_outstanding or p2c)`}}},
		{"empty balancer", disc("discovery: {balancer: ''}"), []problem{{3, "discovery.balancer", `unknown balancer ""`}}},
		{"balancer null", disc("discovery: {balancer: }"), []problem{{3, "discovery.balancer", "must be a string, got null"}}},
		{"negative detection delay", disc("discovery:", "  detection_delay: -1s"),
			[]problem{{4, "discovery.detection_delay", "must not be negative (0: at once), got -1s"}}},
		{"detection delay not a duration", disc("discovery:", "  detection_delay: 30"), []problem{{4, "discovery.detection_delay", `"30" is not a duration`}}},
		{"negative refresh", disc("discovery:", "  balancer: p2c", "  refresh: -1ms"), []problem{{5, "discovery.refresh", "must not be negative (0: every call), got -1ms"}}},
		{"unknown key", disc("discovery: {balance: p2c}"),
			[]problem{{3, "discovery.balance", "unknown key (expected one of: balancer, detection_delay, refresh, outlier)"}}},
		{"discovery list", disc("discovery: [p2c]"), []problem{{3, "discovery", "must be a mapping, got a list"}}},
		{"outlier null", disc("discovery:", "  outlier:"), []problem{
			{4, "discovery.outlier.consecutive_failures", "required"},
			{4, "discovery.outlier.eject_for", "required"}}},
		{"outlier eject_for missing", disc("discovery:", "  outlier: {consecutive_failures: 3}"), []problem{{4, "discovery.outlier.eject_for", "required"}}},
		{"outlier failures zero", disc("discovery:", "  outlier:", "    consecutive_failures: 0", "    eject_for: 1s"),
			[]problem{{5, "discovery.outlier.consecutive_failures", "must be at least 1, got 0"}}},
		{"outlier eject_for zero", disc("discovery:", "  outlier:", "    consecutive_failures: 5", "    eject_for: 0s"),
			[]problem{{6, "discovery.outlier.eject_for", "must be positive, got 0s"}}},
		{"outlier unknown key", disc("discovery:", "  outlier: {consecutive_failures: 5, eject_for: 1s, max_ejected: 50%}"),
			[]problem{{4, "discovery.outlier.max_ejected", "unknown key (expected one of: consecutive_failures, eject_for)"}}},
		{"outlier scalar", disc("discovery:", "  outlier: 5"), []problem{{4, "discovery.outlier", `must be a mapping, got "5"`}}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			top, err := Parse("t.yaml", []byte(c.src))
			if top != nil {
				t.Errorf("Parse returned a topology with an error")
			}
			checkOnly(t, err, c.want...)
		})
	}
}

func TestParseDiscoveryDefaults(t *testing.T) {
	for _, c := range []struct {
		src  string
		want Discovery
	}{
		{disc(), Discovery{Balancer: BalanceRoundRobin}},
		{disc("discovery:"), Discovery{Balancer: BalanceRoundRobin, Line: 3}},
		{disc("discovery: {balancer: least_outstanding, detection_delay: 0s}"), Discovery{Balancer: BalanceLeastOutstanding, Line: 3}},
		{disc("discovery:", "  balancer: p2c", "  refresh: 1s", "  detection_delay: 30s"),
			Discovery{Balancer: BalanceP2C, DetectionDelay: 30 * time.Second, Refresh: time.Second, Line: 3}},
	} {
		top, err := Parse("t.yaml", []byte(c.src))
		if err != nil {
			t.Fatal(err)
		}
		if top.Discovery != c.want {
			t.Errorf("%s: discovery = %+v, want %+v", c.src, top.Discovery, c.want)
		}
	}
	top, err := Parse("t.yaml", []byte(disc("discovery:", "  outlier:", "    consecutive_failures: 5", "    eject_for: 10s")))
	if err != nil {
		t.Fatal(err)
	}
	if o := top.Discovery.Outlier; o == nil || *o != (Outlier{5, 10 * time.Second, 4}) {
		t.Errorf("outlier = %+v", o)
	}
}
