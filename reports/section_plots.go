package reports

func (b *builder) latency() section {
	s := section{ID: "latency", Title: "Latency by percentile",
		Window: b.window() + " Read off each variant's HdrHistogram (1 µs resolution, 3 significant digits); percentiles are never averaged."}
	if f, ok := b.figure(plotLatency, "Client latency by percentile, from each request's intended send time, successes and failures alike. "+
		"x: the percentile on a scale of nines (0%, 90%, 99%, 99.9%, 99.99%), y: latency in ms."); ok {
		s.Blocks = append(s.Blocks, f)
	}
	if f, ok := b.figure(plotCompletion, "Event completion latency by percentile, event-driven variants: from an operation's intended send time until every subscriber processed every event it caused, for operations intended in the recorded window."); ok {
		s.Blocks = append(s.Blocks, f)
	}
	if len(b.notes) > 0 {
		s.Blocks = append(s.Blocks, block{List: b.notes})
	}
	return s
}

func (b *builder) overTime() section {
	s := section{ID: "over-time", Title: "Over time",
		Window: "Per second of the recorded window (x: seconds from the end of warm-up); each request counts in the second of its intended send time. " +
			"Shaded: each fault, from when it was applied to when it was removed (its asked time from the start of the load, less the warm-up, plus how late it was applied)."}
	for _, f := range []struct{ file, caption string }{
		{plotThroughput, "Succeeded requests per second (top) and availability per second, succeeded / offered (bottom)."},
		{plotP99, "p99 latency of the requests intended in each second, in ms."},
		{plotCompletionT, "Completion p99 of event-driven variants: of the operations intended in each second, the time until every subscriber processed every event they caused, in ms; seconds where none completed are left out."},
		{plotConsumerLag, "Consumer lag of event-driven variants: the most events pending or awaiting an ack on any durable consumer, sampled once a second."},
	} {
		if fig, ok := b.figure(f.file, f.caption); ok {
			s.Blocks = append(s.Blocks, fig)
		}
	}
	return s
}
