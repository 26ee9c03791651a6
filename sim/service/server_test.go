package service_test

import (
	"context"
	"errors"
	"net"
	"testing"

	"connectrpc.com/connect"

	"github.com/faultline-sim/faultline/faults"
	"github.com/faultline-sim/faultline/sim/registry"
	"github.com/faultline-sim/faultline/sim/rpc/simv1"
	"github.com/faultline-sim/faultline/sim/rpc/simv1/simv1connect"
	"github.com/faultline-sim/faultline/sim/service"
	"github.com/faultline-sim/faultline/sim/simtest"
	"github.com/faultline-sim/faultline/topologies"
)

// blocker answers nothing: each request waits for its context and reports
// why it ended.
type blocker struct {
	entered chan struct{}
	ended   chan error
}

func (b *blocker) Handle(ctx context.Context, _ *connect.Request[simv1.HandleRequest]) (*connect.Response[simv1.HandleResponse], error) {
	b.entered <- struct{}{}
	<-ctx.Done()
	b.ended <- ctx.Err()
	return nil, connect.NewError(connect.CodeCanceled, ctx.Err())
}

// echo answers every request as replica 0 of service "echo".
type echo struct{}

func (echo) Handle(context.Context, *connect.Request[simv1.HandleRequest]) (*connect.Response[simv1.HandleResponse], error) {
	return connect.NewResponse(&simv1.HandleResponse{Service: "echo", Hops: 1}), nil
}

// serve starts a server for h registered as replica 0 of service and returns
// it with a client caller of the given wire.
func serve(t *testing.T, h simv1connect.SimServiceHandler, svc string, wire topologies.Wire) (*service.Server, *service.Caller) {
	t.Helper()
	srv, err := service.NewServer(service.ServerConfig{Handler: h})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	reg := registry.New(registry.Config{})
	reg.Register(registry.Endpoint{Service: svc, Addr: srv.Addr()})
	c := service.NewCaller(service.CallerConfig{From: "client", Wire: wire, Registry: reg, Net: faults.NewNet()})
	t.Cleanup(c.Close)
	return srv, c
}

func TestServerListensOnLoopbackEveryWire(t *testing.T) {
	for _, wire := range []topologies.Wire{
		{Protocol: topologies.ProtocolConnect, HTTP: topologies.HTTP1},
		{Protocol: topologies.ProtocolConnect, HTTP: topologies.H2C},
		{Protocol: topologies.ProtocolGRPC, HTTP: topologies.H2C},
	} {
		t.Run(wire.Protocol+"-"+wire.HTTP, func(t *testing.T) {
			ctx := simtest.Context(t)
			srv, c := serve(t, echo{}, "echo", wire)
			host, port, err := net.SplitHostPort(srv.Addr())
			if err != nil || host != "127.0.0.1" || port == "0" {
				t.Errorf("Addr() = %q (%v), want 127.0.0.1 with an assigned port", srv.Addr(), err)
			}
			res, err := c.Call(ctx, "echo", &simv1.HandleRequest{OpId: 1})
			if err != nil {
				t.Fatal(err)
			}
			if res.Service != "echo" {
				t.Errorf("response %v", res)
			}
		})
	}
}

func TestServerCloseCancelsBlockedHandler(t *testing.T) {
	t.Parallel() // Close waits out its grace period: overlap it with the others
	ctx := simtest.Context(t)
	h := &blocker{entered: make(chan struct{}, 1), ended: make(chan error, 1)}
	srv, c := serve(t, h, "blocker", topologies.Wire{Protocol: topologies.ProtocolConnect, HTTP: topologies.H2C})

	called := make(chan error, 1)
	go func() {
		_, err := c.Call(ctx, "blocker", &simv1.HandleRequest{OpId: 1})
		called <- err
	}()
	select {
	case <-h.entered:
	case <-ctx.Done():
		t.Fatal("the request never reached the handler")
	}

	closed := make(chan error, 1)
	go func() { closed <- srv.Close() }()
	select {
	case err := <-closed:
		if err != nil {
			t.Errorf("Close: %v", err)
		}
	case <-ctx.Done():
		t.Fatal("Close did not return while a handler was blocked")
	}
	// Close waited for the handler, so it has ended by now.
	select {
	case err := <-h.ended:
		if !errors.Is(err, context.Canceled) {
			t.Errorf("handler context ended with %v, want canceled", err)
		}
	default:
		t.Error("Close returned before the blocked handler ended")
	}
	select {
	case err := <-called:
		if err == nil {
			t.Error("the blocked call succeeded, want an error")
		}
	case <-ctx.Done():
		t.Fatal("the blocked call did not return after Close")
	}
	if err := srv.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
}
