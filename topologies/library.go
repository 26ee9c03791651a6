package topologies

import "embed"

// Library holds the topology files shipped with faultline (topologies/*.yaml),
// at the top level of the FS ("order-sync.yaml"). It is read-only and safe
// for concurrent use.
//
//go:embed *.yaml
var Library embed.FS
