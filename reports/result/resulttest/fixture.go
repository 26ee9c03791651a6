// Package resulttest provides results for tests of the packages that read
// them: a complete result with every field set.
package resulttest

import (
	"fmt"
	"math"
	"time"

	hdr "github.com/HdrHistogram/hdrhistogram-go"

	"github.com/faultline-sim/faultline/reports/result"
)

// Fixture returns a complete result of a sync-chain variant and an event-driven
// variant, every field set, with values that exercise each number format of
// the table (below 10ms, below 1s, seconds): a 30 s timeline with faults,
// call edges, breaker changes, harness health and real encoded histograms.
func Fixture() *result.Result {
	started := time.Date(2025, 3, 14, 15, 9, 26, 0, time.UTC)
	return &result.Result{
		Schema:      result.Schema,
		Scenario:    "quickstart",
		Description: "Order placement, sync chain against events.",
		File:        "scenarios/quickstart.yaml",
		Seed:        42,
		StartedAt:   started,
		FinishedAt:  started.Add(95 * time.Second),
		Environment: result.Environment{
			GoVersion: "go1.26.0",
			GOOS:      "linux",
			GOARCH:    "amd64",
			CPUs:      2,
			Modules:   map[string]string{"connectrpc.com/connect": "v1.21.1", "github.com/nats-io/nats-server/v2": "v2.15.2"},
		},
		Config: result.RunConfig{
			Arrival: "constant", RateRPS: 500, DurationS: 30, WarmupS: 2.5,
			DrainS: 10, TimeoutMS: 2000, MaxInFlight: 10000,
		},
		Variants: []result.Variant{
			{
				Name:     "sync",
				Topology: "order-sync",
				Wire:     "connect/h2c",
				WindowS:  30,
				Requests: result.Requests{
					Offered: 15000, Sent: 14990, Succeeded: 14870, Failed: 130,
					Errors: map[string]int64{"timeout": 100, "unavailable": 20, "dropped": 10},
					ErrorSamples: map[string]string{
						"timeout":     "deadline_exceeded: context deadline exceeded",
						"unavailable": "unavailable: no replica of payment is registered",
					},
				},
				Availability:  14870.0 / 15000,
				OfferedRPS:    500,
				AchievedRPS:   482.25,
				ThroughputRPS: 495.6667,
				Generator: result.Generator{
					Behind:      true,
					SendLagMS:   result.Percentiles{P50: 0.05, P90: 0.4, P99: 12.5, P999: 40, Max: 80},
					MaxInFlight: 1200,
				},
				LatencyMS: result.Percentiles{P50: 7.125, P90: 48.2, P99: 312.75, P999: 1999.5, Max: 2000.1},
				Harness: &result.Harness{
					SchedLatencyMS: result.Percentiles{P50: 0.02, P90: 0.1, P99: 1.5, P999: 4, Max: 12},
					GCPauseMS:      result.Percentiles{P50: 0.1, P90: 0.2, P99: 0.8, P999: 1.1, Max: 1.2},
					GCCycles:       84,
					CPUBusy:        0.62,
				},
				Timeline: syncTimeline(),
				Faults: []result.Fault{
					{Name: "slow payment x3", Kind: "slow", AtS: 12.5, ForS: 10, Started: started.Add(10 * time.Second), Ended: started.Add(20 * time.Second), StartErrMS: 0.3, EndErrMS: 0.5, Before: &result.WindowStats{FromS: 0, ToS: 10, Offered: 5000, Succeeded: 4990, Availability: 0.998, ThroughputRPS: 499, P99MS: 300}, During: &result.WindowStats{FromS: 10, ToS: 20, Offered: 5000, Succeeded: 4900, Availability: 0.98, ThroughputRPS: 490, P99MS: 900}},
					{
						Name: "latency order->payment 50ms", Kind: "latency", AtS: 24.5, ForS: 3,
						Started: started.Add(22 * time.Second), Ended: started.Add(25 * time.Second), StartErrMS: 0.2, EndErrMS: 0.4,
						Before:       &result.WindowStats{FromS: 19, ToS: 22, Offered: 1500, Succeeded: 1490, Availability: 1490.0 / 1500, ThroughputRPS: 496.6667, P99MS: 310},
						During:       &result.WindowStats{FromS: 22, ToS: 25, Offered: 1500, Succeeded: 1500, Availability: 1, ThroughputRPS: 500, P99MS: 350},
						After:        &result.WindowStats{FromS: 25, ToS: 28, Offered: 1500, Succeeded: 1500, Availability: 1, ThroughputRPS: 500, P99MS: 300},
						DelayErrorMS: &result.Percentiles{P50: 0.08, P90: 0.3, P99: 0.9, P999: 1.8, Max: 2.5},
						DelayedRuns:  4200,
					},
				},
				Edges: []result.Edge{
					{From: "gateway", To: "order", Requests: 15000, Attempts: 15000, Amplification: 1, Succeeded: 14870, Failed: 130,
						LatencyMS: result.Percentiles{P50: 7, P90: 47, P99: 310, P999: 1990, Max: 2000}},
					{From: "order", To: "payment", Policy: "standard", Requests: 15000, Attempts: 15450, Amplification: 1.03, Retries: 420, Timeouts: 380,
						BreakerRejections: 30, BudgetRejections: 12, Succeeded: 14880, Failed: 120,
						LatencyMS: result.Percentiles{P50: 5.25, P90: 44, P99: 295.5, P999: 1500, Max: 1999}},
					{From: "order", To: "inventory", Policy: "inline", Requests: 14880, Attempts: 14880, Amplification: 1, Succeeded: 14880,
						LatencyMS: result.Percentiles{P50: 1.1, P90: 2, P99: 4.8, P999: 9, Max: 15}},
				},
				Breakers: []result.BreakerChange{
					{AtS: 11.25, Caller: "order#0", To: "payment", From: "closed", State: "open"},
					{AtS: 16.25, Caller: "order#0", To: "payment", From: "open", State: "half_open"},
					{AtS: 16.5, Caller: "order#0", To: "payment", From: "half_open", State: "closed"},
				},
				Histograms: result.Histograms{Latency: histogram(15000, 7125, 1.63)},
			},
			{
				Name:        "events",
				Topology:    "order-events",
				EventDriven: true,
				Wire:        "connect/h2c",
				WindowS:     30,
				Requests: result.Requests{
					Offered: 15000, Sent: 15000, Succeeded: 15000,
					Errors: map[string]int64{},
				},
				Availability:  1,
				OfferedRPS:    500,
				AchievedRPS:   500,
				ThroughputRPS: 500,
				Generator: result.Generator{
					SendLagMS:   result.Percentiles{P50: 0.02, P90: 0.05, P99: 0.3, P999: 1.2, Max: 3},
					MaxInFlight: 12,
				},
				LatencyMS:    result.Percentiles{P50: 1.5, P90: 2.25, P99: 6, P999: 11, Max: 25},
				CompletionMS: &result.Percentiles{P50: 9.5, P90: 60, P99: 180.25, P999: 900, Max: 1250},
				Completed:    14998,
				Events: result.Events{
					Published: 16000, Acked: 16000, Processed: 48003, Duplicates: 3,
					Redelivered: 5, MaxConsumerLag: 250,
					Subscribers: []result.Subscriber{
						{Subject: "orders.placed", Group: "payment", Expected: 16000, Processed: 16003, Duplicates: 3},
						{Subject: "orders.placed", Group: "inventory", Expected: 16000, Processed: 16000},
						{Subject: "orders.placed", Group: "notification", Expected: 16000, Processed: 16000},
					},
				},
				Harness: &result.Harness{
					SchedLatencyMS: result.Percentiles{P50: 0.01, P90: 0.05, P99: 0.4, P999: 2, Max: 6},
					GCPauseMS:      result.Percentiles{P50: 0.12, P90: 0.25, P99: 0.9, P999: 1.3, Max: 1.4},
					GCCycles:       97,
					CPUBusy:        0.48,
				},
				Timeline:   eventsTimeline(),
				Faults:     []result.Fault{},
				Histograms: result.Histograms{Latency: histogram(15000, 1500, 0.6), Completion: histogram(14998, 9500, 1.27)},
			},
		},
		Expectations: []result.Expectation{
			{Variant: "events", Expr: "availability >= 99.9%", Metric: "availability", Op: ">=", Threshold: 0.999, Observed: 1, OK: true, Line: 30},
			{Variant: "sync", Expr: "p99 < 200ms", Metric: "p99", Op: "<", Threshold: 200, Observed: 300, OK: false, Line: 31},
		},
	}
}

