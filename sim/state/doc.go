// Package state holds the business state of a stateful topology: one
// embedded transactional store per service role (orders, payments,
// inventory), each a database file in the variant's run folder, and the
// checker that reads snapshots of the three and counts every broken
// invariant.
package state
