// Package rpc holds the protobuf definition of the simulated services and the
// code generated from it (simv1, simv1/simv1connect). The generated code is
// committed; regenerate it from the repository root with:
//
//	protoc --proto_path=sim/rpc --go_out=. --go_opt=module=github.com/faultline-sim/faultline \
//	  --connect-go_out=. --connect-go_opt=module=github.com/faultline-sim/faultline sim/rpc/sim.proto
package rpc
