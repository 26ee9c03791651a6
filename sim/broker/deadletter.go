package broker

import (
	"strconv"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/faultline-sim/faultline/topologies"
)

// The dead-letter stream holds the events consumers gave up on: one stream
// for the variant, one subject per (group, original subject).
//
//	consumer of group g on subject s, last delivery failed
//	   ─► publish (acked) on dlq.<g>.<s> into DeadLetterStream ─► Term the original
const (
	// DeadLetterStream is the name of the dead-letter stream.
	DeadLetterStream = "DLQ"
	// deadLetterPrefix starts every dead-letter subject.
	deadLetterPrefix = "dlq."
)

// DeadLetterSubject returns the subject group's dead letters of subject go
// to: "dlq.<group>.<subject>", the group made a single token.
func DeadLetterSubject(group, subject string) string {
	return deadLetterPrefix + sanitize(group) + "." + subject
}

// DeadLetterMsgID returns the Nats-Msg-Id of the dead letter of the
// message at stream sequence seq of subject's stream for group: a retried
// dead-letter publish is stored once, and two groups giving up on the same
// event are stored twice, once each.
func DeadLetterMsgID(group, subject string, seq uint64) string {
	return "dlq:" + DurableName(subject, group) + ":" + strconv.FormatUint(seq, 10)
}

// needsDeadLetters reports whether a consume entry of t dead-letters.
func needsDeadLetters(t *topologies.Topology) bool {
	for _, s := range t.Services {
		for _, c := range s.Consume {
			if c.DeadLetter {
				return true
			}
		}
	}
	return false
}

// deadLetterConfig returns the dead-letter stream's configuration: file
// storage, replicated like the event streams, duplicates detected over the
// same window.
func deadLetterConfig(replicas int) jetstream.StreamConfig {
	cfg := jetstream.StreamConfig{
		Name:       DeadLetterStream,
		Subjects:   []string{deadLetterPrefix + ">"},
		Storage:    jetstream.FileStorage,
		Retention:  jetstream.LimitsPolicy,
		Duplicates: 2 * time.Minute,
	}
	if replicas > 1 {
		cfg.Replicas = replicas
	}
	return cfg
}
