//go:build race

package scenarios_test

// raceDetector is true when the tests run under the race detector, which
// slows the engine several-fold (see timed in run_test.go).
const raceDetector = true
