package service

// InFlight returns the number of requests r is handling. It counts only for
// a service with a capacity. Exported for tests only.
func (r *Replica) InFlight() int64 { return r.inflight.Load() }

// Waiting returns how many steps are blocked by a pause.
func (r *Replica) Waiting() int64 { return r.faults.waiting.Load() }
