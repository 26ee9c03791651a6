package service

// NakDelay is nakDelay, for tests.
var NakDelay = nakDelay

// BrokerBuffered returns the bytes r's broker connection holds that it has
// not written to the connection yet (0 when it has none).
func (r *Replica) BrokerBuffered() int {
	bc := r.broker.Load()
	if bc == nil {
		return 0
	}
	n, err := bc.nc.Buffered()
	if err != nil {
		return 0
	}
	return n
}
