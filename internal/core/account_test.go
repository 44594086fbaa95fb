package core_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"path/filepath"
	"regexp"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"paraph"
	"paraph/internal/blob"
	"paraph/internal/core"
	"paraph/internal/notify"
	"paraph/internal/store"
	"paraph/internal/storetest"
)

func TestMain(m *testing.M) { storetest.Main(m) }

// fastPasswords keeps argon2 cheap in tests; the real costs are benchmarked.
var fastPasswords = core.PasswordParams{MemoryKiB: 1024, Time: 1, Threads: 1}

type env struct {
	svc   *core.Service
	db    *store.DB
	clock *paraph.FixedClock
	sent  *outbox
	blobs *countingBlobs
}

// countingBlobs counts the stored files opened.
type countingBlobs struct {
	blob.Store
	opens atomic.Int64
}

func (c *countingBlobs) Open(ctx context.Context, sum string) (io.ReadSeekCloser, int64, error) {
	c.opens.Add(1)
	return c.Store.Open(ctx, sum)
}

// outbox is a Sender that keeps what it was given.
type outbox struct {
	mu   sync.Mutex
	msgs []notify.Message
}

func (o *outbox) Send(_ context.Context, m notify.Message) error {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.msgs = append(o.msgs, m)
	return nil
}

var codeRe = regexp.MustCompile(`\b(\d{6})\b`)

// lastCode delivers the queued messages and returns the code in the newest one to "to".
func (e *env) lastCode(t *testing.T, to string) string {
	t.Helper()
	e.deliver(t)
	e.sent.mu.Lock()
	defer e.sent.mu.Unlock()
	for i := len(e.sent.msgs) - 1; i >= 0; i-- {
		if m := e.sent.msgs[i]; m.To == to {
			if c := codeRe.FindStringSubmatch(m.Body); c != nil {
				return c[1]
			}
		}
	}
	t.Fatalf("no code sent to %s", to)
	return ""
}

// deliver runs every due notify job through the service, as the runner would.
func (e *env) deliver(t *testing.T) {
	t.Helper()
	ctx := context.Background()
	for {
		var j *store.Job
		if err := e.db.Write(ctx, func(tx *store.Tx) (err error) { j, err = tx.ClaimJob(ctx, e.clock.Now(), time.Minute); return }); err != nil {
			t.Fatal(err)
		}
		if j == nil {
			return
		}
		kept, err := e.svc.Deliver(ctx, e.sent, j.Payload)
		if err != nil {
			t.Fatal(err)
		}
		if err := e.db.Write(ctx, func(tx *store.Tx) error { return tx.FinishJob(ctx, j.ID, e.clock.Now(), kept) }); err != nil {
			t.Fatal(err)
		}
	}
}

func newEnv(t *testing.T, db *store.DB) *env {
	t.Helper()
	// The clock stands still at the real time: the tests' certificates are
	// valid from an hour before it.
	clock := paraph.NewFixedClock(time.Now().UTC().Truncate(time.Second))
	dir, err := blob.NewDir(filepath.Join(t.TempDir(), "blobs"))
	if err != nil {
		t.Fatal(err)
	}
	blobs := &countingBlobs{Store: dir}
	svc, err := core.New(context.Background(), db, clock, slog.New(slog.DiscardHandler), core.Config{Password: fastPasswords, Dev: true, Blobs: blobs})
	if err != nil {
		t.Fatal(err)
	}
	return &env{svc: svc, db: db, clock: clock, sent: &outbox{}, blobs: blobs}
}

func ctxFrom(ip string) context.Context {
	return core.WithClient(context.Background(), core.Client{IP: ip, UserAgent: "test"})
}

func wantReason(t *testing.T, err error, reason string) {
	t.Helper()
	if got := paraph.ErrorReason(err); got != reason {
		t.Fatalf("got error %v (reason %q), want reason %q", err, got, reason)
	}
}

