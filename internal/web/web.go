// Package web serves Paraph's server-rendered HTML UI.
package web

import (
	"log/slog"
	"net/http"

	"paraph/internal/core"
)

// Options configure the web UI.
type Options struct {
	BaseURL string
	Dev     bool
	Log     *slog.Logger
}

// Web is the HTML surface.
type Web struct {
	svc  *core.Service
	opts Options
}

// New parses the templates and returns the web UI.
func New(svc *core.Service, opts Options) (*Web, error) {
	return &Web{svc: svc, opts: opts}, nil
}

// Register adds the web routes to mux.
func (w *Web) Register(mux *http.ServeMux) {
	mux.HandleFunc("/", http.NotFound)
}
