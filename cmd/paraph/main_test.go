package main

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"mime"
	"mime/quotedprintable"
	"net/http"
	"net/mail"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"paraph"
	"paraph/internal/blob"
	"paraph/internal/core"
	"paraph/internal/notify/smtptest"
	"paraph/internal/storetest"
)

func TestMain(m *testing.M) { storetest.Main(m) }

// syncBuffer is a bytes.Buffer safe for the server's goroutines.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// startServe runs "paraph serve" in-process and returns its base URL and a
// stop function that cancels it (as SIGTERM does) and returns run's error.
func startServe(t *testing.T, args ...string) (string, func() error, *syncBuffer) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	stdout, stderr := &syncBuffer{}, &syncBuffer{}
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, append([]string{"serve", "--addr", "127.0.0.1:0"}, args...), nil, stdout, stderr)
	}()
	addrRe := regexp.MustCompile(`msg=listening addr=(\S+)`)
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		if m := addrRe.FindStringSubmatch(stderr.String()); m != nil {
			return "http://" + m[1], func() error { cancel(); return <-done }, stderr
		}
		select {
		case err := <-done:
			t.Fatalf("serve exited: %v\n%s", err, stderr.String())
		case <-time.After(20 * time.Millisecond):
		}
	}
	cancel()
	t.Fatalf("serve did not start:\n%s", stderr.String())
	return "", nil, nil
}

func postJSON(t *testing.T, url, body string) (int, map[string]any) {
	t.Helper()
	resp, err := http.Post(url, "application/json", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out map[string]any
	json.NewDecoder(resp.Body).Decode(&out)
	return resp.StatusCode, out
}

// The whole binary on each database: a person registers through the API, the
// code arrives by email at a real SMTP server on loopback, and confirms.
func TestServeDeliversCodesBySMTP(t *testing.T) {
	for _, dialect := range storetest.Dialects {
		t.Run(dialect, func(t *testing.T) {
			smtp := smtptest.Start(t, smtptest.Plain)
			args := []string{"--data", t.TempDir(), "--smtp-url", "smtp://" + smtp.Addr + "?starttls=off", "--smtp-from", "Paraph <noreply@paraph.test>"}
			if dialect == "postgres" {
				db := storetest.MustOpenEmpty(t, dialect) // a fresh database for the binary
				args = append(args, "--database", db.Source())
				db.Close()
			}
			base, stop, logs := startServe(t, args...)
			status, body := postJSON(t, base+"/api/v1/auth/register", `{"login":"ivan@example.com","password":"correct horse battery","full_name":"Иван Петров","language":"ru"}`)
			if status != 201 {
				t.Fatalf("register: %d %v", status, body)
			}
			var msg *mail.Message
			for deadline := time.Now().Add(10 * time.Second); msg == nil && time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
				if ms := smtp.Messages(); len(ms) > 0 {
					var err error
					if msg, err = mail.ReadMessage(bytes.NewReader(ms[0].Data)); err != nil {
						t.Fatal(err)
					}
					if ms[0].To[0] != "ivan@example.com" {
						t.Fatalf("sent to %v", ms[0].To)
					}
				}
			}
			if msg == nil {
				t.Fatalf("no email arrived\n%s", logs.String())
			}
			subject, err := new(mime.WordDecoder).DecodeHeader(msg.Header.Get("Subject"))
			if err != nil || !strings.Contains(subject, "Paraph") || !regexp.MustCompile(`[А-Яа-я]`).MatchString(subject) {
				t.Fatalf("subject %q (%v): want a Russian subject", subject, err)
			}
			raw, _ := io.ReadAll(msg.Body)
			text := decodeBody(t, msg.Header.Get("Content-Transfer-Encoding"), raw)
			code := regexp.MustCompile(`\b\d{6}\b`).FindString(text)
			if code == "" {
				t.Fatalf("no code in %q", text)
			}
			status, body = postJSON(t, base+"/api/v1/auth/confirm", fmt.Sprintf(`{"login":"ivan@example.com","code":%q}`, code))
			if status != 200 || body["status"] != "active" {
				t.Fatalf("confirm: %d %v", status, body)
			}
			if err := stop(); err != nil {
				t.Fatalf("serve returned %v on stop", err)
			}
			if !strings.Contains(logs.String(), "msg=stopped") {
				t.Fatalf("no clean stop in the log:\n%s", logs.String())
			}
		})
	}
}