func TestRegisterConfirmLogin(t *testing.T) {
	storetest.EachDB(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		ctx := ctxFrom("192.0.2.1")
		acc, err := e.svc.Register(ctx, core.Registration{Login: " Anna@Example.COM ", Password: "correct horse battery", FullName: "Анна  Иванова", Language: "uk"})
		if err != nil {
			t.Fatal(err)
		}
		if acc.Email != "anna@example.com" || acc.FullName != "Анна Иванова" || acc.Status != paraph.AccountPending || acc.Language != "uk" {
			t.Fatalf("registered %+v", acc)
		}
		// Not confirmed yet: the right password still does not open the door.
		_, _, err = e.svc.Login(ctx, "anna@example.com", "correct horse battery", store.TokenBearer)
		wantReason(t, err, "not_confirmed")

		code := e.lastCode(t, "anna@example.com")
		e.sent.mu.Lock()
		msg := e.sent.msgs[len(e.sent.msgs)-1]
		e.sent.mu.Unlock()
		if msg.Channel != notify.Email || msg.IdempotencyKey == "" {
			t.Fatalf("message: %+v", msg)
		}
		// The code is not kept in clear once the message went out.
		var payloads []string
		rows, _ := db.SQL().Query(`SELECT payload FROM jobs`)
		for rows.Next() {
			var p string
			rows.Scan(&p)
			payloads = append(payloads, p)
		}
		rows.Close()
		for _, p := range payloads {
			if regexp.MustCompile(code).MatchString(p) {
				t.Fatalf("job payload still holds the code: %s", p)
			}
		}

		wrong := fmt.Sprintf("%06d", (atoi(code)+1)%1_000_000)
		_, _, err = e.svc.Confirm(ctx, "anna@example.com", wrong, "")
		wantReason(t, err, "wrong_code")
		acc, tok, err := e.svc.Confirm(ctx, "ANNA@example.com", code[:3]+" "+code[3:], store.TokenSession)
		if err != nil {
			t.Fatal(err)
		}
		if acc.Status != paraph.AccountActive || tok == nil || tok.Kind != store.TokenSession {
			t.Fatalf("confirmed %+v, token %+v", acc, tok)
		}
		_, _, err = e.svc.Confirm(ctx, "anna@example.com", code, "")
		wantReason(t, err, "already_confirmed")

		_, _, err = e.svc.Login(ctx, "anna@example.com", "wrong password!", store.TokenBearer)
		wantReason(t, err, "wrong_credentials")
		_, _, err = e.svc.Login(ctx, "nobody@example.com", "whatever12345", store.TokenBearer)
		wantReason(t, err, "wrong_credentials")
		_, bearer, err := e.svc.Login(ctx, "anna@example.com", "correct horse battery", store.TokenBearer)
		if err != nil {
			t.Fatal(err)
		}
		p, err := e.svc.Authenticate(ctx, bearer.Secret)
		if err != nil || p.Account.ID != acc.ID || p.Kind != store.TokenBearer {
			t.Fatalf("authenticate: %+v %v", p, err)
		}
		// Tokens are stored hashed: the secret is nowhere in the table.
		var n int
		db.SQL().QueryRow(`SELECT COUNT(*) FROM tokens WHERE hash = $1`, bearer.Secret).Scan(&n)
		if n != 0 {
			t.Fatal("a token secret is stored in clear")
		}
		// Expiry.
		e.clock.Advance(31 * 24 * time.Hour)
		_, err = e.svc.Authenticate(ctx, bearer.Secret)
		wantReason(t, err, "invalid_token")

		n2, err := e.svc.VerifyAudit(ctx)
		if err != nil || n2 < 3 {
			t.Fatalf("audit: %d events, %v", n2, err)
		}
	})
}

func atoi(s string) int {
	var n int
	fmt.Sscan(s, &n)
	return n
}

