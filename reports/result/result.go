// Package result is the results data model: the schema of results.json
// (Result and the types it holds), reading and writing results files, the
// metrics expectations and gates name, and the one list of measures the
// terminal table, the report's summary and the benchmark formats show.
// Packages that run simulations import it to record what they measured;
// rendering (tables, reports, plots, gates) lives in package reports. It
// formats numbers as text but draws nothing: no plots, templates, HTML or
// Markdown, and it imports neither NATS nor Connect.
package result

import (
	"fmt"
	"time"
)

// Schema is the value of Result.Schema for this version of the format.
// Adding fields keeps the version; renaming or removing one bumps it, and
// so does a new kind of variant: v2 added the consistency block of stateful
// variants (Variant.Consistency, Histograms.TimeToConsistency), so a binary
// that reads only v1 says to upgrade rather than failing on its first
// unknown field. ReadFile reads v1 files too.
const Schema = "faultline.result/v2"

// SchemaV1 is the schema of results written before the consistency block:
// ReadFile still reads them (they have no consistency block).
const SchemaV1 = "faultline.result/v1"

// Result is the content of results.json: one scenario run, every variant.
type Result struct {
	Schema      string      `json:"schema"`
	Scenario    string      `json:"scenario"`
	Description string      `json:"description,omitempty"`
	File        string      `json:"file,omitempty"`
	Seed        uint64      `json:"seed"`
	StartedAt   time.Time   `json:"started_at"`
	FinishedAt  time.Time   `json:"finished_at"`
	Interrupted bool        `json:"interrupted"`
	Environment Environment `json:"environment"`
	Config      RunConfig   `json:"config"`
	// Command is the command line that reproduces the run (same seed).
	Command  string    `json:"command,omitempty"`
	Variants []Variant `json:"variants"`
	// Expectations are the scenario's expectations, checked, in file order
	// and per variant.
	Expectations []Expectation `json:"expectations"`
	// Baseline, when set, says why and from what this file was made a
	// gate's baseline (faultline gate --update).
	Baseline *BaselineInfo `json:"baseline,omitempty"`
}

// Environment records where the run happened.
type Environment struct {
	GoVersion string            `json:"go_version"`
	GOOS      string            `json:"goos"`
	GOARCH    string            `json:"goarch"`
	CPUs      int               `json:"cpus"`
	Modules   map[string]string `json:"modules"`
}

// RunConfig records the load settings the variants ran with (after flags).
type RunConfig struct {
	Arrival     string  `json:"arrival"`
	RateRPS     float64 `json:"rate_rps"`
	DurationS   float64 `json:"duration_s"`
	WarmupS     float64 `json:"warmup_s"`
	DrainS      float64 `json:"drain_s"`
	TimeoutMS   float64 `json:"timeout_ms"`
	MaxInFlight int     `json:"max_in_flight"`
	// Repeat is how many times each variant ran (--repeat); 0 or 1: once.
	Repeat int `json:"repeat,omitempty"`
	// A shaped load's RateRPS is its base rate: where a ramp starts, the
	// rate until the first step, the rate outside the burst. RateTo is the
	// rate a ramp reaches at the end of the load; Steps and Burst are the
	// rate changes of a steps load and the window of a burst load.
	RateTo float64    `json:"rate_to,omitempty"`
	Steps  []RateStep `json:"steps,omitempty"`
	Burst  *RateBurst `json:"burst,omitempty"`
	// SeedPolicy says how repetitions were seeded: SeedPerRepetition
	// (repetition k ran with Result.Seed+k-1, recorded in Variant.Seed).
	// "" in results written before it was recorded: unknown (those
	// repetitions all ran with Result.Seed).
	SeedPolicy string `json:"seed_policy,omitempty"`
	// FaultsSHA256 is the hex SHA-256 of the scenario's fault timeline as
	// decoded (every kind, time and parameter; file positions left out);
	// "" when the results predate it. Equal digests: the same faults.
	FaultsSHA256 string `json:"faults_sha256,omitempty"`
}

