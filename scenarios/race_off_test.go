//go:build !race

package scenarios_test

// raceDetector: see race_on_test.go.
const raceDetector = false
