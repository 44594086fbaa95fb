package web_test

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"paraph/internal/servertest"
	"paraph/internal/store"
)

// chromium finds a Chromium to drive: skipped where there is none, a failure
// under CI, which must run every test.
func chromium(t *testing.T) string {
	t.Helper()
	for _, name := range []string{"/usr/bin/chromium", "chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	if os.Getenv("CI") == "true" {
		t.Fatal("Chromium is required under CI=true (apt-get install chromium)")
	}
	t.Skip("no Chromium found (install the Debian package chromium to run the browser test)")
	return ""
}

// screenshotDir is PARAPH_SCREENSHOTS when set, so a person can look at the
// pages, else a temporary directory.
func screenshotDir(t *testing.T) string {
	t.Helper()
	dir := os.Getenv("PARAPH_SCREENSHOTS")
	if dir == "" {
		dir = t.TempDir()
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	t.Logf("screenshots in %s", dir)
	return dir
}

// TestBrowser walks the account pages in a real headless Chromium, as a
// person with a Russian browser would: register (first with a weak password),
// read the code from the dev mailbox, confirm, create an API token, log out,
// log in, and switch to Ukrainian. It saves phone and desktop screenshots.
func TestBrowser(t *testing.T) {
	bin := chromium(t)
	env := servertest.New(t, store.SQLite, nil)
	dir := screenshotDir(t)

	b := startBrowser(t, bin, dir)
	step, read, shoot, phone := b.step, b.read, b.shoot, b.phone
	step("open the home page", phone, chromedp.Navigate(env.URL+"/"), chromedp.WaitVisible(chromedp.CSS(".hero")))
	shoot("landing")
	step("open a missing page", chromedp.Navigate(env.URL+"/no-such-page"), chromedp.WaitVisible(chromedp.CSS(".error-page")))
	if got := read("main h1"); got != "Страница не найдена" {
		t.Errorf("404 heading: %q", got)
	}
	shoot("not-found")

	login := "browser@example.com"
	step("open the register page", phone, chromedp.Navigate(env.URL+"/register"), chromedp.WaitVisible(chromedp.ID("register-full_name")))
	shoot("register")
	step("register with a weak password",
		chromedp.SendKeys(chromedp.ID("register-full_name"), "Иванова Мария Петровна"),
		chromedp.SendKeys(chromedp.ID("register-login"), login),
		chromedp.SendKeys(chromedp.ID("register-password"), "short"),
		chromedp.SendKeys(chromedp.ID("register-password2"), "short"),
		chromedp.Click(chromedp.CSS(`form[action="/register"] button[type=submit]`)),
		chromedp.WaitVisible(chromedp.ID("register-password-error")),
	)
	if got := read("#register-password-error"); got != "Пароль должен быть не короче 10 символов." {
		t.Errorf("weak password error: %q", got)
	}
	shoot("register-errors")
	step("register",
		chromedp.SendKeys(chromedp.ID("register-password"), goodPassword),
		chromedp.SendKeys(chromedp.ID("register-password2"), goodPassword),
		chromedp.Click(chromedp.CSS(`form[action="/register"] button[type=submit]`)),
		chromedp.WaitVisible(chromedp.ID("confirm-code")),
	)
	shoot("confirm")

	code := codeFromMailbox(t, env, login)
	step("confirm",
		chromedp.SendKeys(chromedp.ID("confirm-code"), code),
		chromedp.Click(chromedp.CSS(`form[action="/confirm"] button[type=submit]`)),
		chromedp.WaitVisible(chromedp.CSS(`header form[action="/logout"]`)),
	)
	if got := read("main .hello"); got != "Здравствуйте, Иванова Мария Петровна" {
		t.Errorf("home after confirm: %q", got)
	}
	shoot("home")
	step("open the dev mailbox", chromedp.Navigate(env.URL+"/dev/mailbox"), chromedp.WaitVisible(chromedp.CSS("article.message pre")))
	shoot("mailbox")

	step("create an API token",
		chromedp.Navigate(env.URL+"/profile"),
		chromedp.SendKeys(chromedp.ID("token-name"), "Интеграция с 1С"),
		chromedp.Click(chromedp.CSS(`form[action="/profile/tokens"] button[type=submit]`)),
		chromedp.WaitVisible(chromedp.ID("new-token")),
	)
	shoot("profile")

	step("log out",
		chromedp.Click(chromedp.CSS(`header form[action="/logout"] button`)),
		chromedp.WaitVisible(chromedp.CSS(`header a[href="/login"]`)),
	)
	if got := read(".flash"); got != "Вы вышли из Paraph." {
		t.Errorf("flash after logout: %q", got)
	}
	step("log in",
		chromedp.Click(chromedp.CSS(`header a[href="/login"]`)),
		chromedp.WaitVisible(chromedp.ID("login-login")),
		chromedp.SendKeys(chromedp.ID("login-login"), login),
		chromedp.SendKeys(chromedp.ID("login-password"), goodPassword),
		chromedp.Click(chromedp.CSS(`form[action="/login"] button[type=submit]`)),
		chromedp.WaitVisible(chromedp.CSS(`header form[action="/logout"]`)),
	)
	if got := read("main .hello"); !strings.Contains(got, "Иванова Мария Петровна") {
		t.Errorf("home after login: %q", got)
	}

	step("switch to Ukrainian",
		chromedp.Click(chromedp.CSS(`form.langs button[value="uk"]`)),
		chromedp.WaitVisible(chromedp.CSS(`html[lang="uk"]`)),
	)
	if got := read("main .hello"); got != "Вітаємо, Иванова Мария Петровна" {
		t.Errorf("home in Ukrainian: %q", got)
	}
	step("open the profile in Ukrainian", chromedp.Navigate(env.URL+"/profile"), chromedp.WaitVisible(chromedp.ID("tokens")))
	if got := read("#password-h"); got != "Пароль" {
		t.Errorf("profile heading: %q", got)
	}
	if got := read(".toc"); !strings.Contains(got, "Ім’я") {
		t.Errorf("profile sections in Ukrainian: %q", got)
	}
	shoot("profile-uk")
}

// browser is a headless Chromium with the helpers every browser test uses.
type browser struct {
	ctx   context.Context
	phone chromedp.Action[chromedp.Void]
	// step runs actions with a deadline, failing the test on error.
	step func(what string, actions ...chromedp.Action[chromedp.Void])
	// read returns the text of the first element matching a CSS selector.
	read func(sel string) string
	// shoot saves phone and desktop screenshots and checks nothing sticks
	// out sideways on a 360 px screen.
	shoot func(name string)
	// until waits for a JavaScript condition to hold, across navigations
	// (a form submission replaces the page while it is being polled).
	until func(what, cond string)
}

func startBrowser(t *testing.T, bin, dir string) *browser {
	t.Helper()
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(bin),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("accept-lang", "ru-RU,ru"),
		chromedp.Flag("lang", "ru-RU"),
		chromedp.UserDataDir(t.TempDir()),
	)
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	t.Cleanup(cancelAlloc)
	ctx, cancel := chromedp.NewContext(allocCtx, chromedp.WithLogf(t.Logf))
	t.Cleanup(cancel)
	if err := chromedp.Do(ctx); err != nil { // starts the browser, bound to ctx (no timeout here)
		t.Fatalf("start Chromium: %v", err)
	}
	// Every step gets its own deadline, so a stuck page fails the test quickly.
	step := func(what string, actions ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		sctx, cancel := context.WithTimeout(ctx, 20*time.Second)
		defer cancel()
		if err := chromedp.Do(sctx, actions...); err != nil {
			t.Fatalf("%s: %v", what, err)
		}
	}
	read := func(sel string) string {
		t.Helper()
		sctx, cancel := context.WithTimeout(ctx, 20*time.Second)
		defer cancel()
		s, err := chromedp.Run(sctx, chromedp.Text(chromedp.CSS(sel)))
		if err != nil {
			t.Fatalf("read %s: %v", sel, err)
		}
		return s
	}
	phone := chromedp.EmulateViewport(390, 844, chromedp.EmulateMobile, chromedp.EmulateTouch, chromedp.EmulatePortrait)
	desktop := chromedp.EmulateViewport(1280, 900)
	// shoot saves the current page as a phone and as a desktop screenshot.
	shoot := func(name string) {
		t.Helper()
		for _, v := range []struct {
			suffix   string
			viewport chromedp.Action[chromedp.Void]
		}{{"phone", phone}, {"desktop", desktop}} {
			sctx, cancel := context.WithTimeout(ctx, 20*time.Second)
			// From the top, as a person first sees the page (an #anchor may have scrolled it).
			if err := chromedp.Do(sctx, v.viewport, chromedp.Evaluate[chromedp.Void]("window.scrollTo(0, 0)")); err != nil {
				cancel()
				t.Fatalf("viewport: %v", err)
			}
			png, err := chromedp.Run(sctx, chromedp.FullScreenshot(100))
			cancel()
			if err != nil {
				t.Fatalf("screenshot %s: %v", name, err)
			}
			if err := os.WriteFile(filepath.Join(dir, name+"-"+v.suffix+".png"), png, 0o644); err != nil {
				t.Fatal(err)
			}
		}
		// Nothing may stick out sideways on a small (360 px) phone.
		sctx, cancel := context.WithTimeout(ctx, 20*time.Second)
		defer cancel()
		if err := chromedp.Do(sctx, chromedp.EmulateViewport(360, 740, chromedp.EmulateMobile)); err != nil {
			t.Fatal(err)
		}
		width, err := chromedp.Run(sctx, chromedp.Evaluate[int]("document.documentElement.scrollWidth"))
		if err != nil {
			t.Fatal(err)
		}
		if width > 360 {
			t.Errorf("%s is %d px wide on a 360 px screen", name, width)
		}
		step("back to the phone", phone)
	}

	until := func(what, cond string) {
		t.Helper()
		deadline := time.Now().Add(20 * time.Second)
		for {
			sctx, cancel := context.WithTimeout(ctx, 2*time.Second)
			ok, err := chromedp.Run(sctx, chromedp.Evaluate[bool]("document.readyState === 'complete' && ("+cond+")"))
			cancel()
			if err == nil && ok {
				return
			}
			if time.Now().After(deadline) {
				t.Fatalf("%s: still not true after 20 s (%v)", what, err)
			}
			time.Sleep(50 * time.Millisecond)
		}
	}
	return &browser{ctx: ctx, phone: phone, step: step, read: read, shoot: shoot, until: until}
}