// syncTimeline is the sync variant's 30 seconds: failures and a long p99
// while payment is slow (seconds 10-19), a longer p99 under added latency
// (22-24).
func syncTimeline() []result.Second {
	out := make([]result.Second, 30)
	for i := range out {
		s := result.Second{Second: i, Offered: 500, Succeeded: 500, P50MS: 6.5, P99MS: 290, ActiveFaults: []string{}}
		switch {
		case i == 0:
			s.Succeeded, s.Failed, s.P50MS, s.P99MS = 490, 10, 7, 300
		case i >= 10 && i < 20:
			s.Succeeded, s.Failed, s.P50MS, s.P99MS = 490, 10, 9, 900
			s.ActiveFaults = []string{"slow payment x3"}
		case i >= 22 && i < 25:
			s.P50MS, s.P99MS = 58, 350
			s.ActiveFaults = []string{"latency order->payment 50ms"}
		}
		out[i] = s
	}
	return out
}

// eventsTimeline is the event-driven variant's 30 seconds (run without
// faults): consumer lag builds while payment's consumers fall behind.
func eventsTimeline() []result.Second {
	out := make([]result.Second, 30)
	for i := range out {
		s := result.Second{Second: i, Offered: 500, Succeeded: 500, P50MS: 1.5, P99MS: 6, ConsumerLag: 3, ActiveFaults: []string{}}
		switch {
		case i == 0:
			s.ConsumerLag = 250
		case i >= 10 && i < 20:
			s.ConsumerLag, s.P99MS = int64(25*(i-9)), 6.5
		case i >= 24 && i < 26:
			s.ConsumerLag, s.P99MS = 120, 8
		}
		out[i] = s
	}
	return out
}

// histogram returns an encoded histogram (as results hold them) of n
// latencies, lognormal with the given median in microseconds and sigma.
func histogram(n int, medianUS, sigma float64) string {
	h := hdr.New(1, int64(time.Minute/time.Microsecond), 3)
	for i := range n {
		q := (float64(i) + 0.5) / float64(n)
		z := math.Sqrt2 * math.Erfinv(2*q-1)
		if err := h.RecordValue(int64(medianUS * math.Exp(sigma*z))); err != nil {
			panic(fmt.Sprintf("fixture histogram: %v", err))
		}
	}
	b, err := h.Encode(hdr.V2CompressedEncodingCookieBase)
	if err != nil {
		panic(fmt.Sprintf("fixture histogram: %v", err))
	}
	return string(b)
}
