package sim

import (
	"context"
	"testing"
	"time"

	"github.com/faultline-sim/faultline/reports/result"
	"github.com/faultline-sim/faultline/sim/broker"
	"github.com/faultline-sim/faultline/sim/metrics"
	"github.com/faultline-sim/faultline/topologies"
)

// While the broker is down, the monitor's Lag queries fail: those seconds
// of the timeline are missing, not 0; once it is back they have a value.
func TestMonitorFailedLagIsMissing(t *testing.T) {
	if testing.Short() {
		t.Skip("runs a broker for ~4 s")
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	top, err := topologies.Parse("pair.yaml", []byte(pair))
	if err != nil {
		t.Fatal(err)
	}
	b := broker.New()
	if err := b.Start(ctx); err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	if err := b.Setup(ctx, top); err != nil {
		t.Fatal(err)
	}
	if err := b.Crash(ctx); err != nil {
		t.Fatal(err)
	}
	w := &world{top: top, broker: b, single: b}
	const window = 8 * time.Second
	rec := metrics.NewRecorder(window, time.Second)
	m := startMonitor(w, rec, "events", 0, window, nil)
	start := time.Now()
	m.begin(start)
	// Seconds 0 and 1 are sampled (and fail) while the broker is down.
	time.Sleep(time.Until(start.Add(1500 * time.Millisecond)))
	if err := b.Restart(ctx); err != nil {
		t.Fatal(err)
	}
	// Wait until a query succeeds, then for a whole second after it, which
	// the monitor samples at its first tick (every 250 ms).
	for {
		if _, err := b.Lag(ctx); err == nil {
			break
		}
		if ctx.Err() != nil {
			t.Fatal("broker never answered after its restart")
		}
		time.Sleep(50 * time.Millisecond)
	}
	up := time.Since(start)
	time.Sleep(time.Until(start.Add(up.Truncate(time.Second) + 2*time.Second + 500*time.Millisecond)))
	m.stop()
	var v result.Variant
	rec.Fill(&v, time.Since(start))
	if !v.Timeline[0].LagMissing || !v.Timeline[1].LagMissing {
		t.Errorf("seconds 0 and 1 (broker down): lag missing %v %v, want true true", v.Timeline[0].LagMissing, v.Timeline[1].LagMissing)
	}
	after := int(up/time.Second) + 1
	if after >= len(v.Timeline) || v.Timeline[after].LagMissing {
		t.Errorf("second %d (broker up since %v): lag missing, want a sample; timeline %+v", after, up, v.Timeline)
	}
}