// SeedPerRepetition is RunConfig.SeedPolicy when repetition k (from 1) of
// every variant ran with the seed Result.Seed+k-1; a single run uses
// Result.Seed.
const SeedPerRepetition = "seed+repetition-1"

// RateStep is one rate change of a steps load, AtS seconds from the start
// of the load (warm-up included).
type RateStep struct {
	AtS     float64 `json:"at_s"`
	RateRPS float64 `json:"rate_rps"`
}

// RateBurst is the window of a burst load: RateRPS from AtS seconds after
// the start of the load (warm-up included) for ForS seconds.
type RateBurst struct {
	AtS     float64 `json:"at_s"`
	ForS    float64 `json:"for_s"`
	RateRPS float64 `json:"rate_rps"`
}

// Variant is the measured outcome of one design under the scenario.
type Variant struct {
	Name string `json:"name"`
	// Repetition numbers the variant's runs from 1 when the scenario ran
	// several times (--repeat); 0 when it ran once. Repetitions of a
	// variant share its Name.
	Repetition int `json:"repetition,omitempty"`
	// Seed is the seed this run of the variant used (see
	// RunConfig.SeedPolicy); 0 in results that predate it.
	Seed     uint64 `json:"seed,omitempty"`
	Topology string `json:"topology"`
	// TopologySHA256 is the hex SHA-256 of the variant's topology as
	// decoded (every service, call, policy and consumer with its values;
	// file positions and comments left out): equal digests, the same
	// topology. "" when the results predate it.
	TopologySHA256 string `json:"topology_sha256,omitempty"`
	// EventDriven is true when the entry path publishes events, so the
	// operation completes after the client is answered.
	EventDriven bool   `json:"event_driven"`
	Wire        string `json:"wire"`
	// WindowS is the recorded window in seconds: the scenario's duration,
	// or less when the run was interrupted.
	WindowS  float64  `json:"window_s"`
	Requests Requests `json:"requests"`
	// Availability is succeeded/offered over the recorded window, 0..1.
	Availability float64 `json:"availability"`
	// OfferedRPS is the scheduled rate; AchievedRPS the rate requests were
	// actually sent at; ThroughputRPS the rate of successes. All over the
	// recorded window.
	OfferedRPS    float64 `json:"offered_rps"`
	AchievedRPS   float64 `json:"achieved_rps"`
	ThroughputRPS float64 `json:"throughput_rps"`
	// Generator describes how well the load generator kept its schedule.
	Generator Generator `json:"generator"`
	// Harness is the process's own health over the recorded window.
	Harness *Harness `json:"harness,omitempty"`
	// LatencyMS is client-observed latency from each request's intended send
	// time, successes and failures alike, over the recorded window.
	LatencyMS Percentiles `json:"latency_ms"`
	// CompletionMS is, for event-driven variants, the time from an
	// operation's intended send time until every subscriber processed every
	// event it caused; nil when none completed in the recorded window (see
	// Variant.Completion). Completed counts such operations.
	CompletionMS *Percentiles `json:"completion_ms,omitempty"`
	Completed    int64        `json:"completed"`
	Events       Events       `json:"events"`
	Timeline     []Second     `json:"timeline"`
	Faults       []Fault      `json:"faults"`
	// Consistency is, for a stateful variant, what the checker found in
	// its stores; nil for stateless variants (and in v1 files).
	Consistency *Consistency `json:"consistency,omitempty"`
	// Edges are the synchronous call edges (gateway → entry included),
	// over the recorded window, in topology order.
	Edges []Edge `json:"edges,omitempty"`
	// Ejections counts the times a caller (the gateway or a replica) ejected
	// a replica from its choices (passive outlier detection), over the run.
	Ejections int64 `json:"ejections,omitempty"`
	// Breakers lists every circuit breaker state change, in time order.
	Breakers []BreakerChange `json:"breakers,omitempty"`
	// Histograms are HdrHistogram V2 compressed, base64 (hdrhistogram-go
	// Encode), values in microseconds, so results can be merged.
	Histograms Histograms `json:"histograms"`
	// Error is set when the variant could not be run at all.
	Error string `json:"error,omitempty"`
	// HarnessErrors counts the times the harness itself ran out of a
	// resource while the variant ran: dials and accepts anywhere in its
	// world that failed with EMFILE, ENFILE, EADDRNOTAVAIL, ENOMEM or
	// ENOBUFS. See HarnessFailed.
	HarnessErrors int64 `json:"harness_errors,omitempty"`
}

