package reports

import (
	"fmt"
	"slices"
	"strings"

	"github.com/faultline-sim/faultline/reports/result"
)

// Mismatch is one way a baseline's configuration differs from the current
// run's, which makes their measurements incomparable.
type Mismatch struct {
	// Key names what differs: rate, rate_to, duration, warmup, drain,
	// timeout, max_in_flight, arrival, steps, burst, topology, faults,
	// seed_policy, cpus or go_version.
	Key string
	// Text says what differs, with both values.
	Text string
	// Unknown is true when one side does not record the value (results
	// written before it was recorded): nothing is known to differ, so it is
	// a note, never a refusal.
	Unknown bool
}

// MismatchKeys lists every Mismatch.Key, in the order CompareConfig reports
// them.
var MismatchKeys = []string{"rate", "rate_to", "duration", "warmup", "drain", "timeout", "max_in_flight",
	"arrival", "steps", "burst", "topology", "faults", "seed_policy", "cpus", "go_version"}

// CompareConfig lists how baseline's configuration differs from current's:
// the load (rate, duration, warm-up, drain, timeout, in-flight bound, arrival
// process, steps, burst), each common variant's topology (its name, and
// its content digest when both sides record one), the faults applied (name,
// kind and times per variant, and the digest of every parameter when both
// sides record one), the seed policy, the CPU count and the Go version.
// The seed itself and the repetition count may differ. It returns nil when
// nothing differs.
func CompareConfig(current, baseline *result.Result) []Mismatch {
	var out []Mismatch
	differ := func(key, format string, b, c any) {
		if fmt.Sprint(b) != fmt.Sprint(c) {
			out = append(out, Mismatch{Key: key, Text: fmt.Sprintf("%s: baseline "+format+", current "+format, key, b, c)})
		}
	}
	bc, cc := baseline.Config, current.Config
	differ("rate", "%v/s", bc.RateRPS, cc.RateRPS)
	differ("rate_to", "%v/s", bc.RateTo, cc.RateTo)
	differ("duration", "%vs", bc.DurationS, cc.DurationS)
	differ("warmup", "%vs", bc.WarmupS, cc.WarmupS)
	differ("drain", "%vs", bc.DrainS, cc.DrainS)
	differ("timeout", "%vms", bc.TimeoutMS, cc.TimeoutMS)
	differ("max_in_flight", "%v", bc.MaxInFlight, cc.MaxInFlight)
	differ("arrival", "%q", bc.Arrival, cc.Arrival)
	differ("steps", "%s", stepsText(bc.Steps), stepsText(cc.Steps))
	differ("burst", "%s", burstText(bc.Burst), burstText(cc.Burst))

	base := map[string][]*result.Variant{}
	for _, g := range ByVariant(baseline) {
		base[g[0].Name] = g
	}
	for _, cur := range ByVariant(current) {
		b, ok := base[cur[0].Name]
		if !ok {
			continue
		}
		name := cur[0].Name
		if b[0].Topology != cur[0].Topology {
			out = append(out, Mismatch{Key: "topology", Text: fmt.Sprintf("topology of %s: baseline %q, current %q", name, b[0].Topology, cur[0].Topology)})
		} else if bh, ch := topologyDigest(b), topologyDigest(cur); bh == "" || ch == "" {
			out = append(out, Mismatch{Key: "topology", Unknown: true, Text: fmt.Sprintf("topology of %s: %s; only its name (%q) was compared", name, lacks(bh == "", ch == "", "content digest"), cur[0].Topology)})
		} else if bh != ch {
			out = append(out, Mismatch{Key: "topology", Text: fmt.Sprintf("topology of %s (%q): content differs (sha256 baseline %.12s…, current %.12s…)", name, cur[0].Topology, bh, ch)})
		}
		if bf, cf := faultsText(ran(b)), faultsText(ran(cur)); bf != cf {
			out = append(out, Mismatch{Key: "faults", Text: fmt.Sprintf("faults of %s: baseline %s; current %s", name, bf, cf)})
		}
	}
	switch bh, ch := bc.FaultsSHA256, cc.FaultsSHA256; {
	case bh == "" || ch == "":
		out = append(out, Mismatch{Key: "faults", Unknown: true, Text: fmt.Sprintf("faults: %s; only their names, kinds and times were compared", lacks(bh == "", ch == "", "digest of the faults' parameters"))})
	case bh != ch && !slices.ContainsFunc(out, func(m Mismatch) bool { return m.Key == "faults" }):
		out = append(out, Mismatch{Key: "faults", Text: fmt.Sprintf("faults: same names and times, but their parameters differ (sha256 baseline %.12s…, current %.12s…)", bh, ch)})
	}
	switch bp, cp := bc.SeedPolicy, cc.SeedPolicy; {
	case bp == "" || cp == "":
		out = append(out, Mismatch{Key: "seed_policy", Unknown: true, Text: fmt.Sprintf("seed_policy: %s (results written before repetitions had their own seeds: every repetition used the run's seed)", lacks(bp == "", cp == "", "seed policy"))})
	case bp != cp:
		differ("seed_policy", "%q", bp, cp)
	}
	differ("cpus", "%v", baseline.Environment.CPUs, current.Environment.CPUs)
	differ("go_version", "%s", baseline.Environment.GoVersion, current.Environment.GoVersion)
	slices.SortStableFunc(out, func(a, b Mismatch) int {
		return slices.Index(MismatchKeys, a.Key) - slices.Index(MismatchKeys, b.Key)
	})
	return out
}

