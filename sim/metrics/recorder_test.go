package metrics

import (
	"errors"
	"math"
	"testing"
	"time"

	hdr "github.com/HdrHistogram/hdrhistogram-go"

	"github.com/faultline-sim/faultline/reports/result"
)

const ms = time.Millisecond

// req is one request as the generator reports it; sent false means dropped,
// done false means still in flight at Fill.
type req struct {
	at      time.Duration
	sent    bool
	lag     time.Duration
	done    bool
	latency time.Duration
	o       Outcome
}

func play(r *Recorder, reqs []req) {
	for _, q := range reqs {
		r.Offered(q.at)
		if !q.sent {
			if q.done { // a caller that reports the drop itself
				r.Record(q.at, q.latency, q.o)
			}
			continue
		}
		r.Sent(q.at, q.lag)
		if q.done {
			r.Record(q.at, q.latency, q.o)
		}
	}
}

func ok(at, latency time.Duration) req {
	return req{at: at, sent: true, done: true, latency: latency, o: OK}
}

func fail(at, latency time.Duration, o Outcome) req {
	return req{at: at, sent: true, done: true, latency: latency, o: o}
}

func TestRecorderFill(t *testing.T) {
	tests := []struct {
		name       string
		window     time.Duration
		fillWindow time.Duration
		reqs       []req
		want       result.Requests
		wantAvail  float64
		wantSecs   []result.Second // Second, Offered, Succeeded, Failed only
		wantBehind bool
	}{
		{
			name:   "empty",
			window: 2 * time.Second, fillWindow: 2 * time.Second,
			want:     result.Requests{},
			wantSecs: []result.Second{{Second: 0}, {Second: 1}},
		},
		{
			name:   "outcomes by kind and second",
			window: 3 * time.Second, fillWindow: 3 * time.Second,
			reqs: []req{
				ok(0, 5*ms), ok(999*ms, 7*ms),
				fail(1000*ms, 30*ms, Timeout), ok(1500*ms, 2*ms),
				fail(2100*ms, 1*ms, Unavailable), fail(2200*ms, 1*ms, Internal), fail(2300*ms, 1*ms, Rejected),
			},
			want: result.Requests{Offered: 7, Sent: 7, Succeeded: 3, Failed: 4,
				Errors: map[string]int64{"timeout": 1, "unavailable": 1, "internal": 1, "rejected": 1}},
			wantAvail: 3.0 / 7,
			wantSecs: []result.Second{
				{Second: 0, Offered: 2, Succeeded: 2},
				{Second: 1, Offered: 2, Succeeded: 1, Failed: 1},
				{Second: 2, Offered: 3, Failed: 3},
			},
		},
		{
			name:   "dropped and unfinished keep succeeded+failed == offered",
			window: 1 * time.Second, fillWindow: 1 * time.Second,
			reqs: []req{
				ok(10*ms, 1*ms),
				{at: 20 * ms},                         // never sent
				{at: 30 * ms},                         // never sent
				{at: 40 * ms, sent: true},             // still in flight
				fail(50*ms, 900*ms, Aborted),          // cut off
				{at: 60 * ms, o: Dropped, done: true}, // never sent; Record(Dropped) is not counted twice
			},
			want: result.Requests{Offered: 6, Sent: 3, Succeeded: 1, Failed: 5,
				Errors: map[string]int64{"dropped": 3, "aborted": 2}},
			wantAvail: 1.0 / 6,
			wantSecs:  []result.Second{{Second: 0, Offered: 6, Succeeded: 1, Failed: 5}},
			// 3 of 6 sent: behind.
			wantBehind: true,
		},
		{
			name:   "warm-up offsets ignored, late offsets in the last second",
			window: 2 * time.Second, fillWindow: 2 * time.Second,
			reqs:      []req{ok(-1*ms, 1*ms), ok(5*time.Second, 1*ms)},
			want:      result.Requests{Offered: 1, Sent: 1, Succeeded: 1},
			wantAvail: 1,
			wantSecs:  []result.Second{{Second: 0}, {Second: 1, Offered: 1, Succeeded: 1}},
		},
		{
			name:   "interrupted run fills a shorter timeline",
			window: 5 * time.Second, fillWindow: 1500 * ms,
			reqs:      []req{ok(100*ms, 1*ms), ok(1100*ms, 1*ms)},
			want:      result.Requests{Offered: 2, Sent: 2, Succeeded: 2},
			wantAvail: 1,
			wantSecs:  []result.Second{{Second: 0, Offered: 1, Succeeded: 1}, {Second: 1, Offered: 1, Succeeded: 1}},
		},
		{
			name:   "late sends make it behind",
			window: 1 * time.Second, fillWindow: 1 * time.Second,
			reqs:       []req{{at: 0, sent: true, lag: 50 * ms, done: true, latency: 60 * ms}},
			want:       result.Requests{Offered: 1, Sent: 1, Succeeded: 1},
			wantAvail:  1,
			wantSecs:   []result.Second{{Second: 0, Offered: 1, Succeeded: 1}},
			wantBehind: true,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := NewRecorder(tt.window, 10*time.Second)
			play(r, tt.reqs)
			var v result.Variant
			r.Fill(&v, tt.fillWindow)

			got := v.Requests
			if got.Offered != tt.want.Offered || got.Sent != tt.want.Sent ||
				got.Succeeded != tt.want.Succeeded || got.Failed != tt.want.Failed {
				t.Errorf("requests = %+v, want %+v", got, tt.want)
			}
			if got.Succeeded+got.Failed != got.Offered {
				t.Errorf("succeeded %d + failed %d != offered %d", got.Succeeded, got.Failed, got.Offered)
			}
			for o := OK + 1; o < NumOutcomes; o++ {
				c, present := got.Errors[o.String()]
				if !present {
					t.Errorf("Errors has no %q", o)
				}
				if c != tt.want.Errors[o.String()] {
					t.Errorf("Errors[%q] = %d, want %d", o, c, tt.want.Errors[o.String()])
				}
			}
			if len(got.Errors) != int(NumOutcomes)-1 {
				t.Errorf("Errors has %d kinds: %v", len(got.Errors), got.Errors)
			}
			if math.Abs(v.Availability-tt.wantAvail) > 1e-12 {
				t.Errorf("availability = %v, want %v", v.Availability, tt.wantAvail)
			}
			if v.Generator.Behind != tt.wantBehind {
				t.Errorf("behind = %v, want %v", v.Generator.Behind, tt.wantBehind)
			}
			if len(v.Timeline) != len(tt.wantSecs) {
				t.Fatalf("timeline has %d seconds, want %d", len(v.Timeline), len(tt.wantSecs))
			}
			for i, w := range tt.wantSecs {
				s := v.Timeline[i]
				if s.Second != w.Second || s.Offered != w.Offered || s.Succeeded != w.Succeeded || s.Failed != w.Failed {
					t.Errorf("second %d = %+v, want %+v", i, s, w)
				}
				if s.ActiveFaults == nil {
					t.Errorf("second %d: ActiveFaults is nil, want empty", i)
				}
			}
		})
	}
}