func decodeBody(t *testing.T, cte string, raw []byte) string {
	t.Helper()
	switch strings.ToLower(cte) {
	case "quoted-printable":
		r, err := io.ReadAll(qpReader(raw))
		if err != nil {
			t.Fatal(err)
		}
		return string(r)
	case "base64":
		return decodeBase64(t, raw)
	}
	return string(raw)
}

// A request in flight when the server is told to stop still gets its answer.
func TestServeDrainsRequestsOnStop(t *testing.T) {
	base, stop, _ := startServe(t, "--data", t.TempDir())
	// A registration costs an argon2 hash: it is in flight while stop is called.
	type answer struct {
		status int
		err    error
	}
	got := make(chan answer, 1)
	go func() {
		resp, err := http.Post(base+"/api/v1/auth/register", "application/json",
			strings.NewReader(`{"login":"drain@example.com","password":"correct horse battery","full_name":"D"}`))
		if err != nil {
			got <- answer{err: err}
			return
		}
		resp.Body.Close()
		got <- answer{status: resp.StatusCode}
	}()
	time.Sleep(5 * time.Millisecond)
	if err := stop(); err != nil {
		t.Fatal(err)
	}
	a := <-got
	if a.err != nil || a.status != 201 {
		t.Fatalf("in-flight request: %d %v", a.status, a.err)
	}
	if _, err := http.Get(base + "/healthz"); err == nil {
		t.Fatal("the server still answers after stopping")
	}
}

func TestConfigErrors(t *testing.T) {
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"serve", "--addr", "nonsense"}, "--addr / PARAPH_ADDR"},
		{[]string{"serve", "--database", "mysql://x"}, "must be a postgres:// URL"},
		{[]string{"serve", "--base-url", "ftp://x"}, "--base-url"},
		{[]string{"serve", "--workers", "0"}, "--workers"},
		{[]string{"serve", "--log-level", "loud"}, "--log-level"},
		{[]string{"serve", "--no-such-flag"}, "flag provided but not defined"},
		{[]string{"frobnicate"}, `unknown command "frobnicate"`},
		{[]string{"serve", "--data", filepath.Join(t.TempDir(), "x"), "--smtp-url", "http://mail"}, "SMTP URL"},
	} {
		var stdout, stderr bytes.Buffer
		err := run(context.Background(), c.args, nil, &stdout, &stderr)
		if err == nil || !strings.Contains(err.Error(), c.want) || exitCode(err) != 2 {
			t.Errorf("%v: got %v (exit %d), want a usage error containing %q", c.args, err, exitCode(err), c.want)
		}
		if strings.Contains(oneLine(err), "\n") {
			t.Errorf("%v: the message is not one line", c.args)
		}
	}
}

func TestAccountCreateAndAuditVerify(t *testing.T) {
	data := t.TempDir()
	var out, errb bytes.Buffer
	err := run(context.Background(), []string{"account", "create", "--data", data, "--login", "admin@example.com", "--name", "Админ"},
		strings.NewReader("long admin password\n"), &out, &errb)
	if err != nil || !strings.Contains(out.String(), "created for admin@example.com") {
		t.Fatalf("create: %v %s %s", err, out.String(), errb.String())
	}
	err = run(context.Background(), []string{"account", "create", "--data", data, "--login", "admin@example.com", "--name", "X"},
		strings.NewReader("long admin password\n"), &out, &errb)
	if err == nil || !strings.Contains(err.Error(), "already exists") {
		t.Fatalf("second create: %v", err)
	}
	out.Reset()
	if err := run(context.Background(), []string{"account", "admin", "--data", data, "--login", "Admin@example.com"}, nil, &out, &errb); err != nil ||
		!strings.Contains(out.String(), "admin@example.com is now the instance administrator") {
		t.Fatalf("admin: %v %s", err, out.String())
	}
	if err := run(context.Background(), []string{"account", "admin", "--data", data, "--login", "ghost@example.com"}, nil, &out, &errb); err == nil {
		t.Fatal("made an unknown account admin")
	}
	out.Reset()
	if err := run(context.Background(), []string{"audit", "verify", "--data", data}, nil, &out, &errb); err != nil || !strings.Contains(out.String(), "intact: 2 events") {
		t.Fatalf("audit verify: %v %s", err, out.String())
	}
}

func qpReader(raw []byte) io.Reader { return quotedprintable.NewReader(bytes.NewReader(raw)) }

