package service_test

import (
	"testing"

	"go.uber.org/goleak"
)

// Replicas, servers, callers and consumers start goroutines: every test
// must leave none behind.
func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }
