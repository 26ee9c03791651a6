package registry

import (
	"testing"

	"go.uber.org/goleak"
)

// Sessions and the sweeper start goroutines: every test must leave none
// behind.
func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }
