package result

import (
	"encoding/json"
	"os"
	"path/filepath"
	"time"
)

// BaselineInfo records why and from what a results file was made a gate's
// baseline (`faultline gate --update`). It is absent from a run's own
// results.
type BaselineInfo struct {
	// Reason is why the baseline was refreshed, as given by --reason.
	Reason string `json:"reason"`
	// Date is when it was written (UTC).
	Date time.Time `json:"date"`
	// Source is the results file it was made from, as given.
	Source string `json:"source"`
}

// WriteBaseline writes r, with info recorded in it, as indented JSON to
// path (creating its folder). The file appears whole or not at all; r
// itself is not changed.
func WriteBaseline(path string, r *Result, info BaselineInfo) error {
	c := *r
	c.Baseline = &info
	data, err := json.MarshalIndent(&c, "", "  ")
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, append(data, '\n'), 0o644); err != nil {
		return err
	}
	return os.Rename(tmp, path)
}