func TestRecorderLatencyAndRates(t *testing.T) {
	r := NewRecorder(2*time.Second, time.Second)
	for i := range 100 {
		at := time.Duration(i) * 10 * ms // 100 requests over the first second
		r.Offered(at)
		r.Sent(at, 0)
		r.Record(at, time.Duration(i+1)*ms, OK) // 1..100 ms
	}
	r.Offered(1500 * ms)
	r.Sent(1500*ms, 0)
	r.Record(1500*ms, time.Hour, Timeout) // above maxLatency: clamped, not dropped
	r.InFlight(3)
	r.InFlight(7)
	r.InFlight(2)

	var v result.Variant
	r.Fill(&v, 2*time.Second)

	if v.OfferedRPS != 50.5 || v.AchievedRPS != 50.5 || v.ThroughputRPS != 50 {
		t.Errorf("rates offered %v achieved %v throughput %v, want 50.5 50.5 50", v.OfferedRPS, v.AchievedRPS, v.ThroughputRPS)
	}
	// 3 significant digits: values are within 0.1%.
	near := func(got, want float64) bool { return math.Abs(got-want) <= want*0.001+0.001 }
	if !near(v.Timeline[0].P50MS, 50) || !near(v.Timeline[0].P99MS, 99) {
		t.Errorf("second 0 p50 %v p99 %v, want 50 99", v.Timeline[0].P50MS, v.Timeline[0].P99MS)
	}
	if !near(v.Timeline[1].P50MS, 1000) {
		t.Errorf("second 1 p50 %v, want clamped 1000", v.Timeline[1].P50MS)
	}
	if !near(v.LatencyMS.Max, 1000) || !near(v.LatencyMS.P50, 51) {
		t.Errorf("latency %+v, want p50 51 max 1000", v.LatencyMS)
	}
	if v.Generator.MaxInFlight != 7 {
		t.Errorf("max in flight %d, want 7", v.Generator.MaxInFlight)
	}
	if v.Generator.Behind {
		t.Errorf("behind with no lag and everything sent")
	}
	h, err := hdr.Decode([]byte(v.Histograms.Latency))
	if err != nil {
		t.Fatalf("decode latency histogram: %v", err)
	}
	if h.TotalCount() != 101 {
		t.Errorf("encoded histogram holds %d values, want 101", h.TotalCount())
	}
	if sent, succeeded, failed := r.Progress(); sent != 101 || succeeded != 100 || failed != 1 {
		t.Errorf("progress = %d %d %d, want 101 100 1", sent, succeeded, failed)
	}
}

