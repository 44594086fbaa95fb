// Package server assembles Paraph's HTTP surface: the route table of the
// whole binary, the middleware every request passes (request id, recovery,
// safe headers, client info, metrics), and a graceful start and stop. What a
// route does lives in web (HTML) and api (JSON); both call core.
package server

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"paraph/internal/api"
	"paraph/internal/core"
	"paraph/internal/jobs"
	"paraph/internal/notify"
	"paraph/internal/store"
	"paraph/internal/web"
)

// Options configure a Server.
type Options struct {
	Addr       string
	BaseURL    string // public URL, e.g. https://paraph.example.com
	Dev        bool
	TrustProxy bool // take the client IP from X-Forwarded-For (only behind a proxy you run)
	Workers    int  // job workers
	Sender     notify.Sender
}

// Server is one running Paraph instance.
type Server struct {
	opts    Options
	db      *store.DB
	svc     *core.Service
	runner  *jobs.Runner
	log     *slog.Logger
	handler http.Handler
	reg     *prometheus.Registry
}

// New wires the service, the job runner and the routes.
func New(db *store.DB, svc *core.Service, log *slog.Logger, opts Options) (*Server, error) {
	if opts.Workers == 0 {
		opts.Workers = 4
	}
	s := &Server{opts: opts, db: db, svc: svc, log: log}
	s.runner = jobs.New(db, svc.Clock(), log, opts.Workers)
	sender := opts.Sender
	s.runner.Handle(core.JobNotify, func(ctx context.Context, payload string) (string, error) {
		return svc.Deliver(ctx, sender, payload)
	})
	s.runner.Handle(core.JobCertificateReminders, func(ctx context.Context, payload string) (string, error) {
		_, err := svc.RemindExpiringCertificates(ctx)
		return payload, err
	})
	s.runner.Schedule(core.JobCertificateReminders, time.Hour)
	s.runner.Handle(core.JobReminders, func(ctx context.Context, payload string) (string, error) {
		_, err := svc.RemindWaiting(ctx)
		return payload, err
	})
	s.runner.Schedule(core.JobReminders, time.Hour)
	s.runner.Handle(core.JobFinal, svc.BuildFinal)
	svc.OnEnqueue(s.runner.Wake)

	s.reg = prometheus.NewRegistry()
	m := newMetrics(s.reg, db)

	w, err := web.New(svc, web.Options{BaseURL: opts.BaseURL, Dev: opts.Dev, Log: log})
	if err != nil {
		return nil, fmt.Errorf("server: web: %w", err)
	}
	// One route table for the whole binary, so every request's pattern is
	// known to the metrics and no path is served by two surfaces.
	mux := http.NewServeMux()
	api.New(svc, log).Register(mux)
	w.Register(mux)
	mux.HandleFunc("GET /healthz", s.healthz)
	mux.Handle("GET /metrics", promhttp.HandlerFor(s.reg, promhttp.HandlerOpts{}))

	secure := len(opts.BaseURL) > 8 && opts.BaseURL[:8] == "https://"
	s.handler = chain(mux,
		recoverer(log),
		requestID(log),
		safeHeaders(secure),
		clientInfo(opts.TrustProxy),
		m.instrument, // last: the mux sets r.Pattern on the request it is given
	)
	return s, nil
}

// Handler returns the whole HTTP surface (tests serve it with httptest).
func (s *Server) Handler() http.Handler { return s.handler }

// Runner returns the job runner, for tests that run jobs by hand.
func (s *Server) Runner() *jobs.Runner { return s.runner }

func (s *Server) healthz(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
	defer cancel()
	w.Header().Set("Content-Type", "application/json")
	if err := s.db.SQL().PingContext(ctx); err != nil {
		s.log.Error("healthz: database", "err", err)
		w.WriteHeader(http.StatusServiceUnavailable)
		fmt.Fprint(w, `{"status":"unavailable","database":"down"}`)
		return
	}
	fmt.Fprintf(w, `{"status":"ok","database":%q}`, s.db.Dialect())
}

// ChainAudit links pending audit events into the chain every second until
// ctx ends; Run runs it, and links the last ones once the jobs have stopped.
// A program that serves Handler itself runs it too.
func (s *Server) ChainAudit(ctx context.Context) {
	tick := time.NewTicker(time.Second)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
			if _, err := s.svc.ChainAudit(ctx); err != nil && ctx.Err() == nil {
				s.log.Error("audit chain", "err", err)
			}
		}
	}
}

// Run serves on the configured address until ctx is cancelled, then stops
// taking requests, lets those in flight finish (up to 30 s), and waits for the
// running jobs to finish.
func (s *Server) Run(ctx context.Context, ready func(addr string)) error {
	ln, err := net.Listen("tcp", s.opts.Addr)
	if err != nil {
		return fmt.Errorf("server: listen on %s: %w", s.opts.Addr, err)
	}
	srv := &http.Server{
		Handler:           s.handler,
		ReadHeaderTimeout: 10 * time.Second,
		IdleTimeout:       2 * time.Minute,
		ErrorLog:          slog.NewLogLogger(s.log.Handler(), slog.LevelWarn),
	}
	jobsCtx, stopJobs := context.WithCancel(context.Background())
	s.runner.Start(jobsCtx)
	chained := make(chan struct{})
	go func() {
		defer close(chained)
		s.ChainAudit(jobsCtx)
	}()
	if ready != nil {
		ready(ln.Addr().String())
	}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		stopJobs()
		s.runner.Wait()
		<-chained
		return fmt.Errorf("server: %w", err)
	case <-ctx.Done():
	}
	s.log.Info("shutting down: draining requests and jobs")
	shutCtx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	err = srv.Shutdown(shutCtx)
	stopJobs()
	s.runner.Wait()
	<-chained
	if _, err := s.svc.ChainAudit(shutCtx); err != nil {
		s.log.Error("audit chain", "err", err)
	}
	if err != nil && !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("server: shutdown: %w", err)
	}
	s.log.Info("stopped")
	return nil
}
