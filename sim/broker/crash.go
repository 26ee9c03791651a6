package broker

import (
	"context"
	"errors"
)

// Crash imitates the death of the broker's process: it closes the admin
// connection and shuts the server down, waiting for it, but keeps the store.
// The caller cuts client links through the fault layer first (a real crash
// sends no goodbye). While crashed, Lag and Setup return ErrCrashed and
// clients' publishes fail or wait for their own timeouts. Crash blocks
// until the server has stopped (milliseconds; ctx is only checked first)
// and does nothing when already crashed. Safe for concurrent use.
func (b *Broker) Crash(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	b.life.Lock()
	defer b.life.Unlock()
	b.mu.Lock()
	n, admin := b.node, b.admin
	switch {
	case n == nil:
		b.mu.Unlock()
		return errors.New("broker: crash before Start")
	case b.crashed:
		b.mu.Unlock()
		return nil
	}
	b.crashed = true
	b.admin, b.js = nil, nil
	b.mu.Unlock()
	admin.Close()
	n.shutdown()
	return nil
}

// Restart starts a crashed broker again on the same host:port with the same
// store, so clients reconnect to the same URL, and waits until it accepts
// connections with its streams recovered from the store (at most
// DefaultStartTimeout or until ctx is done). The address may take a moment
// to become free again: Restart retries binding meanwhile. It does nothing
// when the broker is running. Safe for concurrent use.
func (b *Broker) Restart(ctx context.Context) error {
	b.life.Lock()
	defer b.life.Unlock()
	b.mu.Lock()
	n, crashed := b.node, b.crashed
	b.mu.Unlock()
	switch {
	case n == nil:
		return errors.New("broker: restart before Start")
	case !crashed:
		return nil
	}
	if err := n.start(ctx); err != nil {
		return err
	}
	nc, js, err := connectAdmin([]string{n.clientURL()})
	if err != nil {
		n.shutdown()
		return err
	}
	b.mu.Lock()
	b.admin, b.js, b.crashed = nc, js, false
	b.mu.Unlock()
	return nil
}