// HarnessFailed reports whether the harness ran out of a resource during
// the variant (HarnessErrors, or requests failed as "harness"): the
// variant is invalid, as one whose generator fell behind is, since some of
// what it measured are the harness's failures, not the system's.
func (v *Variant) HarnessFailed() bool {
	return v.HarnessErrors > 0 || v.Requests.Errors["harness"] > 0
}

// Label names the variant in tables: its name, and "#k" for repetition k.
func (v *Variant) Label() string {
	if v.Repetition > 0 {
		return fmt.Sprintf("%s #%d", v.Name, v.Repetition)
	}
	return v.Name
}

// Requests counts client requests over the recorded window. Succeeded +
// Failed = Offered.
type Requests struct {
	Offered   int64 `json:"offered"`
	Sent      int64 `json:"sent"`
	Succeeded int64 `json:"succeeded"`
	Failed    int64 `json:"failed"`
	// Errors by kind: timeout, unavailable, rejected, breaker_open, internal,
	// aborted (cut off by the end of the drain or Ctrl-C), dropped (never
	// sent: the generator was behind), other, harness (the harness itself
	// ran out of descriptors, ports or memory at some hop: see
	// Variant.HarnessErrors).
	Errors map[string]int64 `json:"errors"`
	// ErrorSamples holds the first error message seen per kind.
	ErrorSamples map[string]string `json:"error_samples,omitempty"`
}

// ErrorKinds lists the error kinds of Requests.Errors in display order.
// "harness" is a failure of the harness itself (it ran out of descriptors,
// ports or memory), never the system's.
var ErrorKinds = []string{"timeout", "unavailable", "rejected", "breaker_open", "internal", "aborted", "dropped", "other", "harness"}

// Generator reports schedule keeping.
type Generator struct {
	// Behind is true when the generator could not keep its schedule:
	// achieved < 99% of offered, or sends were late by more than the
	// tolerance at p99.
	Behind bool `json:"behind"`
	// SendLagMS is how late requests left relative to their intended time.
	SendLagMS Percentiles `json:"send_lag_ms"`
	// MaxInFlight is the most requests outstanding at once.
	MaxInFlight int64 `json:"max_in_flight"`
}

// Harness is the process's own health over the recorded window, from the
// Go runtime: every part of a variant shares the same CPUs, so a
// scheduling delay here is in every latency measured.
type Harness struct {
	// SchedLatencyMS is how long runnable goroutines waited to run
	// (runtime bucket upper bounds, so never below the truth).
	SchedLatencyMS Percentiles `json:"sched_latency_ms"`
	// GCPauseMS is the distribution of the GC's stop-the-world pauses;
	// GCCycles counts completed GC cycles.
	GCPauseMS Percentiles `json:"gc_pause_ms"`
	GCCycles  int64       `json:"gc_cycles"`
	// CPUBusy is the share of the process's available CPU time in use
	// (the runtime's estimate), 0 to 1.
	CPUBusy float64 `json:"cpu_busy"`
	// CPUWaitShare is the share of the time the process's threads were
	// ready to run but waited for a CPU the OS gave to another thread or
	// process (run-queue wait / (wait + run), Linux schedstat); nil where
	// not reported. High with CPUBusy low: other work on the machine
	// stalled the harness, and a generator BEHIND was stalled by it.
	CPUWaitShare *float64 `json:"cpu_wait_share,omitempty"`
}

// Percentiles in milliseconds.
type Percentiles struct {
	P50  float64 `json:"p50"`
	P90  float64 `json:"p90"`
	P99  float64 `json:"p99"`
	P999 float64 `json:"p999"`
	Max  float64 `json:"max"`
}