func TestCodeRules(t *testing.T) {
	storetest.EachDB(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		ctx := ctxFrom("192.0.2.2")
		if _, err := e.svc.Register(ctx, core.Registration{Login: "8 (916) 555-12-34", Password: "correct horse battery", FullName: "Пётр"}); err != nil {
			t.Fatal(err)
		}
		const phone = "+79165551234"
		code := e.lastCode(t, phone)
		e.sent.mu.Lock()
		if m := e.sent.msgs[len(e.sent.msgs)-1]; m.Channel != notify.SMS {
			t.Fatalf("a phone login gets an SMS, got %s", m.Channel)
		}
		e.sent.mu.Unlock()

		// Resend at most once a minute.
		wantReason(t, e.svc.ResendCode(ctx, phone), "code_resend_too_soon")
		if secs := core.RetryAfter(e.svc.ResendCode(ctx, phone)); secs < 1 || secs > 60 {
			t.Fatalf("retry after %d s", secs)
		}
		// Ten minutes later the first code has expired.
		e.clock.Advance(10 * time.Minute)
		_, _, err := e.svc.Confirm(ctx, phone, code, "")
		wantReason(t, err, "code_expired")

		if err := e.svc.ResendCode(ctx, phone); err != nil {
			t.Fatal(err)
		}
		code = e.lastCode(t, phone)
		wrong := fmt.Sprintf("%06d", (atoi(code)+7)%1_000_000)
		// Five wrong tries lock the code — even the right one fails afterwards.
		for i := 1; i <= 5; i++ {
			_, _, err := e.svc.Confirm(ctx, phone, wrong, "")
			if i < 5 {
				wantReason(t, err, "wrong_code")
			} else {
				wantReason(t, err, "code_locked")
			}
		}
		_, _, err = e.svc.Confirm(ctx, phone, code, "")
		wantReason(t, err, "code_locked")

		// A new code works.
		e.clock.Advance(time.Minute)
		if err := e.svc.ResendCode(ctx, phone); err != nil {
			t.Fatal(err)
		}
		if _, _, err := e.svc.Confirm(ctx, phone, e.lastCode(t, phone), ""); err != nil {
			t.Fatal(err)
		}
	})
}

func TestRegisterRefusals(t *testing.T) {
	storetest.EachDB(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		ctx := ctxFrom("192.0.2.3")
		if _, err := e.svc.CreateActiveAccount(ctx, core.Registration{Login: "taken@example.com", Password: "correct horse battery", FullName: "A"}); err != nil {
			t.Fatal(err)
		}
		for _, c := range []struct {
			name   string
			reg    core.Registration
			reason string
		}{
			{"bad email", core.Registration{Login: "anna@", Password: "correct horse battery", FullName: "A"}, "invalid_email"},
			{"bad phone", core.Registration{Login: "12345", Password: "correct horse battery", FullName: "A"}, "invalid_phone"},
			{"short password", core.Registration{Login: "a@example.com", Password: "short", FullName: "A"}, "weak_password_short"},
			{"common password", core.Registration{Login: "a@example.com", Password: "qwertyuiop123", FullName: "A"}, "weak_password_common"},
			{"password is login", core.Registration{Login: "anna.long@example.com", Password: "anna.long@example.com", FullName: "A"}, "weak_password_login"},
			{"no name", core.Registration{Login: "a@example.com", Password: "correct horse battery", FullName: "  "}, "name_required"},
			{"taken", core.Registration{Login: "Taken@example.com", Password: "correct horse battery", FullName: "A"}, "login_taken"},
		} {
			t.Run(c.name, func(t *testing.T) {
				_, err := e.svc.Register(ctx, c.reg)
				wantReason(t, err, c.reason)
			})
		}
		// Nothing was half-created: one account, one audit event.
		var accounts, codes int
		db.SQL().QueryRow(`SELECT COUNT(*) FROM accounts`).Scan(&accounts)
		db.SQL().QueryRow(`SELECT COUNT(*) FROM codes`).Scan(&codes)
		if accounts != 1 || codes != 0 {
			t.Fatalf("accounts %d, codes %d after refusals", accounts, codes)
		}
	})
}

