package topologies

var stateKeys = []string{"saga", "order", "payment", "inventory", "publish", "consumers", "amount", "balance", "items", "stock"}

// decodeState decodes the state block; left-out keys keep their defaults
// (dual write, at-least-once consumers, the Default amounts). Validate
// reports what is missing or inconsistent.
func decodeState(d *Decoder, n Node) *State {
	s := &State{
		Publish:   DefaultStatePublish,
		Consumers: DefaultConsumers,
		Amount:    DefaultAmount,
		Balance:   DefaultBalance,
		Items:     DefaultItems,
		Stock:     DefaultStock,
		Line:      n.Line,
	}
	m, _ := d.Mapping(n, stateKeys...)
	setString(d, m, "saga", &s.Saga)
	setString(d, m, "order", &s.Order)
	setString(d, m, "payment", &s.Payment)
	setString(d, m, "inventory", &s.Inventory)
	setString(d, m, "publish", &s.Publish)
	setString(d, m, "consumers", &s.Consumers)
	Set(d.Int, m, "amount", &s.Amount)
	Set(d.Int, m, "balance", &s.Balance)
	Set(d.Int, m, "items", &s.Items)
	Set(d.Int, m, "stock", &s.Stock)
	return s
}
