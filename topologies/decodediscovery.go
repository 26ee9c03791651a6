package topologies

// DefaultBalancer is the balancer when discovery leaves it out.
const DefaultBalancer = BalanceRoundRobin

var (
	discoveryKeys = []string{"balancer", "detection_delay", "refresh", "outlier"}
	outlierKeys   = []string{"consecutive_failures", "eject_for"}
)

// decodeDiscovery decodes the discovery mapping; left-out keys keep their
// defaults (round robin, no detection delay, no refresh, no outlier
// ejection).
func decodeDiscovery(d *Decoder, n Node) Discovery {
	ds := Discovery{Balancer: DefaultBalancer, Line: n.Line}
	m, _ := d.Mapping(n, discoveryKeys...)
	setString(d, m, "balancer", &ds.Balancer)
	Set(d.Duration, m, "detection_delay", &ds.DetectionDelay)
	Set(d.Duration, m, "refresh", &ds.Refresh)
	if f, ok := m["outlier"]; ok {
		ds.Outlier = decodeOutlier(d, f)
	}
	return ds
}

// decodeOutlier decodes outlier ejection, whose two keys are required.
func decodeOutlier(d *Decoder, n Node) *Outlier {
	o := &Outlier{Line: n.Line}
	m, ok := d.Mapping(n, outlierKeys...)
	if !ok {
		return o
	}
	setRequired(d, d.Int, n, m, "consecutive_failures", &o.ConsecutiveFailures, "the failed calls in a row that eject a replica")
	setRequired(d, d.Duration, n, m, "eject_for", &o.EjectFor, "how long an ejected replica stays out")
	return o
}