func decodeBase64(t *testing.T, raw []byte) string {
	t.Helper()
	b, err := base64.StdEncoding.DecodeString(strings.Join(strings.Fields(string(raw)), ""))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// The demo seeds an accounting firm and three client companies in which
// every demo person can log in, with every role present.
func TestDemoSeed(t *testing.T) {
	ctx := context.Background()
	db := storetest.MustOpen(t, "sqlite")
	blobs, err := blob.NewDir(filepath.Join(t.TempDir(), "blobs"))
	if err != nil {
		t.Fatal(err)
	}
	svc, err := core.New(ctx, db, paraph.SystemClock{}, slog.New(slog.DiscardHandler), core.Config{Password: core.PasswordParams{MemoryKiB: 1024, Time: 1, Threads: 1}, Blobs: blobs})
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	if err := seedDemo(ctx, svc, dir); err != nil {
		t.Fatal(err)
	}
	if err := seedDemo(ctx, svc, dir); err != nil {
		t.Fatalf("seeding twice: %v", err)
	}
	roles := map[paraph.Role]int{}
	for _, p := range demoPeople {
		_, tok, err := svc.Login(ctx, p.Login, DemoPassword, "bearer")
		if err != nil {
			t.Fatalf("%s cannot log in: %v", p.Login, err)
		}
		pr, _ := svc.Authenticate(ctx, tok.Secret)
		orgs, err := svc.Organizations(core.WithPrincipal(ctx, pr))
		if err != nil || len(orgs) == 0 {
			t.Fatalf("%s has no organization: %v", p.Login, err)
		}
		for _, o := range orgs {
			roles[o.Role]++
		}
		if p.Login == "accountant@demo.paraph.local" && len(orgs) != 4 {
			t.Fatalf("the accountant serves %d organizations, want 4", len(orgs))
		}
	}
	for _, r := range []paraph.Role{paraph.RoleOwner, paraph.RoleAdmin, paraph.RoleSigner, paraph.RoleEmployee} {
		if roles[r] == 0 {
			t.Errorf("no demo member is %s", r)
		}
	}
	// Documents at every step of the funnel, and keys to sign with.
	sales, err := demoLogin(ctx, svc, "sales@demo.paraph.local")
	if err != nil {
		t.Fatal(err)
	}
	orgs, _ := svc.Organizations(sales)
	f, err := svc.DocumentFunnel(sales, orgs[0].ID)
	if err != nil {
		t.Fatal(err)
	}
	for _, step := range []string{"draft", "waiting_us", "waiting_counterparty", "completed", "declined_or_revoked"} {
		if f.Counts[step] == 0 {
			t.Errorf("no demo document is %s: %v", step, f.Counts)
		}
	}
	for _, name := range []string{"romashka@demo.paraph.local.pem", "romashka@demo.paraph.local.key"} {
		if _, err := os.Stat(filepath.Join(dir, "demo-keys", name)); err != nil {
			t.Errorf("demo key file: %v", err)
		}
	}
}

// The client commands against a running server: log in, whoami; a wrong
// password is one error line and a non-zero exit.
func TestClientLoginAndWhoami(t *testing.T) {
	data := t.TempDir()
	base, stop, _ := startServe(t, "--data", data)
	defer stop()
	t.Setenv("PARAPH_CREDENTIALS", filepath.Join(t.TempDir(), "cred.json"))
	ctx := context.Background()
	var out, errb bytes.Buffer
	if err := run(ctx, []string{"account", "create", "--data", data, "--login", "cli@example.com", "--name", "Кли Клиентов"},
		strings.NewReader("cli password 2026\n"), &out, &errb); err != nil {
		t.Fatal(err)
	}
	if err := run(ctx, []string{"login", "--server", base, "--login", "cli@example.com"}, strings.NewReader("wrong password\n"), &out, &errb); err == nil ||
		!strings.Contains(err.Error(), "Wrong login or password") || exitCode(err) != 1 {
		t.Fatalf("wrong password: %v", err)
	}
	if err := run(ctx, []string{"whoami"}, nil, &out, &errb); err == nil || !strings.Contains(err.Error(), "not logged in") {
		t.Fatalf("whoami before login: %v", err)
	}
	if err := run(ctx, []string{"login", "--server", base, "--login", "cli@example.com"}, strings.NewReader("cli password 2026\n"), &out, &errb); err != nil {
		t.Fatal(err)
	}
	out.Reset()
	if err := run(ctx, []string{"whoami"}, nil, &out, &errb); err != nil || !strings.Contains(out.String(), "Кли Клиентов <cli@example.com>") {
		t.Fatalf("whoami: %v %q", err, out.String())
	}
	info, err := os.Stat(os.Getenv("PARAPH_CREDENTIALS"))
	if err != nil || info.Mode().Perm() != 0o600 {
		t.Fatalf("credentials file: %v %v", info, err)
	}
}