func TestPasswordResetAndChange(t *testing.T) {
	storetest.EachDB(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		ctx := ctxFrom("192.0.2.4")
		if _, err := e.svc.CreateActiveAccount(ctx, core.Registration{Login: "olena@example.com", Password: "old password 1", FullName: "Олена", Language: "uk"}); err != nil {
			t.Fatal(err)
		}
		_, session, err := e.svc.Login(ctx, "olena@example.com", "old password 1", store.TokenSession)
		if err != nil {
			t.Fatal(err)
		}
		// Unknown logins get the same answer as known ones.
		if err := e.svc.RequestPasswordReset(ctx, "ghost@example.com"); err != nil {
			t.Fatal(err)
		}
		if err := e.svc.RequestPasswordReset(ctx, "olena@example.com"); err != nil {
			t.Fatal(err)
		}
		code := e.lastCode(t, "olena@example.com")
		wantReason(t, e.svc.ResetPassword(ctx, "olena@example.com", code, "short"), "weak_password_short")
		if err := e.svc.ResetPassword(ctx, "olena@example.com", code, "new password 22"); err != nil {
			t.Fatal(err)
		}
		wantReason(t, e.svc.ResetPassword(ctx, "olena@example.com", code, "new password 33"), "code_used")
		// A reset ends every session.
		_, err = e.svc.Authenticate(ctx, session.Secret)
		wantReason(t, err, "invalid_token")

		_, s2, err := e.svc.Login(ctx, "olena@example.com", "new password 22", store.TokenSession)
		if err != nil {
			t.Fatal(err)
		}
		_, other, _ := e.svc.Login(ctx, "olena@example.com", "new password 22", store.TokenBearer)
		p, _ := e.svc.Authenticate(ctx, s2.Secret)
		actx := core.WithPrincipal(ctx, p)
		wantReason(t, e.svc.ChangePassword(actx, "wrong current", "third password 3"), "wrong_password")
		if err := e.svc.ChangePassword(actx, "new password 22", "third password 3"); err != nil {
			t.Fatal(err)
		}
		if _, err := e.svc.Authenticate(ctx, s2.Secret); err != nil {
			t.Fatalf("the session in use must survive a password change: %v", err)
		}
		_, err = e.svc.Authenticate(ctx, other.Secret)
		wantReason(t, err, "invalid_token")
		e.deliver(t)
		e.sent.mu.Lock()
		last := e.sent.msgs[len(e.sent.msgs)-1]
		e.sent.mu.Unlock()
		if last.To != "olena@example.com" || codeRe.MatchString(last.Subject) || last.Subject == "" {
			t.Fatalf("password-changed notice: %+v", last)
		}
	})
}

func TestLoginRateLimit(t *testing.T) {
	db := storetest.MustOpen(t, store.SQLite)
	clock := paraph.NewFixedClock(time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC))
	svc, err := core.New(context.Background(), db, clock, slog.New(slog.DiscardHandler), core.Config{Password: fastPasswords,
		LoginPerLogin: core.RateLimit{Burst: 3, Every: time.Minute}, LoginPerIP: core.RateLimit{Burst: 100, Every: time.Second}})
	if err != nil {
		t.Fatal(err)
	}
	ctx := ctxFrom("192.0.2.5")
	for i := range 3 {
		_, _, err := svc.Login(ctx, "victim@example.com", fmt.Sprint("guess number ", i), store.TokenBearer)
		wantReason(t, err, "wrong_credentials")
	}
	_, _, err = svc.Login(ctx, "victim@example.com", "guess number 4", store.TokenBearer)
	wantReason(t, err, "login_rate_limited")
	if core.RetryAfter(err) < 1 {
		t.Fatal("no Retry-After")
	}
	// Another login from the same place is not affected; time refills the bucket.
	_, _, err = svc.Login(ctx, "other@example.com", "guess number 5", store.TokenBearer)
	wantReason(t, err, "wrong_credentials")
	clock.Advance(time.Minute)
	_, _, err = svc.Login(ctx, "victim@example.com", "guess number 6", store.TokenBearer)
	wantReason(t, err, "wrong_credentials")
}

