package web_test

import (
	"context"
	"encoding/json"
	"fmt"
	"html"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"paraph/internal/core"
	"paraph/internal/servertest"
	"paraph/internal/store"
)

// client is a browser without JavaScript: a cookie jar, a language, and
// forms posted with the CSRF token of the page they came from.
type client struct {
	t    *testing.T
	env  *servertest.Env
	http *http.Client
	lang string
	page string // the body of the last page fetched
}

func newClient(t *testing.T, env *servertest.Env, lang string) *client {
	t.Helper()
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	return &client{t: t, env: env, lang: lang, http: &http.Client{Jar: jar, Timeout: 10 * time.Second}}
}

func (c *client) do(req *http.Request) (int, string) {
	c.t.Helper()
	if c.lang != "" {
		req.Header.Set("Accept-Language", c.lang)
	}
	res, err := c.http.Do(req)
	if err != nil {
		c.t.Fatalf("%s %s: %v", req.Method, req.URL, err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		c.t.Fatal(err)
	}
	c.page = string(b)
	return res.StatusCode, c.page
}

func (c *client) get(path string) (int, string) {
	c.t.Helper()
	req, err := http.NewRequest("GET", c.env.URL+path, nil)
	if err != nil {
		c.t.Fatal(err)
	}
	return c.do(req)
}

var csrfRe = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

// submit opens page, then posts form to action with the page's CSRF token.
func (c *client) submit(page, action string, form url.Values) (int, string) {
	c.t.Helper()
	if status, _ := c.get(page); status != http.StatusOK {
		c.t.Fatalf("GET %s: status %d", page, status)
	}
	m := csrfRe.FindStringSubmatch(c.page)
	if m == nil {
		c.t.Fatalf("no CSRF token on %s", page)
	}
	form.Set("csrf", m[1])
	return c.post(action, form)
}

func (c *client) post(action string, form url.Values) (int, string) {
	c.t.Helper()
	req, err := http.NewRequest("POST", c.env.URL+action, strings.NewReader(form.Encode()))
	if err != nil {
		c.t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return c.do(req)
}

// text is the page with tags removed and entities decoded, for asserting
// what a person reads.
func text(page string) string {
	return html.UnescapeString(regexp.MustCompile(`<[^>]*>`).ReplaceAllString(page, " "))
}

func mustContain(t *testing.T, page string, want ...string) {
	t.Helper()
	txt := text(page)
	for _, w := range want {
		if !strings.Contains(txt, w) && !strings.Contains(page, w) {
			t.Errorf("page lacks %q; it reads:\n%s", w, squeeze(txt))
		}
	}
}

func mustNotContain(t *testing.T, page string, unwanted ...string) {
	t.Helper()
	for _, w := range unwanted {
		if strings.Contains(page, w) {
			t.Errorf("page has %q", w)
		}
	}
}

func squeeze(s string) string { return strings.Join(strings.Fields(s), " ") }

// codeFromMailbox reads the newest code sent to login from /dev/mailbox.json,
// as a developer (or the browser test) would.
func codeFromMailbox(t *testing.T, env *servertest.Env, login string) string {
	t.Helper()
	env.RunJobs(t)
	res, err := http.Get(env.URL + "/dev/mailbox.json?to=" + url.QueryEscape(login))
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var msgs []struct {
		To, Channel, Subject, Body string
		CreatedAt                  string `json:"created_at"`
	}
	if err := json.NewDecoder(res.Body).Decode(&msgs); err != nil {
		t.Fatal(err)
	}
	if len(msgs) == 0 {
		t.Fatalf("no message to %s in the dev mailbox", login)
	}
	if _, err := time.Parse(time.RFC3339, msgs[0].CreatedAt); err != nil {
		t.Errorf("created_at %q is not RFC 3339", msgs[0].CreatedAt)
	}
	m := regexp.MustCompile(`\b\d{6}\b`).FindString(msgs[0].Body)
	if m == "" {
		t.Fatalf("no code in %q", msgs[0].Body)
	}
	return m
}

const goodPassword = "correct horse battery"

// registered makes a confirmed, logged-in account through the pages.
func registered(t *testing.T, env *servertest.Env, lang, login string) *client {
	t.Helper()
	return registeredAs(t, env, lang, login, "Иванов Иван Иванович")
}

// registeredAs is registered with a full name.
func registeredAs(t *testing.T, env *servertest.Env, lang, login, name string) *client {
	t.Helper()
	c := newClient(t, env, lang)
	status, _ := c.submit("/register", "/register", url.Values{
		"full_name": {name}, "login": {login},
		"password": {goodPassword}, "password2": {goodPassword},
	})
	if status != http.StatusOK {
		t.Fatalf("register: status %d", status)
	}
	code := codeFromMailbox(t, env, login)
	status, page := c.submit("/confirm?login="+url.QueryEscape(login), "/confirm", url.Values{"login": {login}, "code": {code}})
	if status != http.StatusOK || !strings.Contains(page, `action="/logout"`) {
		t.Fatalf("confirm: status %d, not logged in:\n%s", status, squeeze(text(page)))
	}
	return c
}

func TestAccountJourney(t *testing.T) {
	env := servertest.New(t, store.SQLite, nil)
	c := newClient(t, env, "en")
	login := "anna@example.com"

	status, page := c.submit("/register", "/register", url.Values{
		"full_name": {"Anna Petrova"}, "login": {login}, "password": {goodPassword}, "password2": {goodPassword},
	})
	if status != http.StatusOK {
		t.Fatalf("register: %d", status)
	}
	mustContain(t, page, "Confirm your login", "We have sent a code", login)

	code := codeFromMailbox(t, env, login)
	_, page = c.submit("/confirm?login="+url.QueryEscape(login), "/confirm", url.Values{"login": {login}, "code": {code}})
	mustContain(t, page, "Welcome to Paraph", "Hello, Anna Petrova", "You have no organizations yet")

	// The flash shows once.
	_, page = c.get("/")
	mustNotContain(t, page, "Welcome to Paraph")

	_, page = c.get("/profile")
	mustContain(t, page, "Profile", login, "You have no API tokens.")

	status, page = c.submit("/profile", "/profile/name", url.Values{"full_name": {"Anna  Sidorova "}})
	if status != http.StatusOK {
		t.Fatalf("rename: %d\n%s", status, squeeze(text(page)))
	}
	mustContain(t, page, "The name is saved.", `value="Anna Sidorova"`)

	// A token's secret is shown once, then only its hint.
	_, page = c.submit("/profile", "/profile/tokens", url.Values{"name": {"CI"}})
	secret := regexp.MustCompile(`value="(ppt_[A-Za-z0-9_-]+)"`).FindStringSubmatch(page)
	if secret == nil {
		t.Fatalf("no token secret on the page:\n%s", squeeze(text(page)))
	}
	mustContain(t, page, "it is shown only once", "CI")
	req, _ := http.NewRequest("GET", env.URL+"/api/v1/me", nil)
	req.Header.Set("Authorization", "Bearer "+secret[1])
	if res, err := http.DefaultClient.Do(req); err != nil || res.StatusCode != http.StatusOK {
		t.Fatalf("the new token does not open the API: %v %v", res.Status, err)
	}
	_, page = c.get("/profile")
	mustNotContain(t, page, secret[1])
	mustContain(t, page, secret[1][:4]+"…"+secret[1][len(secret[1])-4:])

	tokens, err := env.Svc.PersonalTokens(authed(t, env, secret[1]))
	if err != nil || len(tokens) != 1 {
		t.Fatalf("tokens: %v %v", tokens, err)
	}
	_, page = c.submit("/profile", "/profile/tokens/"+tokens[0].ID+"/revoke", url.Values{})
	mustContain(t, page, "The token is revoked", "You have no API tokens.")
	if _, err := env.Svc.Authenticate(context.Background(), secret[1]); err == nil {
		t.Error("a revoked token still authenticates")
	}

	_, page = c.submit("/profile", "/logout", url.Values{})
	mustContain(t, page, "You have logged out.", `href="/register"`)
	if status, _ := c.get("/profile"); status != http.StatusOK || !strings.Contains(c.page, `action="/login"`) {
		t.Errorf("profile after logout: %d, not the login page", status)
	}

	// Logging in again lands where the person was going.
	_, page = c.submit("/login?next=/profile", "/login", url.Values{"login": {login}, "password": {goodPassword}, "next": {"/profile"}})
	mustContain(t, page, "API tokens", "Anna Sidorova")
}

// authed returns a context acting as the owner of a token.
func authed(t *testing.T, env *servertest.Env, secret string) context.Context {
	t.Helper()
	p, err := env.Svc.Authenticate(context.Background(), secret)
	if err != nil {
		t.Fatal(err)
	}
	return core.WithPrincipal(context.Background(), p)
}

var fieldErrRe = regexp.MustCompile(`(?s)id="([a-z_]+-[a-z0-9_]+)-error">([^<]*)<`)

// fieldError returns the error shown under a field of the page, and checks
// the input points at it for screen readers.
func fieldError(t *testing.T, page, id string) string {
	t.Helper()
	for _, m := range fieldErrRe.FindAllStringSubmatch(page, -1) {
		if m[1] == id {
			if !regexp.MustCompile(`id="` + id + `"[^>]*aria-invalid="true"[^>]*aria-describedby="[^"]*` + id + `-error"`).MatchString(page) {
				t.Errorf("input %s is not marked aria-invalid/aria-describedby", id)
			}
			return html.UnescapeString(m[2])
		}
	}
	return ""
}

func TestFormErrors(t *testing.T) {
	env := servertest.New(t, store.SQLite, nil)
	registered(t, env, "ru", "taken@example.com")

	weak := url.Values{"full_name": {"Петро"}, "login": {"petro@example.com"}, "password": {"short"}, "password2": {"short"}}
	tests := []struct {
		name, lang, page, action string
		form                     url.Values
		status                   int
		field                    string // id of the input with the error; "" for a form-level one
		want                     string
	}{
		{"weak password ru", "ru", "/register", "/register", weak, 422, "register-password", "Пароль должен быть не короче 10 символов."},
		{"weak password uk", "uk", "/register", "/register", weak, 422, "register-password", "Пароль має містити щонайменше 10 символів."},
		{"weak password en", "en", "/register", "/register", weak, 422, "register-password", "The password must be at least 10 characters long."},
		{"common password", "en", "/register", "/register",
			url.Values{"full_name": {"A"}, "login": {"a@example.com"}, "password": {"password123"}, "password2": {"password123"}},
			422, "register-password", "This password is too common; choose another."},
		{"passwords differ", "uk", "/register", "/register",
			url.Values{"full_name": {"A"}, "login": {"a@example.com"}, "password": {goodPassword}, "password2": {goodPassword + "!"}},
			422, "register-password2", "Паролі не збігаються."},
		{"bad email", "en", "/register", "/register",
			url.Values{"full_name": {"A"}, "login": {"a@b"}, "password": {goodPassword}, "password2": {goodPassword}},
			422, "register-login", "This is not a valid email address."},
		{"bad phone", "ru", "/register", "/register",
			url.Values{"full_name": {"A"}, "login": {"12345"}, "password": {goodPassword}, "password2": {goodPassword}},
			422, "register-login", "Это не похоже на номер телефона."},
		{"taken login", "ru", "/register", "/register",
			url.Values{"full_name": {"Другой"}, "login": {"taken@example.com"}, "password": {goodPassword}, "password2": {goodPassword}},
			409, "register-login", "уже используется другой учётной записью"},
		{"no name", "en", "/register", "/register",
			url.Values{"full_name": {"  "}, "login": {"x@example.com"}, "password": {goodPassword}, "password2": {goodPassword}},
			422, "register-full_name", "Enter your full name."},
		{"wrong credentials", "en", "/login", "/login",
			url.Values{"login": {"taken@example.com"}, "password": {"wrong password!"}}, 401, "", "Wrong login or password."},
		{"already confirmed", "en", "/confirm", "/confirm",
			url.Values{"login": {"taken@example.com"}, "code": {"123456"}}, 409, "confirm-login", "already confirmed"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := newClient(t, env, tt.lang)
			status, page := c.submit(tt.page, tt.action, tt.form)
			if status != tt.status {
				t.Errorf("status %d, want %d", status, tt.status)
			}
			if tt.field == "" {
				if !strings.Contains(page, `class="alert alert-error" role="alert">`+html.EscapeString(tt.want)) {
					t.Errorf("no form error %q:\n%s", tt.want, squeeze(text(page)))
				}
			} else if got := fieldError(t, page, tt.field); !strings.Contains(got, tt.want) {
				t.Errorf("error under %s = %q, want %q", tt.field, got, tt.want)
			}
			// Typed values stay, passwords never come back.
			for k, v := range tt.form {
				if strings.Contains(k, "password") {
					if strings.Contains(page, `value="`+v[0]+`"`) {
						t.Errorf("the page echoes the %s", k)
					}
				} else if k == "login" && !strings.Contains(page, `value="`+html.EscapeString(v[0])+`"`) {
					t.Errorf("the %s field lost %q", k, v[0])
				}
			}
			if !strings.Contains(page, `<html lang="`+tt.lang+`">`) {
				t.Errorf("page is not in %s", tt.lang)
			}
		})
	}
}

func TestWrongCodeTriesLeft(t *testing.T) {
	env := servertest.New(t, store.SQLite, nil)
	c := newClient(t, env, "uk")
	login := "+380671234567"
	c.submit("/register", "/register", url.Values{"full_name": {"Тарас"}, "login": {"067 123 45 67"},
		"password": {goodPassword}, "password2": {goodPassword}})
	code := codeFromMailbox(t, env, login)
	wrong := "000000"
	if code == wrong {
		wrong = "111111"
	}
	status, page := c.submit("/confirm?login="+url.QueryEscape(login), "/confirm", url.Values{"login": {login}, "code": {wrong}})
	if status != http.StatusUnprocessableEntity {
		t.Errorf("status %d", status)
	}
	if got := fieldError(t, page, "confirm-code"); got != "Неправильний код. Залишилося спроб: 4." {
		t.Errorf("code error = %q", got)
	}
	// Asking again at once is rate-limited, with the wait in seconds.
	_, page = c.submit("/confirm?login="+url.QueryEscape(login), "/confirm/resend", url.Values{"login": {login}})
	if !regexp.MustCompile(`Новий можна запросити через \d+ с`).MatchString(page) {
		t.Errorf("no wait time:\n%s", squeeze(text(page)))
	}
}

func TestCSRF(t *testing.T) {
	env := servertest.New(t, store.SQLite, nil)
	c := registered(t, env, "en", "csrf@example.com")
	c.get("/profile")
	token := csrfRe.FindStringSubmatch(c.page)[1]

	tests := []struct {
		name    string
		form    url.Values
		headers map[string]string
	}{
		{"missing", url.Values{"full_name": {"Evil"}}, nil},
		{"wrong", url.Values{"full_name": {"Evil"}, "csrf": {token[:len(token)-2] + "AA"}}, nil},
		{"cross-site", url.Values{"full_name": {"Evil"}, "csrf": {token}}, map[string]string{"Sec-Fetch-Site": "cross-site"}},
		{"foreign origin", url.Values{"full_name": {"Evil"}, "csrf": {token}}, map[string]string{"Origin": "https://evil.example"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req, _ := http.NewRequest("POST", env.URL+"/profile/name", strings.NewReader(tt.form.Encode()))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			for k, v := range tt.headers {
				req.Header.Set(k, v)
			}
			status, page := c.do(req)
			if status != http.StatusForbidden {
				t.Errorf("status %d, want 403", status)
			}
			mustContain(t, page, "The form has expired. Reload the page and try again.")
			if _, page := c.get("/profile"); strings.Contains(page, "Evil") {
				t.Error("the name changed")
			}
		})
	}

	// A token from before login does not work after it: it is bound to the session.
	anon := newClient(t, env, "en")
	anon.get("/login")
	before := csrfRe.FindStringSubmatch(anon.page)[1]
	anon.submit("/login", "/login", url.Values{"login": {"csrf@example.com"}, "password": {goodPassword}})
	if status, _ := anon.post("/profile/name", url.Values{"full_name": {"Evil"}, "csrf": {before}}); status != http.StatusForbidden {
		t.Errorf("a pre-login token was accepted: %d", status)
	}
	// The right token works.
	if status, page := c.post("/profile/name", url.Values{"full_name": {"Good Name"}, "csrf": {token}}); status != http.StatusOK || !strings.Contains(page, "Good Name") {
		t.Errorf("valid token: %d", status)
	}
}

func TestRedirects(t *testing.T) {
	env := servertest.New(t, store.SQLite, nil)
	registered(t, env, "en", "redir@example.com")
	c := newClient(t, env, "en")
	c.http.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }

	res, err := c.http.Get(env.URL + "/profile")
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if loc := res.Header.Get("Location"); res.StatusCode != http.StatusSeeOther || loc != "/login?next=%2Fprofile" {
		t.Errorf("profile without a session: %d %q", res.StatusCode, loc)
	}

	for _, next := range []string{"https://evil.example/", "//evil.example", "/\\evil.example", "javascript:alert(1)", "/ok\r\nX: y"} {
		c.get("/login")
		token := csrfRe.FindStringSubmatch(c.page)[1]
		form := url.Values{"login": {"redir@example.com"}, "password": {goodPassword}, "next": {next}, "csrf": {token}}
		req, _ := http.NewRequest("POST", env.URL+"/login", strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		res, err := c.http.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if loc := res.Header.Get("Location"); res.StatusCode != http.StatusSeeOther || loc != "/" {
			t.Errorf("next=%q: %d → %q, want / ", next, res.StatusCode, loc)
		}
		c.get("/")
		c.post("/logout", url.Values{"csrf": {csrfRe.FindStringSubmatch(c.page)[1]}})
	}
}

func TestPagesAndLanguage(t *testing.T) {
	env := servertest.New(t, store.SQLite, nil)
	tests := []struct {
		name, lang, path string
		status           int
		want             string
	}{
		{"home ru by default", "", "/", 200, "Электронный документооборот"},
		{"home uk", "uk-UA,uk;q=0.9", "/", 200, "Надсилайте, підписуйте"},
		{"home en", "en-US", "/", 200, "Send, sign and keep documents"},
		{"belarusian reads russian", "be", "/", 200, "Отправляйте, подписывайте"},
		{"register", "en", "/register", 200, "Password again"},
		{"confirm", "en", "/confirm?login=a%40b.c", 200, `autocomplete="one-time-code"`},
		{"login", "uk", "/login", 200, "Забули пароль?"},
		{"reset", "ru", "/reset", 200, "Восстановление пароля"},
		{"reset confirm", "ru", "/reset/confirm?login=x", 200, "Пароль ещё раз"},
		{"404 ru", "ru", "/no/such/page", 404, "Страница не найдена"},
		{"404 en", "en", "/nope", 404, "Page not found"},
		{"mailbox", "en", "/dev/mailbox", 200, "Dev mailbox"},
		{"static css", "", "/static/app.css", 200, "--primary"},
		{"static missing", "en", "/static/nope.css", 404, "Page not found"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := newClient(t, env, tt.lang)
			status, page := c.get(tt.path)
			if status != tt.status {
				t.Errorf("status %d, want %d", status, tt.status)
			}
			mustContain(t, page, tt.want)
		})
	}

	// The switch's cookie beats Accept-Language, and holds on every page.
	c := newClient(t, env, "en")
	_, page := c.submit("/login", "/lang", url.Values{"lang": {"uk"}, "next": {"/login"}})
	mustContain(t, page, `<html lang="uk">`, "Забули пароль?")
	_, page = c.get("/register")
	mustContain(t, page, "Реєстрація")
}