// Events is the ledger's account of every event.
type Events struct {
	// Published counts publish attempts; Acked those the broker acknowledged.
	Published int64 `json:"published"`
	Acked     int64 `json:"acked"`
	// PublishRetries counts publishes sent again after an attempt failed
	// or timed out (publish retries); BrokerDuplicates counts publishes
	// the broker acknowledged as duplicates of one it had stored with the
	// same Nats-Msg-Id, and dropped.
	PublishRetries   int64 `json:"publish_retries,omitempty"`
	BrokerDuplicates int64 `json:"broker_duplicates,omitempty"`
	// Processed counts successful handlings, duplicates included.
	Processed int64 `json:"processed"`
	// Duplicates counts handlings beyond the first per (event, subscriber).
	Duplicates int64 `json:"duplicates"`
	// Lost counts (acked event, subscriber) pairs never processed by the end
	// of the drain that the broker will not deliver to that subscriber
	// either: not in the stream, at or below the consumer's ack floor, or
	// dropped after the last allowed delivery.
	Lost int64 `json:"lost"`
	// Pending counts (acked event, subscriber) pairs not processed by the
	// end of the drain that the broker still holds for that subscriber (not
	// yet delivered, or awaiting an ack and so to be redelivered): late, not
	// lost. Unknown counts the pairs the broker could not be asked about
	// (crashed, no answer): neither lost nor pending. Lost + Pending +
	// Unknown is every unprocessed pair.
	Pending      int64 `json:"pending"`
	Unknown      int64 `json:"unknown"`
	DeadLettered int64 `json:"dead_lettered"`
	// Suppressed counts redeliveries idempotent consumers recognised and
	// acknowledged without applying them again (Duplicates counts those
	// applied again).
	Suppressed int64 `json:"suppressed"`
	// FireAndForget counts events published without waiting for the
	// broker's ack (publish mode fire_and_forget): the operation was
	// answered as a success regardless. Lost counts their unprocessed pairs
	// too.
	FireAndForget int64 `json:"fire_and_forget"`
	// DeadLetterFailures counts events whose last delivery failed and
	// could not be written to the dead-letter stream either (they are in
	// Lost unless processed earlier).
	DeadLetterFailures int64 `json:"dead_letter_failures,omitempty"`
	// Redelivered counts deliveries the broker marked as redeliveries,
	// handled successfully or not.
	Redelivered int64 `json:"redelivered"`
	// Failures counts handlings that failed (naked, or dead-lettered at the
	// last delivery); Poisoned counts events a subscriber can never
	// process, once per (event, subscriber).
	Failures int64 `json:"failures"`
	Poisoned int64 `json:"poisoned"`
	// UnackedProcessed counts events processed although their publish was
	// never acknowledged to the publisher.
	UnackedProcessed int64 `json:"unacked_processed"`
	// MaxConsumerLag is the most events pending or unacknowledged on any
	// durable consumer, sampled once a second.
	MaxConsumerLag int64 `json:"max_consumer_lag"`
	// Subscribers is per subscriber group: expected and processed.
	Subscribers []Subscriber `json:"subscribers"`
}

// Subscriber is one durable consumer group's account.
type Subscriber struct {
	Subject    string `json:"subject"`
	Group      string `json:"group"`
	Expected   int64  `json:"expected"`
	Processed  int64  `json:"processed"`
	Duplicates int64  `json:"duplicates"`
	Lost       int64  `json:"lost"`
	Pending    int64  `json:"pending"`
	Unknown    int64  `json:"unknown"`
	// DeadLettered counts events moved to the dead-letter stream after
	// their last allowed delivery failed; Suppressed counts redeliveries an
	// idempotent consumer recognised and acknowledged without applying.
	DeadLettered int64 `json:"dead_lettered"`
	Suppressed   int64 `json:"suppressed"`
	// Poisoned counts events the group can never process (consume key
	// poison), each once.
	Poisoned int64 `json:"poisoned,omitempty"`
}

