package api_test

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"

	"paraph/internal/api"
	"paraph/internal/servertest"
	"paraph/internal/storetest"
)

func TestMain(m *testing.M) { storetest.Main(m) }

type client struct {
	t     *testing.T
	base  string
	token string
}

type reply struct {
	status int
	header http.Header
	body   string
	json   map[string]any
}

func (c *client) do(method, path, body string, headers ...string) reply {
	c.t.Helper()
	req, err := http.NewRequest(method, c.base+path, strings.NewReader(body))
	if err != nil {
		c.t.Fatal(err)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	if c.token != "" {
		req.Header.Set("Authorization", "Bearer "+c.token)
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		c.t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	r := reply{status: resp.StatusCode, header: resp.Header, body: string(raw)}
	json.Unmarshal(raw, &r.json)
	return r
}

// scenario is one step of a user's path through the API.
type scenario struct {
	name       string
	method     string
	path       string
	body       string
	wantStatus int
	wantReason string // for problem+json answers
	wantBody   string // a substring of the body
}

func (c *client) run(steps []scenario) {
	c.t.Helper()
	for _, s := range steps {
		r := c.do(s.method, s.path, s.body)
		if r.status != s.wantStatus {
			c.t.Fatalf("%s: %s %s: status %d, want %d; body %s", s.name, s.method, s.path, r.status, s.wantStatus, r.body)
		}
		if s.wantReason != "" {
			if ct := r.header.Get("Content-Type"); ct != "application/problem+json" {
				c.t.Fatalf("%s: content type %q", s.name, ct)
			}
			if r.json["reason"] != s.wantReason || r.json["status"] != float64(s.wantStatus) || r.json["detail"] == "" {
				c.t.Fatalf("%s: problem %s, want reason %s", s.name, r.body, s.wantReason)
			}
		}
		if s.wantBody != "" && !strings.Contains(r.body, s.wantBody) {
			c.t.Fatalf("%s: body %s does not contain %q", s.name, r.body, s.wantBody)
		}
	}
}

func TestAccountAPI(t *testing.T) {
	for _, dialect := range storetest.Dialects {
		t.Run(dialect, func(t *testing.T) {
			env := servertest.New(t, dialect, nil)
			c := &client{t: t, base: env.URL}
			c.run([]scenario{
				{"broken JSON", "POST", "/api/v1/auth/register", `{"login":`, 422, "invalid_json", ""},
				{"empty body", "POST", "/api/v1/auth/register", ``, 422, "invalid_json", ""},
				{"unknown field", "POST", "/api/v1/auth/register", `{"email":"a@example.com"}`, 422, "unknown_field", `"field":"email"`},
				{"wrong type", "POST", "/api/v1/auth/register", `{"login":5}`, 422, "invalid_json", ""},
				{"body over 1 MiB", "POST", "/api/v1/auth/register", `{"full_name":"` + strings.Repeat("я", 600_000) + `"}`, 422, "body_too_large", ""},
				{"malformed email", "POST", "/api/v1/auth/register", `{"login":"anna@","password":"correct horse battery","full_name":"Анна"}`, 422, "invalid_email", `"field":"login"`},
				{"malformed phone", "POST", "/api/v1/auth/register", `{"login":"+7 12","password":"correct horse battery","full_name":"Анна"}`, 422, "invalid_phone", ""},
				{"weak password", "POST", "/api/v1/auth/register", `{"login":"anna@example.com","password":"1234567890","full_name":"Анна"}`, 422, "weak_password_common", `"field":"password"`},
				{"register", "POST", "/api/v1/auth/register", `{"login":"Anna@Example.com","password":"correct horse battery","full_name":"Анна Петрова"}`, 201, "", `"status":"pending"`},
				{"resend too soon", "POST", "/api/v1/auth/resend", `{"login":"anna@example.com"}`, 429, "code_resend_too_soon", ""},
				{"login before confirming", "POST", "/api/v1/auth/login", `{"login":"anna@example.com","password":"correct horse battery"}`, 403, "not_confirmed", ""},
			})
			code := env.Code(t, "anna@example.com")
			wrong := "000000"
			if code == wrong {
				wrong = "111111"
			}
			c.run([]scenario{
				{"wrong code", "POST", "/api/v1/auth/confirm", `{"login":"anna@example.com","code":"` + wrong + `"}`, 422, "wrong_code", `"tries_left":4`},
				{"confirm", "POST", "/api/v1/auth/confirm", `{"login":"anna@example.com","code":"` + code + `"}`, 200, "", `"status":"active"`},
				{"login taken", "POST", "/api/v1/auth/register", `{"login":"anna@example.com","password":"correct horse battery","full_name":"X"}`, 409, "login_taken", ""},
				{"wrong password", "POST", "/api/v1/auth/login", `{"login":"anna@example.com","password":"wrong password"}`, 401, "wrong_credentials", ""},
				{"me without token", "GET", "/api/v1/me", "", 401, "unauthenticated", ""},
				{"unknown route", "GET", "/api/v1/nothing", "", 404, "no_such_route", ""},
			})
			r := c.do("POST", "/api/v1/auth/login", `{"login":"anna@example.com","password":"correct horse battery"}`)
			if r.status != 200 || r.json["token"] == nil || r.json["expires_at"] == nil {
				t.Fatalf("login: %d %s", r.status, r.body)
			}
			c.token = r.json["token"].(string)
			c.run([]scenario{
				{"me", "GET", "/api/v1/me", "", 200, "", `"login":"anna@example.com"`},
				{"rename", "PATCH", "/api/v1/me", `{"full_name":"Анна Сергеевна Петрова","language":"uk"}`, 200, "", `"language":"uk"`},
				{"bad language", "PATCH", "/api/v1/me", `{"language":"de"}`, 422, "invalid_language", ""},
				{"token without name", "POST", "/api/v1/me/tokens", `{"name":""}`, 422, "token_name_required", ""},
			})
			r = c.do("POST", "/api/v1/me/tokens", `{"name":"1С:Бухгалтерия"}`)
			if r.status != 201 || !strings.HasPrefix(r.json["token"].(string), "ppt_") {
				t.Fatalf("create token: %d %s", r.status, r.body)
			}
			personal := &client{t: t, base: env.URL, token: r.json["token"].(string)}
			personal.run([]scenario{{"personal token works", "GET", "/api/v1/me", "", 200, "", "Анна Сергеевна Петрова"}})
			list := c.do("GET", "/api/v1/me/tokens", "")
			if list.status != 200 || strings.Contains(list.body, personal.token) || !strings.Contains(list.body, "1С:Бухгалтерия") {
				t.Fatalf("token list must name the token and never show its secret: %s", list.body)
			}
			id := r.json["id"].(string)
			c.run([]scenario{
				{"revoke", "DELETE", "/api/v1/me/tokens/" + id, "", 204, "", ""},
				{"revoke again", "DELETE", "/api/v1/me/tokens/" + id, "", 404, "not_found", ""},
			})
			personal.run([]scenario{{"revoked token refused", "GET", "/api/v1/me", "", 401, "invalid_token", ""}})
			c.run([]scenario{
				{"change password, wrong current", "POST", "/api/v1/me/password", `{"current_password":"nope nope nope","password":"brand new secret 1"}`, 422, "wrong_password", `"field":"current_password"`},
				{"change password", "POST", "/api/v1/me/password", `{"current_password":"correct horse battery","password":"brand new secret 1"}`, 204, "", ""},
				{"logout", "POST", "/api/v1/auth/logout", "", 204, "", ""},
				{"after logout", "GET", "/api/v1/me", "", 401, "invalid_token", ""},
			})
			// Forgotten password.
			c.token = ""
			c.run([]scenario{{"reset request", "POST", "/api/v1/auth/reset", `{"login":"anna@example.com"}`, 202, "", ""},
				{"reset request, unknown login, same answer", "POST", "/api/v1/auth/reset", `{"login":"ghost@example.com"}`, 202, "", ""}})
			code = env.Code(t, "anna@example.com")
			c.run([]scenario{
				{"reset", "POST", "/api/v1/auth/reset/confirm", `{"login":"anna@example.com","code":"` + code + `","password":"after reset secret"}`, 204, "", ""},
				{"login with the new password", "POST", "/api/v1/auth/login", `{"login":"anna@example.com","password":"after reset secret"}`, 200, "", "ppb_"},
			})
		})
	}
}

func TestLoginRateLimitHeader(t *testing.T) {
	env := servertest.New(t, "sqlite", nil)
	c := &client{t: t, base: env.URL}
	var last reply
	for range 12 {
		last = c.do("POST", "/api/v1/auth/login", `{"login":"victim@example.com","password":"guess guess guess"}`)
	}
	if last.status != 429 || last.header.Get("Retry-After") == "" || last.json["reason"] != "login_rate_limited" {
		t.Fatalf("after 12 tries: %d %v %s", last.status, last.header.Get("Retry-After"), last.body)
	}
}

func TestServiceEndpoints(t *testing.T) {
	env := servertest.New(t, "sqlite", nil)
	c := &client{t: t, base: env.URL}
	r := c.do("GET", "/healthz", "")
	if r.status != 200 || r.json["status"] != "ok" {
		t.Fatalf("healthz: %d %s", r.status, r.body)
	}
	r = c.do("GET", "/api/v1/openapi.json", "")
	if r.status != 200 || !bytes.Equal([]byte(r.body), api.OpenAPIDocument()) {
		t.Fatalf("openapi: %d", r.status)
	}
	c.do("POST", "/api/v1/auth/register", `{"login":"m@example.com","password":"correct horse battery","full_name":"M"}`)
	r = c.do("GET", "/metrics", "")
	for _, want := range []string{
		`paraph_http_requests_total{method="POST",route="POST /api/v1/auth/register",status="201"} 1`,
		`paraph_http_request_duration_seconds_bucket{method="GET",route="GET /healthz"`,
		`paraph_jobs{state="queued"} 1`,
	} {
		if !strings.Contains(r.body, want) {
			t.Errorf("metrics lack %s", want)
		}
	}
	// Safe headers on every answer.
	for h, want := range map[string]string{"X-Content-Type-Options": "nosniff", "X-Frame-Options": "DENY"} {
		if got := r.header.Get(h); got != want {
			t.Errorf("%s: %q", h, got)
		}
	}
	if r.header.Get("X-Request-Id") == "" || !strings.Contains(r.header.Get("Content-Security-Policy"), "default-src 'self'") {
		t.Errorf("headers: %v", r.header)
	}
}