// lacks says which side lacks what.
func lacks(baseline, current bool, what string) string {
	switch {
	case baseline && current:
		return "neither side records a " + what
	case baseline:
		return "the baseline records no " + what
	}
	return "the current run records no " + what
}

// topologyDigest is the first digest any repetition records ("" if none).
func topologyDigest(g []*result.Variant) string {
	for _, v := range g {
		if v.TopologySHA256 != "" {
			return v.TopologySHA256
		}
	}
	return ""
}

// ran is the first repetition that ran without error (its faults were
// applied), or the first one.
func ran(g []*result.Variant) *result.Variant {
	for _, v := range g {
		if v.Error == "" {
			return v
		}
	}
	return g[0]
}

func faultsText(v *result.Variant) string {
	if len(v.Faults) == 0 {
		return "none"
	}
	var parts []string
	for _, f := range v.Faults {
		parts = append(parts, fmt.Sprintf("%s (%s at %gs for %gs)", f.Name, f.Kind, f.AtS, f.ForS))
	}
	return strings.Join(parts, ", ")
}

func stepsText(steps []result.RateStep) string {
	if len(steps) == 0 {
		return "none"
	}
	var parts []string
	for _, s := range steps {
		parts = append(parts, fmt.Sprintf("%v/s at %vs", s.RateRPS, s.AtS))
	}
	return strings.Join(parts, ", ")
}

func burstText(b *result.RateBurst) string {
	if b == nil {
		return "none"
	}
	return fmt.Sprintf("%v/s at %vs for %vs", b.RateRPS, b.AtS, b.ForS)
}

// Coverage lists what makes the current run unfit to pass the gate, each a
// reason: the run was interrupted; a baseline variant is missing from it;
// a repetition of a variant failed (Variant.Error); or a variant has fewer
// repetitions that ran without error than required: minRepeat when > 0,
// else as many as the baseline has of that variant. Added lists the
// variants only the current run has (reported, not gated).
func Coverage(current, baseline *result.Result, minRepeat int) (failures, added []string) {
	if current.Interrupted {
		failures = append(failures, "the current run was interrupted")
	}
	cur := map[string][]*result.Variant{}
	for _, g := range ByVariant(current) {
		cur[g[0].Name] = g
	}
	inBase := map[string]bool{}
	for _, b := range ByVariant(baseline) {
		name := b[0].Name
		inBase[name] = true
		c, ok := cur[name]
		if !ok {
			failures = append(failures, fmt.Sprintf("variant %s: missing from the current run (the baseline has it)", name))
			continue
		}
		good := 0
		for _, v := range c {
			if v.Error != "" {
				failures = append(failures, fmt.Sprintf("variant %s failed: %s", v.Label(), v.Error))
				continue
			}
			good++
		}
		need, why := len(b), "as many as the baseline"
		if minRepeat > 0 {
			need, why = minRepeat, "--min-repeat"
		}
		if good < need {
			failures = append(failures, fmt.Sprintf("variant %s: %d repetition(s) ran without error, %d required (%s)", name, good, need, why))
		}
	}
	for _, g := range ByVariant(current) {
		if !inBase[g[0].Name] {
			added = append(added, fmt.Sprintf("variant %s: new in the current run, not in the baseline: not gated", g[0].Name))
		}
	}
	return failures, added
}
