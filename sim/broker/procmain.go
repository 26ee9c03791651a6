package broker

import (
	"context"
	"encoding/json"
	"fmt"
	"github.com/faultline-sim/faultline/topologies"
	"io"
	"net/url"
	"os"
	"strings"
)

// nodeEnv names the environment variable that makes a process a broker
// node: StartProc sets it to the node's spec (JSON) when it re-executes
// the running binary, and RunIfNodeProcess looks for it.
const nodeEnv = "FAULTLINE_BROKER_NODE"

// nodeArg is the child's only argument, a marker for ps; the child is told
// what to do by nodeEnv, not by its arguments.
const nodeArg = "__broker-node"

// readyPrefix starts the line a node process writes to its stdout once it
// accepts connections with JetStream, followed by a readyLine as JSON.
const readyPrefix = "faultline-broker-node ready "

// nodeSpec is what a node process runs: the parts of a node that survive
// a restart.
type nodeSpec struct {
	Name     string   `json:"name"`
	StoreDir string   `json:"store_dir"`
	Cluster  string   `json:"cluster,omitempty"`
	Routes   []string `json:"routes,omitempty"` // host:port
	// Ports are 0 for a free port (the first start), then the ports the
	// first start picked.
	ClientPort  int             `json:"client_port,omitempty"`
	ClusterPort int             `json:"cluster_port,omitempty"`
	MonitorPort int             `json:"monitor_port,omitempty"`
	Sync        topologies.Sync `json:"sync"`
}

// readyLine is what a node process reports once ready.
type readyLine struct {
	Client  string `json:"client"`            // nats://127.0.0.1:port
	Cluster string `json:"cluster,omitempty"` // 127.0.0.1:port of the route listener
	Monitor string `json:"monitor"`           // http://127.0.0.1:port
}

// node returns the in-process node the spec describes, with monitoring.
func (s nodeSpec) node() *node {
	n := &node{
		name: s.Name, dir: s.StoreDir, cluster: s.Cluster, sync: s.Sync, monitor: true,
		clientPort: s.ClientPort, clusterPort: s.ClusterPort, monitorPort: s.MonitorPort,
	}
	for _, r := range s.Routes {
		n.routes = append(n.routes, routeURL(r))
	}
	return n
}

// RunIfNodeProcess runs a broker node and exits when this process was
// started as one by StartProc; otherwise it returns at once. A binary that
// starts node processes calls it first thing in main, and a test binary
// first thing in TestMain: StartProc re-executes the running binary.
//
// The node runs until its stdin reaches EOF (the parent closed it or
// died), then shuts down cleanly and exits 0; a start failure exits 1
// with the reason on stderr.
func RunIfNodeProcess() {
	spec, ok := os.LookupEnv(nodeEnv)
	if !ok {
		return
	}
	os.Unsetenv(nodeEnv)
	os.Exit(runNode(spec, os.Stdin, os.Stdout, os.Stderr))
}

// runNode starts the node spec describes, writes the ready line to stdout,
// and serves until stdin ends. It returns the exit code.
func runNode(spec string, stdin io.Reader, stdout, stderr io.Writer) int {
	var s nodeSpec
	if err := json.Unmarshal([]byte(spec), &s); err != nil {
		fmt.Fprintf(stderr, "broker node: bad %s: %v\n", nodeEnv, err)
		return 2
	}
	n := s.node()
	if err := n.start(context.Background()); err != nil {
		fmt.Fprintf(stderr, "broker node: %v\n", err)
		return 1
	}
	ready := readyLine{Client: n.clientURL(), Monitor: n.monitorURL()}
	if s.Cluster != "" {
		ready.Cluster = n.clusterAddr()
	}
	line, _ := json.Marshal(ready)
	if _, err := fmt.Fprintf(stdout, "%s%s\n", readyPrefix, line); err != nil {
		n.shutdown()
		return 1
	}
	io.Copy(io.Discard, stdin)
	n.shutdown()
	return 0
}

// parseReady returns the ready line in text, if text is one.
func parseReady(text string) (readyLine, bool) {
	var r readyLine
	rest, ok := strings.CutPrefix(text, readyPrefix)
	if !ok || json.Unmarshal([]byte(rest), &r) != nil || r.Client == "" {
		return readyLine{}, false
	}
	if _, err := url.Parse(r.Client); err != nil {
		return readyLine{}, false
	}
	return r, true
}
