package service

import (
	"context"
	"errors"
	"net"
	"net/http"
	"os"
	"strings"
	"syscall"
	"testing"

	"connectrpc.com/connect"

	"github.com/faultline-sim/faultline/sim/metrics"
	"github.com/faultline-sim/faultline/sim/rpc/simv1"
	"github.com/faultline-sim/faultline/sim/rpc/simv1/simv1connect"
)

// handlerFunc is a SimServiceHandler from a function.
type handlerFunc func(context.Context, *connect.Request[simv1.HandleRequest]) (*connect.Response[simv1.HandleResponse], error)

func (f handlerFunc) Handle(ctx context.Context, r *connect.Request[simv1.HandleRequest]) (*connect.Response[simv1.HandleResponse], error) {
	return f(ctx, r)
}

// TestHarnessMarkCrossesHops: a hop whose dial failed for want of
// descriptors answers with the mark; the hop above passes it on; the
// client two hops up, which sees only a Connect error from the wire, still
// classifies it as harness, not unavailable — over each wire protocol.
func TestHarnessMarkCrossesHops(t *testing.T) {
	// What a Connect client returns when its dial found no descriptor.
	emfile := connect.NewError(connect.CodeUnavailable, &net.OpError{Op: "dial", Net: "tcp", Err: os.NewSyscallError("socket", syscall.EMFILE)})
	for _, grpc := range []bool{false, true} {
		name := "connect"
		if grpc {
			name = "grpc"
		}
		t.Run(name, func(t *testing.T) {
			var opts []connect.ClientOption
			if grpc {
				opts = append(opts, connect.WithGRPC())
			}
			var p http.Protocols
			p.SetUnencryptedHTTP2(true)
			hc := &http.Client{Transport: &http.Transport{Protocols: &p}}
			t.Cleanup(hc.CloseIdleConnections)
			// b: its call to c failed at the dial.
			b, err := NewServer(ServerConfig{Handler: handlerFunc(func(context.Context, *connect.Request[simv1.HandleRequest]) (*connect.Response[simv1.HandleResponse], error) {
				return nil, callError("c", emfile)
			})})
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { b.Close() })
			toB := simv1connect.NewSimServiceClient(hc, "http://"+b.Addr(), opts...)
			// a: calls b and answers with b's error.
			a, err := NewServer(ServerConfig{Handler: handlerFunc(func(ctx context.Context, r *connect.Request[simv1.HandleRequest]) (*connect.Response[simv1.HandleResponse], error) {
				_, err := toB.Handle(ctx, r)
				if err == nil {
					return nil, errors.New("b answered")
				}
				return nil, callError("b", err)
			})})
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { a.Close() })
			_, err = simv1connect.NewSimServiceClient(hc, "http://"+a.Addr(), opts...).Handle(context.Background(), connect.NewRequest(&simv1.HandleRequest{}))
			if got := metrics.OutcomeOf(err); got != metrics.Harness {
				t.Errorf("outcome %v, want harness; error: %v", got, err)
			}
			if !strings.Contains(err.Error(), "call b: call c:") || !strings.Contains(err.Error(), "too many open files") {
				t.Errorf("error %q does not name the hops and the cause", err)
			}
			if connect.CodeOf(err) != connect.CodeUnavailable {
				t.Errorf("code %v, want unavailable (the mark, not the code, says harness)", connect.CodeOf(err))
			}
		})
	}
	// A plain unavailable error is not marked.
	if got := metrics.OutcomeOf(callError("c", connect.NewError(connect.CodeUnavailable, syscall.ECONNREFUSED))); got != metrics.Unavailable {
		t.Errorf("refused: outcome %v, want unavailable", got)
	}
}