// Edge is one synchronous call edge, caller service → callee service,
// summed over the caller's replicas, over the recorded window.
type Edge struct {
	From string `json:"from"`
	To   string `json:"to"`
	// Policy names the edge's policy ("inline" when written in the call,
	// "" for none).
	Policy string `json:"policy,omitempty"`
	// Requests counts calls the caller made; Attempts the requests sent to
	// the callee, retries included (breaker and bulkhead rejections are
	// not sent). Amplification is Attempts / Requests.
	Requests      int64   `json:"requests"`
	Attempts      int64   `json:"attempts"`
	Amplification float64 `json:"amplification"`
	Retries       int64   `json:"retries"`
	// Timeouts counts attempts ended by the edge's own timeout.
	Timeouts int64 `json:"timeouts"`
	// BreakerRejections, BulkheadRejections and BudgetRejections count
	// attempts refused on the caller's side: breaker open, no bulkhead slot,
	// retry over budget.
	BreakerRejections  int64 `json:"breaker_rejections"`
	BulkheadRejections int64 `json:"bulkhead_rejections"`
	BudgetRejections   int64 `json:"budget_rejections"`
	// Succeeded and Failed count calls, after retries.
	Succeeded int64 `json:"succeeded"`
	Failed    int64 `json:"failed"`
	// LatencyMS is per call, from its start to its final outcome, retries
	// and backoff included.
	LatencyMS Percentiles `json:"latency_ms"`
}

// FaultEdge is a call edge's activity during a fault.
type FaultEdge struct {
	From          string  `json:"from"`
	To            string  `json:"to"`
	Requests      int64   `json:"requests"`
	Attempts      int64   `json:"attempts"`
	Amplification float64 `json:"amplification"`
}

// BreakerChange is one circuit breaker changing state.
type BreakerChange struct {
	// AtS is seconds from the start of the recorded window (negative:
	// during the warm-up).
	AtS float64 `json:"at_s"`
	// Caller is the replica whose breaker it is ("order#0"); To the callee
	// service.
	Caller string `json:"caller"`
	To     string `json:"to"`
	// State is the new state: closed, open or half_open; From the old one.
	From  string `json:"from"`
	State string `json:"state"`
}

// Second is one entry of the per-second timeline; requests are attributed
// to the second of their intended send time, counted from the end of warm-up.
type Second struct {
	Second       int      `json:"second"`
	Offered      int64    `json:"offered"`
	Succeeded    int64    `json:"succeeded"`
	Failed       int64    `json:"failed"`
	P50MS        float64  `json:"p50_ms"`
	P99MS        float64  `json:"p99_ms"`
	ConsumerLag  int64    `json:"consumer_lag"`
	ActiveFaults []string `json:"active_faults"`
	// Completed counts, for event-driven variants, the operations intended
	// in this second that completed (every subscriber processed every event
	// they caused), whenever that was; CompletionP99MS is their completion
	// p99 from the intended send time, nil when none completed (n/a, not 0).
	Completed       int64    `json:"completed,omitempty"`
	CompletionP99MS *float64 `json:"completion_p99_ms,omitempty"`
	// LagMissing is true when the variant samples consumer lag but no
	// sample of this second succeeded (the broker did not answer, e.g.
	// while it was down): ConsumerLag is then 0 and means nothing,
	// results.json leaves consumer_lag out (see Second.MarshalJSON), and
	// plots leave the second out.
	LagMissing bool `json:"lag_missing,omitempty"`
}