func TestRecorderConsumerLagAndFaults(t *testing.T) {
	r := NewRecorder(2*time.Second, time.Second)
	r.ConsumerLag(100*ms, 5)
	r.ConsumerLag(900*ms, 40)
	r.ConsumerLag(950*ms, 12)
	r.ConsumerLag(-ms, 1000) // warm-up: ignored
	r.ActiveFault(1200*ms, "crash payment")
	r.ActiveFault(1800*ms, "crash payment")
	r.ActiveFault(1900*ms, "latency order→payment")

	var v result.Variant
	r.Fill(&v, 2*time.Second)
	if v.Timeline[0].ConsumerLag != 40 || v.Timeline[1].ConsumerLag != 0 {
		t.Errorf("consumer lag %d %d, want 40 0", v.Timeline[0].ConsumerLag, v.Timeline[1].ConsumerLag)
	}
	// Second 1 had no sample: its 0 is no measurement.
	if v.Timeline[0].LagMissing || !v.Timeline[1].LagMissing {
		t.Errorf("lag missing %v %v, want false true", v.Timeline[0].LagMissing, v.Timeline[1].LagMissing)
	}
	if len(v.Timeline[0].ActiveFaults) != 0 {
		t.Errorf("second 0 faults %v, want none", v.Timeline[0].ActiveFaults)
	}
	if got := v.Timeline[1].ActiveFaults; len(got) != 2 || got[0] != "crash payment" || got[1] != "latency order→payment" {
		t.Errorf("second 1 faults %q", got)
	}
}

func TestRecorderZeroWindow(t *testing.T) {
	r := NewRecorder(0, 0)
	r.Offered(0)
	var v result.Variant
	r.Fill(&v, 0)
	if v.Timeline == nil || len(v.Timeline) != 0 {
		t.Errorf("timeline %v, want empty non-nil", v.Timeline)
	}
	if v.OfferedRPS != 0 || v.Requests.Offered != 1 || v.Availability != 0 {
		t.Errorf("offered %d rps %v availability %v", v.Requests.Offered, v.OfferedRPS, v.Availability)
	}
}

func TestRecorderErrorSamplesKeepFirstPerKind(t *testing.T) {
	r := NewRecorder(time.Second, time.Second)
	r.Error(Timeout, errors.New("first timeout"))
	r.Error(Timeout, errors.New("second timeout"))
	r.Error(Unavailable, errors.New("refused"))
	r.Error(Internal, nil)
	var v result.Variant
	r.Fill(&v, time.Second)
	want := map[string]string{"timeout": "first timeout", "unavailable": "refused"}
	if len(v.Requests.ErrorSamples) != len(want) {
		t.Fatalf("samples %v, want %v", v.Requests.ErrorSamples, want)
	}
	for k, msg := range want {
		if v.Requests.ErrorSamples[k] != msg {
			t.Errorf("sample %s = %q, want %q", k, v.Requests.ErrorSamples[k], msg)
		}
	}
}

