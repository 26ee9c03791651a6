// Package metrics turns what the load generator and the event consumers see
// into the numbers of a result.Variant:
//
//	generator ──Offered/Sent/Record──► Recorder ──Fill──► requests, latency, timeline
//	publishers/consumers ──Publishing/Acked/Processed──► Ledger ──Fill──► events, completion
//
// Both collectors only count and record into HdrHistograms (microsecond
// resolution, 3 significant digits); statistics are computed once, in Fill.
// Percentiles of different windows are never averaged: histograms are merged.
package metrics
