package topologies

// discovery checks the balancer, the registry's delays and outlier
// ejection.
func (v *validator) discovery() {
	ds := &v.t.Discovery
	at := func(key string) int { return v.line(ds.Line, "discovery."+key, "discovery") }
	switch ds.Balancer {
	case BalanceRoundRobin, BalanceLeastOutstanding, BalanceP2C:
	default:
		v.fail(at("balancer"), "discovery.balancer", "unknown balancer %q (%s, %s or %s)",
			ds.Balancer, BalanceRoundRobin, BalanceLeastOutstanding, BalanceP2C)
	}
	if ds.DetectionDelay < 0 {
		v.fail(at("detection_delay"), "discovery.detection_delay", "must not be negative (0: at once), got %s", ds.DetectionDelay)
	}
	if ds.Refresh < 0 {
		v.fail(at("refresh"), "discovery.refresh", "must not be negative (0: every call), got %s", ds.Refresh)
	}
	if o := ds.Outlier; o != nil {
		oat := func(key string) int {
			return v.line(o.Line, "discovery.outlier."+key, "discovery.outlier", "discovery")
		}
		if o.ConsecutiveFailures < 1 {
			v.fail(oat("consecutive_failures"), "discovery.outlier.consecutive_failures", "must be at least 1, got %d", o.ConsecutiveFailures)
		}
		if o.EjectFor <= 0 {
			v.fail(oat("eject_for"), "discovery.outlier.eject_for", "must be positive, got %s", o.EjectFor)
		}
	}
}