func TestRecorderWindowMergesSeconds(t *testing.T) {
	r := NewRecorder(5*time.Second, time.Second)
	for sec := range 5 {
		at := time.Duration(sec)*time.Second + 100*ms
		for i := range 10 {
			r.Offered(at)
			r.Sent(at, 0)
			o := OK
			if sec == 2 && i < 5 {
				o = Unavailable
			}
			r.Record(at, time.Duration(sec+1)*10*ms, o)
		}
	}
	w := r.Window(2*time.Second, 3*time.Second)
	if w == nil || w.Offered != 10 || w.Succeeded != 5 || w.Availability != 0.5 || w.FromS != 2 || w.ToS != 3 {
		t.Fatalf("window [2s,3s) = %+v", w)
	}
	if w.P99MS < 29 || w.P99MS > 31 {
		t.Errorf("p99 %v ms, want ~30", w.P99MS)
	}
	all := r.Window(-time.Second, time.Minute) // clipped to the window
	if all.Offered != 50 || all.ToS != 5 || all.FromS != 0 || all.ThroughputRPS != 45.0/5 {
		t.Errorf("clipped window = %+v", all)
	}
	if r.Window(-3*time.Second, 0) != nil || r.Window(6*time.Second, 8*time.Second) != nil {
		t.Error("a window outside the recording is not nil")
	}
}

// A lag sample that failed leaves its second missing, not 0; a variant
// that never samples lag (no broker) has no missing seconds.
func TestRecorderConsumerLagFailedIsMissing(t *testing.T) {
	r := NewRecorder(3*time.Second, time.Second)
	r.ConsumerLag(100*ms, 151)
	r.ConsumerLagFailed()
	r.ConsumerLag(2100*ms, 600)
	var v result.Variant
	r.Fill(&v, 3*time.Second)
	got := []bool{v.Timeline[0].LagMissing, v.Timeline[1].LagMissing, v.Timeline[2].LagMissing}
	if got[0] || !got[1] || got[2] {
		t.Errorf("lag missing per second %v, want [false true false]", got)
	}
	none := NewRecorder(2*time.Second, time.Second)
	var w result.Variant
	none.Fill(&w, 2*time.Second)
	for _, s := range w.Timeline {
		if s.LagMissing {
			t.Errorf("second %d missing lag in a variant that never samples it", s.Second)
		}
	}
}

// A window's backlog is the largest and mean per-second sample over the
// seconds that have one; seconds whose samples failed are left out (not
// averaged in as 0), and a variant that never samples lag has none.
func TestRecorderWindowConsumerLag(t *testing.T) {
	r := NewRecorder(4*time.Second, time.Second)
	r.ConsumerLag(100*ms, 10)
	r.ConsumerLag(900*ms, 30) // the second keeps its largest sample
	r.ConsumerLagFailed()     // second 1: missing
	r.ConsumerLag(2100*ms, 600)
	r.ConsumerLag(3100*ms, 0)
	w := r.Window(0, 3*time.Second)
	if w.ConsumerLag == nil || *w.ConsumerLag != (result.WindowLag{Seconds: 2, Missing: 1, Max: 600, Mean: 315}) {
		t.Errorf("lag over [0 s, 3 s) = %+v, want 2 seconds (1 missing), max 600, mean 315", w.ConsumerLag)
	}
	if w := r.Window(time.Second, 2*time.Second); w.ConsumerLag == nil || w.ConsumerLag.Seconds != 0 || w.ConsumerLag.Missing != 1 {
		t.Errorf("lag over a missing second = %+v", w.ConsumerLag)
	}
	if w := NewRecorder(2*time.Second, time.Second).Window(0, time.Second); w.ConsumerLag != nil {
		t.Errorf("lag of a variant that never samples it: %+v", w.ConsumerLag)
	}
}
