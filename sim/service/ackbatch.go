package service

import (
	"sync"
	"time"

	"github.com/nats-io/nats.go/jetstream"
)

// ackBatch holds the acknowledgements of processed events until the next
// flush, every interval, as a consumer that commits periodically does. A
// crash loses what it holds: the broker redelivers those events after its
// ack wait, though their work was done.
type ackBatch struct {
	mu      sync.Mutex
	pending []jetstream.Msg
	done    chan struct{}
	stopped sync.WaitGroup
}

// startAckBatch flushes after phase, then every interval, until stop.
func startAckBatch(interval, phase time.Duration) *ackBatch {
	b := &ackBatch{done: make(chan struct{})}
	b.stopped.Add(1)
	go func() {
		defer b.stopped.Done()
		// The first flush comes after phase, so that flushes are not in
		// step with anything else that counts whole seconds (a fault's
		// timeline): a crash lands at any point of a batch.
		t := time.NewTimer(phase)
		defer t.Stop()
		for {
			select {
			case <-b.done:
				b.flush()
				return
			case <-t.C:
				b.flush()
				t.Reset(interval)
			}
		}
	}()
	return b
}

// add queues m's ack for the next flush.
func (b *ackBatch) add(m jetstream.Msg) {
	b.mu.Lock()
	b.pending = append(b.pending, m)
	b.mu.Unlock()
}

// flush acks everything queued. After a crash the connection is gone and
// the acks fail: that is the loss a batch risks.
func (b *ackBatch) flush() {
	b.mu.Lock()
	batch := b.pending
	b.pending = nil
	b.mu.Unlock()
	for _, m := range batch {
		m.Ack()
	}
}

// stop flushes once more and ends the flusher.
func (b *ackBatch) stop() {
	close(b.done)
	b.stopped.Wait()
}
