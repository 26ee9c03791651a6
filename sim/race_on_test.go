//go:build race

package sim

// raceDetector: the race detector slows the harness several times; the
// end-to-end statistics tests then offer less load.
const raceDetector = true
