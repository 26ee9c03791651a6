package sim

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/faultline-sim/faultline/faults"
	"github.com/faultline-sim/faultline/reports/result"
	"github.com/faultline-sim/faultline/scenarios"
)

// sagaRun runs the shipped scenario file, shortened to warm-up 1 s,
// duration dur and drain 10 s at rate, with fs as its faults, and returns
// its variants by name, each with its consistency block read.
func sagaRun(t *testing.T, file string, dur time.Duration, rate float64, fs []faults.Fault) map[string]*result.Variant {
	t.Helper()
	if testing.Short() {
		t.Skip("end-to-end run")
	}
	sc, err := scenarios.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	sc.Warmup, sc.Duration, sc.Drain = time.Second, dur, 10*time.Second
	sc.Load.Rate, sc.Faults, sc.Expect = rate, fs, nil
	res, err := Run(context.Background(), sc, Options{StateDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]*result.Variant{}
	for i := range res.Variants {
		v := &res.Variants[i]
		c := v.Consistency
		if v.Error != "" || c == nil || c.Error != "" {
			t.Fatalf("%s: error %q, consistency %+v", v.Name, v.Error, c)
		}
		t.Logf("%s: availability %.4f, %+v", v.Name, v.Availability, *c)
		out[v.Name] = v
	}
	return out
}

// Crashing the order service while its order.placed events cross a slow
// link to the broker leaves, with dual writes, orders placed whose event
// never reached the broker: stuck, their saga never run. With the
// transactional outbox the same crashes leave nothing behind: the relay
// publishes what was committed once order is back. The link's 100 ms one
// way puts about 200/s × 0.1 s = 20 placements in the gap at the crash.
func TestSagaDualWriteLosesOutboxDoesNot(t *testing.T) {
	vs := sagaRun(t, "../scenarios/dual-write.yaml", 3*time.Second, 200, []faults.Fault{
		{At: 0, For: 6 * time.Second, Kind: &faults.Latency{Link: faults.LinkSpec{From: "order", To: "broker", Both: true},
			Delay: faults.LatencySpec{Mean: 100 * time.Millisecond, Dist: faults.DistFixed}}},
		{At: 2 * time.Second, For: 500 * time.Millisecond, Kind: &faults.Crash{Target: "order"}},
	})
	dual, outbox := vs["dual"].Consistency, vs["outbox"].Consistency
	if dual.Stuck == 0 || dual.Violations != dual.Stuck {
		t.Errorf("dual write: %d stuck of %d violations, want some stuck and nothing else", dual.Stuck, dual.Violations)
	}
	if outbox.Violations != 0 || outbox.Confirmed == 0 {
		t.Errorf("outbox: %d violations, %d confirmed, want none and some", outbox.Violations, outbox.Confirmed)
	}
	for name, v := range vs {
		if v.Events.Lost != 0 {
			t.Errorf("%s: %d events lost: a step replayed after its commit must complete its pair", name, v.Events.Lost)
		}
	}
}

// At least once, an event redelivered after its step committed is applied
// again; an idempotent step records the event with its change and applies
// it once. payment acks in batches every 200 ms; an ack_wait of 100 ms,
// shorter, makes the broker redeliver about half the events whose step
// was done (no crash needed): the at-least-once saga charges them twice,
// the idempotent one never does.
func TestSagaAtLeastOnceChargesTwiceIdempotentOnce(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end run")
	}
	sc, err := scenarios.ReadFile("../scenarios/exactly-once.yaml")
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range sc.Variants {
		c := &v.Topology.Service("payment").Consume[0]
		if c.Subject != "order.placed" || c.AckInterval <= 100*time.Millisecond {
			t.Fatalf("%s: payment's first consume is %s with ack_interval %s", v.Name, c.Subject, c.AckInterval)
		}
		c.AckWait = 100 * time.Millisecond
	}
	sc.Warmup, sc.Duration, sc.Drain = time.Second, 2*time.Second, 10*time.Second
	sc.Load.Rate, sc.Faults, sc.Expect = 100, nil, nil
	res, err := Run(context.Background(), sc, Options{StateDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range res.Variants {
		c := v.Consistency
		if c == nil || c.Error != "" {
			t.Fatalf("%s: consistency %+v", v.Name, c)
		}
		t.Logf("%s: redelivered %d, %+v", v.Name, v.Events.Redelivered, *c)
		if v.Events.Redelivered == 0 {
			t.Errorf("%s: nothing redelivered: the check is vacuous", v.Name)
		}
		switch v.Name {
		case "at-least-once":
			// An event redelivered twice is charged three times: one
			// operation charged more than once, two duplicates.
			if c.DoubleCharges == 0 || c.DoubleCharges > v.Events.Duplicates {
				t.Errorf("at least once: %d double charges, %d duplicates in the ledger; want some, at most as many", c.DoubleCharges, v.Events.Duplicates)
			}
		case "idempotent":
			if c.Violations != 0 || v.Events.Duplicates != 0 || c.Confirmed != c.Operations {
				t.Errorf("idempotent: %d violations, %d duplicates, %d of %d confirmed", c.Violations, v.Events.Duplicates, c.Confirmed, c.Operations)
			}
		}
	}
}

// The orchestrated saga fails the requests that reach payment while it is
// down, and undoes what they did: each ends cancelled with nothing
// charged, once payment is back; the requests before and after confirm.
// No violation either way.
func TestSagaOrchestratedCompensates(t *testing.T) {
	vs := sagaRun(t, "../scenarios/saga.yaml", 4*time.Second, 100, []faults.Fault{
		{At: 2 * time.Second, For: time.Second, Kind: &faults.Crash{Target: "payment"}},
	})
	sync := vs["sync"]
	c := sync.Consistency
	if c.Violations != 0 || c.Cancelled == 0 || c.Confirmed == 0 || sync.Requests.Failed == 0 {
		t.Errorf("sync: %d violations, %d cancelled, %d confirmed, %d requests failed; want none, some, some, some",
			c.Violations, c.Cancelled, c.Confirmed, sync.Requests.Failed)
	}
	if c := vs["events"].Consistency; c.Violations != 0 || c.Cancelled != 0 {
		t.Errorf("events: %d violations, %d cancelled, want none", c.Violations, c.Cancelled)
	}
}

// A store that cannot be opened fails the variant, as the run's failure
// (exit 3), naming the folder; nothing is reported as consistent.
func TestSagaStoreThatCannotOpenFailsTheRun(t *testing.T) {
	sc, err := scenarios.ReadFile("../scenarios/stock-out.yaml")
	if err != nil {
		t.Fatal(err)
	}
	sc.Variants = sc.Variants[:1]
	sc.Warmup, sc.Duration, sc.Drain = 0, 500*time.Millisecond, time.Second
	sc.Expect = nil
	file := filepath.Join(t.TempDir(), "not-a-folder")
	if err := os.WriteFile(file, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	res, err := Run(context.Background(), sc, Options{StateDir: file})
	if !errors.Is(err, ErrRun) || !errors.Is(err, ErrState) || !strings.Contains(err.Error(), file) {
		t.Fatalf("Run = %v, want ErrRun and ErrState naming %s", err, file)
	}
	if v := res.Variants[0]; v.Error == "" || v.Consistency != nil {
		t.Errorf("variant error %q, consistency %+v: want an error and no block", v.Error, v.Consistency)
	}
}
