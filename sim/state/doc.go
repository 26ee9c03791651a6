// Package state holds the business state of a stateful topology and checks
// it: one store per service role, each a SQLite file in the variant's run
// folder, and the checker that reads snapshots of the three and counts
// every broken invariant (docs/state.md).
//
//   - OpenOrders, OpenPayments, OpenInventory open (or create) the stores
//     of the order, payment and inventory roles; their errors match ErrOpen
//     and name the file.
//   - Every state change (Place, Confirm, Cancel; Charge, Refund; Reserve,
//     Release) is one transaction, committed when the method returns, and
//     takes a Change: an idempotency key, the id of the event consumed,
//     and the outbox messages to write with it. A business failure is an
//     Outcome (OutOfStock, InsufficientFunds), a store failure an error.
//   - PendingOutbox and MarkSent serve a relay.
//   - Snapshot and Update read a store while writers go on; Check decides,
//     per operation, consistent and terminal, in flight, not placed, or
//     which invariants broke, and the time to consistency.
package state
