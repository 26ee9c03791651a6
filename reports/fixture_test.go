package reports_test

import (
	"time"

	"github.com/faultline-sim/faultline/reports"
)

// fixture is a complete result of a sync-chain variant and an event-driven
// variant, every field set, with values that exercise each number format of
// the table (below 10ms, below 1s, seconds).
func fixture() *reports.Result {
	started := time.Date(2025, 3, 14, 15, 9, 26, 0, time.UTC)
	return &reports.Result{
		Schema:      reports.Schema,
		Scenario:    "quickstart",
		Description: "Order placement, sync chain against events.",
		File:        "scenarios/quickstart.yaml",
		Seed:        42,
		StartedAt:   started,
		FinishedAt:  started.Add(95 * time.Second),
		Environment: reports.Environment{
			GoVersion: "go1.26.0",
			GOOS:      "linux",
			GOARCH:    "amd64",
			CPUs:      2,
			Modules:   map[string]string{"connectrpc.com/connect": "v1.21.1", "github.com/nats-io/nats-server/v2": "v2.15.2"},
		},
		Config: reports.RunConfig{
			Arrival: "constant", RateRPS: 500, DurationS: 30, WarmupS: 2.5,
			DrainS: 10, TimeoutMS: 2000, MaxInFlight: 10000,
		},
		Variants: []reports.Variant{
			{
				Name:     "sync",
				Topology: "order-sync",
				Wire:     "connect/h2c",
				Requests: reports.Requests{
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
				Generator: reports.Generator{
					Behind:      true,
					SendLagMS:   reports.Percentiles{P50: 0.05, P90: 0.4, P99: 12.5, P999: 40, Max: 80},
					MaxInFlight: 1200,
				},
				LatencyMS: reports.Percentiles{P50: 7.125, P90: 48.2, P99: 312.75, P999: 1999.5, Max: 2000.1},
				Timeline: []reports.Second{
					{Second: 0, Offered: 500, Succeeded: 490, Failed: 10, P50MS: 7, P99MS: 300, ActiveFaults: []string{}},
					{Second: 1, Offered: 500, Succeeded: 500, P50MS: 6.5, P99MS: 290, ActiveFaults: []string{"slow payment x3"}},
				},
				Faults:     []reports.Fault{{Name: "slow payment x3", Kind: "slow", AtS: 12.5, ForS: 10, Started: started.Add(10 * time.Second), Ended: started.Add(20 * time.Second), StartErrMS: 0.3, EndErrMS: 0.5, Before: &reports.WindowStats{FromS: 0, ToS: 10, Offered: 5000, Succeeded: 4990, Availability: 0.998, ThroughputRPS: 499, P99MS: 300}, During: &reports.WindowStats{FromS: 10, ToS: 20, Offered: 5000, Succeeded: 4900, Availability: 0.98, ThroughputRPS: 490, P99MS: 900}}},
				Histograms: reports.Histograms{Latency: "HISTFAAAAB14nJNpmSzMwMDAxAABzFCaEUoDAAZBAJk="},
			},
			{
				Name:        "events",
				Topology:    "order-events",
				EventDriven: true,
				Wire:        "connect/h2c",
				Requests: reports.Requests{
					Offered: 15000, Sent: 15000, Succeeded: 15000,
					Errors: map[string]int64{},
				},
				Availability:  1,
				OfferedRPS:    500,
				AchievedRPS:   500,
				ThroughputRPS: 500,
				Generator: reports.Generator{
					SendLagMS:   reports.Percentiles{P50: 0.02, P90: 0.05, P99: 0.3, P999: 1.2, Max: 3},
					MaxInFlight: 12,
				},
				LatencyMS:    reports.Percentiles{P50: 1.5, P90: 2.25, P99: 6, P999: 11, Max: 25},
				CompletionMS: &reports.Percentiles{P50: 9.5, P90: 60, P99: 180.25, P999: 900, Max: 1250},
				Completed:    14998,
				Events: reports.Events{
					Published: 16000, Acked: 16000, Processed: 48003, Duplicates: 3,
					Redelivered: 5, MaxConsumerLag: 250,
					Subscribers: []reports.Subscriber{
						{Subject: "orders.placed", Group: "payment", Expected: 16000, Processed: 16003, Duplicates: 3},
						{Subject: "orders.placed", Group: "inventory", Expected: 16000, Processed: 16000},
						{Subject: "orders.placed", Group: "notification", Expected: 16000, Processed: 16000},
					},
				},
				Timeline: []reports.Second{
					{Second: 0, Offered: 500, Succeeded: 500, P50MS: 1.5, P99MS: 6, ConsumerLag: 250, ActiveFaults: []string{}},
				},
				Faults:     []reports.Fault{},
				Histograms: reports.Histograms{Latency: "HISTFAAAAB14nJNpmSzMwMDAxAABzFCaEUoDAAZBAJk=", Completion: "HISTFAAAAB14nJNpmSzMwMDAxAABzFCaEUoDAAZBAJk="},
			},
		},
		Expectations: []reports.Expectation{
			{Variant: "events", Expr: "availability >= 99.9%", Metric: "availability", Op: ">=", Threshold: 0.999, Observed: 1, OK: true, Line: 30},
			{Variant: "sync", Expr: "p99 < 200ms", Metric: "p99", Op: "<", Threshold: 200, Observed: 300, OK: false, Line: 31},
		},
	}
}
