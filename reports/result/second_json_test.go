package result

import (
	"encoding/json"
	"strings"
	"testing"
)

// A second whose lag sample failed has no consumer_lag in the file (not a
// 0), and a real 0 stays; both read back as they were.
func TestSecondJSONLeavesMissingLagOut(t *testing.T) {
	missing, err := json.Marshal(Second{Second: 6, LagMissing: true})
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(missing), "consumer_lag") || !strings.Contains(string(missing), `"lag_missing":true`) {
		t.Errorf("missing sample encoded as %s: want no consumer_lag and lag_missing true", missing)
	}
	zero, err := json.Marshal(Second{Second: 7})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(zero), `"consumer_lag":0`) || strings.Contains(string(zero), "lag_missing") {
		t.Errorf("a sampled 0 encoded as %s: want consumer_lag 0", zero)
	}
	for _, data := range [][]byte{missing, zero} {
		var s Second
		if err := json.Unmarshal(data, &s); err != nil {
			t.Fatal(err)
		}
		if s.ConsumerLag != 0 {
			t.Errorf("%s read back with lag %d", data, s.ConsumerLag)
		}
	}
}
