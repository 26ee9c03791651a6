package service

import (
	"context"
	"errors"
	"io"
	"log"
	"net"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"connectrpc.com/connect"

	"github.com/faultline-sim/faultline/sim/rpc/simv1/simv1connect"
)

// compressMinBytes keeps the tiny messages of the simulation uncompressed
// even for a client that accepts gzip.
const compressMinBytes = 1 << 16

// closePoll is how often Close checks whether handlers are still running.
const closePoll = 5 * time.Millisecond

// shutdownGrace is how long Close lets in-flight requests finish before it
// cancels them.
const shutdownGrace = time.Second

// Server is a Connect server for SimService on a 127.0.0.1 ephemeral port,
// speaking HTTP/1.1 and HTTP/2 cleartext (h2c) and every Connect protocol.
// Close cancels in-flight handlers and waits for them and for the serving
// goroutine, like httptest.Server.
type Server struct {
	ln       net.Listener
	srv      *http.Server
	ctx      context.Context
	cancel   context.CancelFunc
	handlers sync.WaitGroup
	// mu guards stopping and the handlers' Add: a handler that starts once
	// the server waits for its handlers is refused, as WaitGroup requires.
	mu       sync.Mutex
	stopping bool
	active   atomic.Int64 // handlers running now
	served   chan struct{}
	once     sync.Once
}

// ServerConfig configures a Server. Handler is required.
type ServerConfig struct {
	// Handler serves the requests. Its handlers get a context that Close
	// cancels.
	Handler simv1connect.SimServiceHandler
	// Listener is where the server serves; the server owns it from then on
	// (Close closes it). Pass one for a listener that is not a plain one,
	// such as the fault layer's, which counts failed accepts
	// (faults.Net.Listen). nil (the default): a new listener on
	// 127.0.0.1:0.
	Listener net.Listener
	// Options are further Connect handler options, such as interceptors;
	// default none.
	Options []connect.HandlerOption
}

// NewServer serves cfg.Handler on cfg.Listener (or a new loopback
// listener). It fails only when it has to listen and cannot.
func NewServer(cfg ServerConfig) (*Server, error) {
	ln := cfg.Listener
	if ln == nil {
		var err error
		if ln, err = net.Listen("tcp", "127.0.0.1:0"); err != nil {
			return nil, err
		}
	}
	s := &Server{ln: ln, served: make(chan struct{})}
	s.ctx, s.cancel = context.WithCancel(context.Background())
	opts := append([]connect.HandlerOption{connect.WithCompressMinBytes(compressMinBytes)}, cfg.Options...)
	path, handler := simv1connect.NewSimServiceHandler(cfg.Handler, opts...)
	mux := http.NewServeMux()
	mux.Handle(path, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !s.enter() {
			http.Error(w, "server stopping", http.StatusServiceUnavailable)
			return
		}
		s.active.Add(1)
		defer s.handlers.Done()
		defer s.active.Add(-1)
		handler.ServeHTTP(w, r)
	}))
	var p http.Protocols
	p.SetHTTP1(true)
	p.SetUnencryptedHTTP2(true)
	s.srv = &http.Server{
		Handler:           mux,
		Protocols:         &p,
		ReadHeaderTimeout: 10 * time.Second,
		IdleTimeout:       60 * time.Second,
		HTTP2: &http.HTTP2Config{
			MaxConcurrentStreams: 1000,
			SendPingTimeout:      h2SendPingTimeout,
			PingTimeout:          h2PingTimeout,
		},
		BaseContext: func(net.Listener) context.Context { return s.ctx },
		// Connection-level trouble (pings unanswered during a partition,
		// resets) shows in the calls' outcomes; the log would only garble
		// the terminal.
		ErrorLog: log.New(io.Discard, "", 0),
	}
	go func() {
		defer close(s.served)
		s.srv.Serve(ln)
	}()
	return s, nil
}

// enter counts a handler in, unless the server is stopping.
func (s *Server) enter() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.stopping {
		return false
	}
	s.handlers.Add(1)
	return true
}

// waitHandlers refuses new handlers and waits for those running.
func (s *Server) waitHandlers() {
	s.mu.Lock()
	s.stopping = true
	s.mu.Unlock()
	s.handlers.Wait()
}

// Addr returns host:port.
func (s *Server) Addr() string { return s.ln.Addr().String() }

// Close stops accepting, gives in-flight requests shutdownGrace to finish,
// cancels the rest, closes every connection and waits for every handler.
// It does not wait for idle connections to go away: once no handler runs it
// closes them. Idempotent.
func (s *Server) Close() error {
	var err error
	s.once.Do(func() {
		ctx, cancel := context.WithTimeout(context.Background(), shutdownGrace)
		defer cancel()
		shut := make(chan error, 1)
		go func() { shut <- s.srv.Shutdown(ctx) }()
		tick := time.NewTicker(closePoll)
		defer tick.Stop()
	wait:
		for {
			select {
			case e := <-shut:
				shut <- e
				break wait
			case <-ctx.Done():
				break wait
			case <-tick.C:
				if s.active.Load() == 0 {
					break wait
				}
			}
		}
		cancel()
		if e := <-shut; e != nil && !errors.Is(e, context.DeadlineExceeded) && !errors.Is(e, context.Canceled) {
			err = e
		}
		s.cancel()
		s.srv.Close()
		<-s.served
		s.waitHandlers()
	})
	return err
}

// Crash stops the server as a dying process would: the listener and every
// connection close at once and in-flight handlers are cancelled, with no
// grace. The connections close before the handlers are cancelled, so no
// answer of a cancelled handler (canceled, or an error it made of that)
// gets out: callers see only the closed connection, as with a dead
// process. It waits for the handlers to return. Close after Crash is a
// no-op.
func (s *Server) Crash() {
	s.once.Do(func() {
		s.sever()
		s.cancel()
		<-s.served
		s.waitHandlers()
	})
}

// sever closes the listener and every connection at once, without
// cancelling or waiting for handlers: nothing written after it reaches a
// client. It may be called before Crash and more than once.
func (s *Server) sever() { s.srv.Close() }
