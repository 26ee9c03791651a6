// Package load drives a target with open-loop load: requests are scheduled
// at intended times by a Pacer and sent whether or not earlier ones have
// answered, and latency is measured from the intended time, so a stalled
// system cannot hide its stall (no coordinated omission).
//
//	Pacer.At(n) ──► scheduler (one goroutine, one reused timer)
//	                   │ job{n, intended}         Offered
//	                   ▼
//	             worker pool (grows up to MaxInFlight)
//	                   │ Sent(lag) ─► Target(ctx, n, intended) ─► Record(latency, outcome)
//	                   ▼
//	             metrics.Recorder
//
// The generator computes no statistics; it reports to a metrics.Recorder.
package load
