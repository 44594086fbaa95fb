// Package client is the Go client of Paraph's JSON API (/api/v1). The
// paraph command line uses it, and so can any integration. Errors from the
// server come back as *paraph.Error with the server's code, reason, field and
// message.
package client

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"paraph"
)

// Client talks to one Paraph server.
type Client struct {
	base  string
	token string
	http  *http.Client
}

// New returns a client of the server at baseURL (e.g. https://paraph.example.com)
// authenticating with token ("" for none).
func New(baseURL, token string) (*Client, error) {
	u, err := url.Parse(baseURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("client: server %q: want an http:// or https:// URL", baseURL)
	}
	return &Client{base: strings.TrimRight(baseURL, "/"), token: token, http: &http.Client{Timeout: 5 * time.Minute}}, nil
}

// WithToken returns a copy of the client that authenticates with token.
func (c *Client) WithToken(token string) *Client {
	cp := *c
	cp.token = token
	return &cp
}

// Token returns the token the client authenticates with.
func (c *Client) Token() string { return c.token }

// problem is the server's RFC 9457 error document.
type problem struct {
	Status    int    `json:"status"`
	Detail    string `json:"detail"`
	Code      string `json:"code"`
	Reason    string `json:"reason"`
	Field     string `json:"field"`
	RequestID string `json:"request_id"`
}

// do sends a JSON request and decodes a JSON answer into out (when not nil).
func (c *Client) do(ctx context.Context, method, path string, in, out any) error {
	var body io.Reader
	if in != nil {
		b, err := json.Marshal(in)
		if err != nil {
			return err
		}
		body = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, c.base+path, body)
	if err != nil {
		return err
	}
	if in != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	return c.send(req, out)
}

func (c *Client) send(req *http.Request, out any) error {
	req.Header.Set("Accept", "application/json")
	if c.token != "" {
		req.Header.Set("Authorization", "Bearer "+c.token)
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return fmt.Errorf("client: %s %s: %w", req.Method, req.URL.Path, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode >= 400 {
		var p problem
		raw, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
		if json.Unmarshal(raw, &p) != nil || p.Code == "" {
			return &paraph.Error{Code: paraph.EINTERNAL, Reason: "bad_answer",
				Message: fmt.Sprintf("the server answered %s", resp.Status)}
		}
		return &paraph.Error{Code: p.Code, Reason: p.Reason, Field: p.Field, Message: p.Detail}
	}
	if out == nil || resp.StatusCode == http.StatusNoContent {
		return nil
	}
	if w, ok := out.(io.Writer); ok {
		_, err := io.Copy(w, resp.Body)
		return err
	}
	if err := json.NewDecoder(resp.Body).Decode(out); err != nil {
		return fmt.Errorf("client: %s %s: decode answer: %w", req.Method, req.URL.Path, err)
	}
	return nil
}

// Session is what logging in gives.
type Session struct {
	Token     string    `json:"token"`
	ExpiresAt time.Time `json:"expires_at"`
}

// Login logs in with a password.
func (c *Client) Login(ctx context.Context, login, password string) (*Session, error) {
	var s Session
	err := c.do(ctx, "POST", "/api/v1/auth/login", map[string]string{"login": login, "password": password}, &s)
	return &s, err
}

// Account is the answer of GET /api/v1/me.
type Account struct {
	ID       string `json:"id"`
	FullName string `json:"full_name"`
	Login    string `json:"login"`
	Email    string `json:"email"`
	Phone    string `json:"phone"`
	Language string `json:"language"`
}

// Me returns the account the token belongs to.
func (c *Client) Me(ctx context.Context) (*Account, error) {
	var a Account
	err := c.do(ctx, "GET", "/api/v1/me", nil, &a)
	return &a, err
}

// Organization is an organization as the API shows it.
type Organization struct {
	ID      string `json:"id"`
	Name    string `json:"name"`
	Country string `json:"country"`
	Role    string `json:"role"`
}

// Organizations lists the organizations the caller belongs to.
func (c *Client) Organizations(ctx context.Context) ([]Organization, error) {
	var out struct {
		Items []Organization `json:"items"`
	}
	err := c.do(ctx, "GET", "/api/v1/orgs", nil, &out)
	return out.Items, err
}

// WithHTTPClient returns a copy of the client that sends through hc (for
// tuned transports: proxies, timeouts, many connections).
func (c *Client) WithHTTPClient(hc *http.Client) *Client {
	cp := *c
	cp.http = hc
	return &cp
}