func TestLanguageSavedToAccount(t *testing.T) {
	env := servertest.New(t, store.SQLite, nil)
	c := registered(t, env, "ru", "lang@example.com")
	c.submit("/profile", "/lang", url.Values{"lang": {"en"}, "next": {"/profile"}})
	// A new browser, logged in with Ukrainian Accept-Language, still gets the account's English.
	other := newClient(t, env, "uk")
	_, page := other.submit("/login", "/login", url.Values{"login": {"lang@example.com"}, "password": {goodPassword}})
	mustContain(t, page, `<html lang="en">`, "Hello, Иванов Иван Иванович")
}

func TestStaticCaching(t *testing.T) {
	env := servertest.New(t, store.SQLite, nil)
	c := newClient(t, env, "en")
	_, page := c.get("/")
	href := regexp.MustCompile(`href="(/static/app\.css\?v=[0-9a-f]+)"`).FindStringSubmatch(page)
	if href == nil {
		t.Fatal("no hashed stylesheet link")
	}
	res, err := http.Get(env.URL + href[1])
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if cc := res.Header.Get("Cache-Control"); !strings.Contains(cc, "immutable") {
		t.Errorf("Cache-Control %q", cc)
	}
	if ct := res.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/css") {
		t.Errorf("Content-Type %q", ct)
	}
	req, _ := http.NewRequest("GET", env.URL+"/static/app.css", nil)
	req.Header.Set("If-None-Match", res.Header.Get("ETag"))
	res, err = http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusNotModified {
		t.Errorf("revalidation: %d", res.StatusCode)
	}
	// Pages carry no inline scripts or styles: the CSP forbids them.
	for _, bad := range []string{"<script", "<style", " style="} {
		if strings.Contains(page, bad) {
			t.Errorf("page has %s", bad)
		}
	}
}

