package result

import "encoding/json"

// secondFields is Second without its methods, so that MarshalJSON can
// encode it without calling itself.
type secondFields Second

// MarshalJSON encodes the second, leaving consumer_lag out when the
// second's lag sample is missing (LagMissing): a sample that failed is
// absent from results.json, never a 0 that reads as "no backlog". Reading
// such a second back gives ConsumerLag 0 and LagMissing true.
func (s Second) MarshalJSON() ([]byte, error) {
	if !s.LagMissing {
		return json.Marshal(secondFields(s))
	}
	return json.Marshal(struct {
		secondFields
		ConsumerLag *int64 `json:"consumer_lag,omitempty"`
	}{secondFields: secondFields(s)})
}