func TestPersonalTokensAndLoginChange(t *testing.T) {
	storetest.EachDB(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		ctx := ctxFrom("192.0.2.6")
		if _, err := e.svc.CreateActiveAccount(ctx, core.Registration{Login: "max@example.com", Password: "max password 1", FullName: "Max"}); err != nil {
			t.Fatal(err)
		}
		if _, err := e.svc.CreateActiveAccount(ctx, core.Registration{Login: "+375291234567", Password: "other password 1", FullName: "Other"}); err != nil {
			t.Fatal(err)
		}
		_, s, _ := e.svc.Login(ctx, "max@example.com", "max password 1", store.TokenSession)
		p, _ := e.svc.Authenticate(ctx, s.Secret)
		actx := core.WithPrincipal(ctx, p)

		_, err := e.svc.CreatePersonalToken(actx, "  ")
		wantReason(t, err, "token_name_required")
		tok, err := e.svc.CreatePersonalToken(actx, "1C integration")
		if err != nil {
			t.Fatal(err)
		}
		pp, err := e.svc.Authenticate(ctx, tok.Secret)
		if err != nil || pp.Kind != store.TokenPersonal {
			t.Fatalf("personal token: %+v %v", pp, err)
		}
		list, _ := e.svc.PersonalTokens(actx)
		if len(list) != 1 || list[0].Name != "1C integration" || list[0].Hint == "" {
			t.Fatalf("list: %+v", list)
		}
		if err := e.svc.RevokePersonalToken(actx, tok.ID); err != nil {
			t.Fatal(err)
		}
		_, err = e.svc.Authenticate(ctx, tok.Secret)
		wantReason(t, err, "invalid_token")

		// Add a phone: taken by someone else → refused; a free one → code, then switch.
		wantReason(t, e.svc.RequestLoginChange(actx, "8 029 123-45-67"), "login_taken")
		if err := e.svc.RequestLoginChange(actx, "+380 67 123 45 67"); err != nil {
			t.Fatal(err)
		}
		acc, err := e.svc.ConfirmLoginChange(actx, e.lastCode(t, "+380671234567"))
		if err != nil {
			t.Fatal(err)
		}
		if acc.Phone != "+380671234567" || acc.Email != "max@example.com" {
			t.Fatalf("after change: %+v", acc)
		}
		if _, _, err := e.svc.Login(ctx, "067 123 45 67", "max password 1", store.TokenBearer); err != nil {
			t.Fatalf("log in with the new phone: %v", err)
		}
		name, lang := "Максим", "en"
		acc, err = e.svc.UpdateProfile(actx, core.ProfileUpdate{FullName: &name, Language: &lang})
		if err != nil || acc.FullName != "Максим" || acc.Language != "en" {
			t.Fatalf("profile: %+v %v", acc, err)
		}
		bad := "de"
		_, err = e.svc.UpdateProfile(actx, core.ProfileUpdate{Language: &bad})
		wantReason(t, err, "invalid_language")
	})
}

// Messages are rendered in the account's language.
func TestMessagesInAccountLanguage(t *testing.T) {
	db := storetest.MustOpen(t, store.SQLite)
	e := newEnv(t, db)
	ctx := ctxFrom("192.0.2.7")
	for _, c := range []struct{ login, lang string }{{"ru@example.com", "ru"}, {"uk@example.com", "uk"}, {"en@example.com", "en"}} {
		if _, err := e.svc.Register(ctx, core.Registration{Login: c.login, Password: "correct horse battery", FullName: "N", Language: c.lang}); err != nil {
			t.Fatal(err)
		}
	}
	e.deliver(t)
	subjects := map[string]string{}
	for _, m := range e.sent.msgs {
		subjects[m.To] = m.Subject
	}
	for to, want := range map[string]string{"ru@example.com": "ru", "uk@example.com": "uk", "en@example.com": "en"} {
		s, _, _ := notify.Render(notify.KindConfirmCode, notify.Email, want, notify.Data{"name": "N", "code": "000000", "minutes": "10"})
		if subjects[to] != s {
			t.Errorf("%s got subject %q, want %q", to, subjects[to], s)
		}
	}
	var ms []map[string]any
	raw, _ := json.Marshal(ms)
	_ = raw
}

// Registering again with a login that never confirmed replaces the name and
// password; it does not let anyone skip the resend interval.
func TestRegisterAgainWhilePending(t *testing.T) {
	storetest.EachDB(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		ctx := ctxFrom("192.0.2.8")
		reg := core.Registration{Login: "lena@example.com", Password: "first password 1", FullName: "Лена"}
		first, err := e.svc.Register(ctx, reg)
		if err != nil {
			t.Fatal(err)
		}
		reg.Password, reg.FullName = "second password 2", "Елена"
		_, err = e.svc.Register(ctx, reg)
		wantReason(t, err, "code_resend_too_soon")
		e.clock.Advance(time.Minute)
		again, err := e.svc.Register(ctx, reg)
		if err != nil || again.ID != first.ID || again.FullName != "Елена" {
			t.Fatalf("again: %+v %v", again, err)
		}
		if _, _, err := e.svc.Confirm(ctx, "lena@example.com", e.lastCode(t, "lena@example.com"), ""); err != nil {
			t.Fatal(err)
		}
		_, _, err = e.svc.Login(ctx, "lena@example.com", "first password 1", store.TokenBearer)
		wantReason(t, err, "wrong_credentials")
		if _, _, err := e.svc.Login(ctx, "lena@example.com", "second password 2", store.TokenBearer); err != nil {
			t.Fatal(err)
		}
	})
}