// Fault records a fault as it was applied to one variant.
type Fault struct {
	Name string `json:"name"`
	Kind string `json:"kind"`
	// AtS and ForS are as asked in the scenario, in seconds: AtS from the
	// start of the load (warm-up included; reports print it less the
	// warm-up, from the start of the recorded window, as every other time).
	AtS  float64 `json:"at_s"`
	ForS float64 `json:"for_s"`
	// Started and Ended are when the fault was actually applied and
	// removed; StartErrMS and EndErrMS how late that was against the ask.
	Started    time.Time `json:"started"`
	Ended      time.Time `json:"ended"`
	StartErrMS float64   `json:"start_err_ms"`
	EndErrMS   float64   `json:"end_err_ms"`
	// BytesStopped and BytesStarted are, for a partition, when bytes were
	// first held on a connection it cut and first released after the heal:
	// when traffic actually stopped and resumed.
	BytesStopped *time.Time `json:"bytes_stopped,omitempty"`
	BytesStarted *time.Time `json:"bytes_started,omitempty"`
	// Before, During and After summarize the recorded requests (and, for
	// event-driven variants, operations) intended in the fault's length of
	// time (at least 1 s) before its asked start, from it, and after that:
	// whole seconds of the timeline, clipped to the recorded window, their
	// FromS and ToS in seconds from the start of the recorded window; nil
	// when that part lies outside it. "During" is what was started while
	// the fault lasted, whenever it finished.
	Before *WindowStats `json:"before,omitempty"`
	During *WindowStats `json:"during,omitempty"`
	After  *WindowStats `json:"after,omitempty"`
	// Broker measurements, when the fault acts on the broker: the time
	// from the crash until a publish was acknowledged again, and from the
	// restart until the restarted node had caught up.
	PublishableAfterMS *float64 `json:"publishable_after_ms,omitempty"`
	CaughtUpAfterMS    *float64 `json:"caught_up_after_ms,omitempty"`
	// DelayErrorMS is, for a latency fault, how late the fault layer
	// delivered delayed bytes against their due time while the fault was
	// active (never early); DelayedRuns counts those deliveries. It is the
	// layer's own error, before the bytes wait for the receiving server.
	DelayErrorMS *Percentiles `json:"delay_error_ms,omitempty"`
	DelayedRuns  int64        `json:"delayed_runs,omitempty"`
	// Edges are the call edges' counts while the fault was applied (from
	// when it was applied until it was removed), with attempts per call:
	// the load amplification the fault caused.
	Edges []FaultEdge `json:"edges,omitempty"`
	// RecoveredAfterS is the time from the fault's end to the start of the
	// first whole second whose availability was back to at least 99% of
	// the Before window's (one-second resolution); nil when it did not come
	// back within the recorded window.
	RecoveredAfterS *float64 `json:"recovered_after_s,omitempty"`
	// Registry lists, under a discovery detection delay, each replica that
	// left the service registry (its heartbeats stopped reaching it) from
	// when the fault was applied until 1.2 detection delays after it was
	// removed (a drop comes up to a tenth of the delay after the delay),
	// and when it came back; empty when none left. A drop in the windows
	// of two faults is listed under both.
	Registry []RegistryChange `json:"registry,omitempty"`
	// MatchedLinks are, for a link fault, the connections it acted on
	// while applied (seen when it was applied and just before it was
	// removed; for a reset, those it closed), as "dialer->listener"
	// endpoint names ("order#0->payment#1"), sorted. MatchedProcesses are,
	// for a process or request fault, the replicas (or broker nodes) it
	// targeted. MatchedNothing is true when a fault that was applied acted
	// on no link or process of the variant: it changed nothing there.
	MatchedLinks     []string `json:"matched_links,omitempty"`
	MatchedProcesses []string `json:"matched_processes,omitempty"`
	MatchedNothing   bool     `json:"matched_nothing,omitempty"`
	// Error is set when the fault could not be applied or removed.
	Error string `json:"error,omitempty"`
}

// RegistryChange is one replica's absence from the service registry
// during a fault.
type RegistryChange struct {
	// Replica is "service#N".
	Replica string `json:"replica"`
	// Left is when the registry dropped it; LeftAfterS how long after the
	// fault was applied.
	Left       time.Time `json:"left"`
	LeftAfterS float64   `json:"left_after_s"`
	// Back is when it was registered again and BackAfterS how long after
	// the fault was removed (negative: before); nil when it was not back
	// by the end of the run.
	Back       *time.Time `json:"back,omitempty"`
	BackAfterS *float64   `json:"back_after_s,omitempty"`
}

