package result

// NA is the cell of a measure a variant has but could not measure, such as
// the completion latency of an event-driven variant none of whose
// operations completed: not 0, which would read as instant.
const NA = "n/a"

// Completion returns v's completion percentiles, or nil when there are
// none: a synchronous variant, or an event-driven one of which no
// operation completed in the recorded window (Completed 0). Runs leave
// completion_ms out then; files written before that carry zeros, which
// Completion ignores too. Renderers show NA for an event-driven variant
// without them.
func (v *Variant) Completion() *Percentiles {
	if v.CompletionMS == nil || v.Completed == 0 {
		return nil
	}
	return v.CompletionMS
}