func TestDevMailboxNeedsDev(t *testing.T) {
	env := servertest.New(t, store.SQLite, func(c *core.Config) { c.Dev = false })
	for _, path := range []string{"/dev/mailbox", "/dev/mailbox.json"} {
		res, err := http.Get(env.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if res.StatusCode != http.StatusNotFound {
			t.Errorf("%s without dev: %d", path, res.StatusCode)
		}
	}
}

func TestFormBodyCap(t *testing.T) {
	env := servertest.New(t, store.SQLite, nil)
	c := newClient(t, env, "en")
	c.get("/login")
	form := url.Values{"login": {strings.Repeat("a", 70<<10)}, "csrf": {csrfRe.FindStringSubmatch(c.page)[1]}}
	if status, _ := c.post("/login", form); status != http.StatusBadRequest && status != http.StatusRequestEntityTooLarge {
		t.Errorf("oversized form: %d", status)
	}
}

func TestInternalErrorPage(t *testing.T) {
	env := servertest.New(t, store.SQLite, nil)
	env.DB.Close() // every query now fails
	req, _ := http.NewRequest("GET", env.URL+"/dev/mailbox", nil)
	req.Header.Set("Accept-Language", "uk")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	page := string(b)
	if res.StatusCode != http.StatusInternalServerError {
		t.Errorf("status %d", res.StatusCode)
	}
	id := res.Header.Get("X-Request-Id")
	mustContain(t, page, "Щось пішло не так", id)
	mustNotContain(t, page, "sql", "database")
}

func TestProfileChanges(t *testing.T) {
	env := servertest.New(t, store.SQLite, nil)
	c := registered(t, env, "en", "old@example.com")

	// Login change: a code goes to the new address; the change holds once it is entered.
	_, page := c.submit("/profile", "/profile/login", url.Values{"login": {"taken@"}})
	if got := fieldError(t, page, "login-login"); got != "This is not a valid email address." {
		t.Errorf("bad new login: %q", got)
	}
	_, page = c.submit("/profile", "/profile/login", url.Values{"login": {"8 (912) 345-67-89"}})
	mustContain(t, page, "We have sent a code to 8 (912) 345-67-89")
	code := codeFromMailbox(t, env, "+79123456789")
	_, page = c.submit("/profile?pending=x", "/profile/login/confirm", url.Values{"code": {code}, "pending": {"x"}})
	mustContain(t, page, "The login is changed.", "+79123456789")

	// Password change: the current one is checked, the two new ones must match.
	_, page = c.submit("/profile", "/profile/password", url.Values{"current_password": {"nope nope nope"},
		"password": {"new secret phrase"}, "password2": {"new secret phrase"}})
	if got := fieldError(t, page, "password-current_password"); got != "The current password is wrong." {
		t.Errorf("wrong current password: %q", got)
	}
	_, page = c.submit("/profile", "/profile/password", url.Values{"current_password": {goodPassword},
		"password": {"new secret phrase"}, "password2": {"new secret phrase"}})
	mustContain(t, page, "The password is changed.")

	// Reset by code, then log in with the new password.
	anon := newClient(t, env, "en")
	_, page = anon.submit("/reset", "/reset", url.Values{"login": {"+7 912 345 67 89"}})
	mustContain(t, page, "If an account with this login exists")
	code = codeFromMailbox(t, env, "+79123456789")
	_, page = anon.submit("/reset/confirm", "/reset/confirm", url.Values{"login": {"+79123456789"}, "code": {code},
		"password": {"third secret phrase"}, "password2": {"third secret phrase"}})
	mustContain(t, page, "Log in with the new one.")
	_, page = anon.submit("/login", "/login", url.Values{"login": {"+79123456789"}, "password": {"third secret phrase"}})
	mustContain(t, page, "Hello, Иванов Иван Иванович")
	// The reset ended the old browser's session.
	if _, page := c.get("/profile"); !strings.Contains(page, `action="/login"`) {
		t.Error("the old session survived a password reset")
	}
}

func TestSessionCookie(t *testing.T) {
	env := servertest.New(t, store.SQLite, nil)
	registered(t, env, "en", "cookie@example.com")
	c := newClient(t, env, "en")
	c.get("/login")
	form := url.Values{"login": {"cookie@example.com"}, "password": {goodPassword}, "csrf": {csrfRe.FindStringSubmatch(c.page)[1]}}
	c.http.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	res, err := c.http.PostForm(env.URL+"/login", form)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	var session *http.Cookie
	for _, ck := range res.Cookies() {
		if ck.Name == "paraph_session" {
			session = ck
		}
	}
	if session == nil {
		t.Fatal("no session cookie")
	}
	if !session.HttpOnly || session.SameSite != http.SameSiteLaxMode || session.Path != "/" || session.Secure ||
		time.Until(session.Expires) < 29*24*time.Hour {
		t.Errorf("session cookie: %+v", session)
	}

	// A cookie that opens no session is cleared.
	req, _ := http.NewRequest("GET", env.URL+"/", nil)
	req.AddCookie(&http.Cookie{Name: "paraph_session", Value: "pps_forged"})
	res, err = http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	cleared := false
	for _, ck := range res.Cookies() {
		cleared = cleared || ck.Name == "paraph_session" && ck.MaxAge < 0
	}
	if !cleared {
		t.Error("a forged session cookie was not cleared")
	}
}

// sessionOf returns the client's session secret, to act as them through core.
func sessionOf(t *testing.T, c *client) string {
	t.Helper()
	u, _ := url.Parse(c.env.URL)
	for _, ck := range c.http.Jar.Cookies(u) {
		if ck.Name == "paraph_session" {
			return ck.Value
		}
	}
	t.Fatal("no session cookie")
	return ""
}

func memberInput(i int) core.MemberInput {
	return core.MemberInput{FullName: fmt.Sprintf("Сотрудник %03d", i), Email: fmt.Sprintf("e%03d@example.com", i),
		Phone: fmt.Sprintf("+7 912 100-%02d-%02d", i/100, i%100), Role: "employee", AccessScope: "all"}
}