// WindowStats summarizes requests intended within [FromS, ToS), in
// seconds from the start of the recorded window (the end of warm-up).
type WindowStats struct {
	FromS         float64 `json:"from_s"`
	ToS           float64 `json:"to_s"`
	Offered       int64   `json:"offered"`
	Succeeded     int64   `json:"succeeded"`
	Availability  float64 `json:"availability"`
	ThroughputRPS float64 `json:"throughput_rps"`
	// P50MS and P99MS are the window's latency quantiles from the intended
	// send time, from the seconds' histograms merged.
	P50MS float64 `json:"p50_ms"`
	P99MS float64 `json:"p99_ms"`
	// Completion is, for event-driven variants, the completion of the
	// operations intended in the window; nil for synchronous variants.
	Completion *WindowCompletion `json:"completion,omitempty"`
	// ConsumerLag is, for variants that sample consumer lag, the backlog
	// on the durable consumers during the window; nil otherwise.
	ConsumerLag *WindowLag `json:"consumer_lag,omitempty"`
	// ContaminatedBy names the other faults that were applied at some time
	// within [FromS, ToS) (from when each was applied until it was
	// removed): the window does not show this fault alone. Empty when no
	// other fault touched it.
	ContaminatedBy []string `json:"contaminated_by,omitempty"`
}

// WindowCompletion is the completion of the operations intended in a
// window: each operation counts in the second of its intended send time,
// however late it completed, so a fault's "during" holds the operations
// started while it lasted. Percentiles come from the seconds' completion
// histograms merged, never averaged.
type WindowCompletion struct {
	// Completed counts the operations intended in the window that
	// completed (every subscriber processed every event they caused) by
	// the end of the drain; CompletedRPS is Completed per second of the
	// window.
	Completed    int64   `json:"completed"`
	CompletedRPS float64 `json:"completed_rps"`
	// P50MS, P99MS and MaxMS are their completion times from the intended
	// send time; nil when none completed (n/a, not 0).
	P50MS *float64 `json:"p50_ms,omitempty"`
	P99MS *float64 `json:"p99_ms,omitempty"`
	MaxMS *float64 `json:"max_ms,omitempty"`
}

// WindowLag is the consumer backlog over a window, from the per-second
// samples of Second.ConsumerLag (the most events pending or unacked on any
// durable consumer), leaving out the seconds whose samples all failed
// (Second.LagMissing).
type WindowLag struct {
	// Seconds counts the seconds with a sample, Missing those without;
	// Max and Mean are over the seconds with one (0 when Seconds is 0:
	// unknown, printed n/a).
	Seconds int     `json:"seconds"`
	Missing int     `json:"missing,omitempty"`
	Max     int64   `json:"max"`
	Mean    float64 `json:"mean"`
}

// Expectation is one checked expectation: Metric Op Threshold, for one
// variant, as written in the scenario (Expr, at Line of File).
type Expectation struct {
	Variant   string  `json:"variant"`
	Expr      string  `json:"expr"`
	Metric    string  `json:"metric"`
	Op        string  `json:"op"`
	Threshold float64 `json:"threshold"`
	// High is the upper end of an "in" expectation (Op "in", Threshold
	// its lower end); 0 otherwise.
	High float64 `json:"high,omitempty"`
	// Observed is the measured value; Missing is true when the variant has
	// no such measurement (the expectation then fails).
	Observed float64 `json:"observed"`
	Missing  bool    `json:"missing,omitempty"`
	OK       bool    `json:"ok"`
	// Repetitions is how many runs of the variant Observed is the median
	// of (0: one run).
	Repetitions int `json:"repetitions,omitempty"`
	Line        int `json:"line,omitempty"`
}

// Histograms holds encoded HDR histograms: Latency of every request,
// Completion of the operations of an event-driven variant, and
// TimeToConsistency of the operations of a stateful variant that became
// consistent and terminal (see Consistency.TimeToConsistencyMS).
type Histograms struct {
	Latency           string `json:"latency"`
	Completion        string `json:"completion,omitempty"`
	TimeToConsistency string `json:"time_to_consistency,omitempty"`
}
