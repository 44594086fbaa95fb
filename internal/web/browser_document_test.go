package web_test

import (
	"context"
	"math"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// TestBrowserQualifiedSignature: the director opens a sent document in a
// real Chromium, picks his key file (PKCS#8 PEM) in the signing dialog, and
// the page signs with WebCrypto through prepare and complete; the document
// moves to the next stage. Screenshots: the box, the new-document form,
// the document page with its route, the signing dialog.
func TestBrowserQualifiedSignature(t *testing.T) {
	bin := chromium(t)
	w := newDocWorld(t)
	dir := screenshotDir(t)
	doc := w.draft(t, "Акт № 17 от 23.11.2026 оказанных услуг")
	w.owner.route(doc, "save", twoOwnStages(w.ownerID, w.annaID))
	if _, page := w.owner.submit("/documents/"+doc, "/documents/"+doc+"/send", url.Values{}); !strings.Contains(page, "Документ отправлен") {
		t.Fatalf("send:\n%s", squeeze(text(page)))
	}
	w.draft(t, "Счёт № 4 на оплату")
	keyFile := filepath.Join(t.TempDir(), "director-key.pem")
	if err := os.WriteFile(keyFile, w.dirLeaf.KeyPEM(t), 0o600); err != nil {
		t.Fatal(err)
	}

	b := startBrowser(t, bin, dir)
	step, read, shoot, phone, until := b.step, b.read, b.shoot, b.phone, b.until
	step("log in as the director", phone, chromedp.Navigate(w.env.URL+"/login"),
		chromedp.WaitVisible(chromedp.ID("login-login")),
		chromedp.SendKeys(chromedp.ID("login-login"), "director@example.com"),
		chromedp.SendKeys(chromedp.ID("login-password"), goodPassword),
		chromedp.Click(chromedp.CSS(`form[action="/login"] button[type=submit]`)),
		chromedp.WaitVisible(chromedp.CSS(`header form[action="/logout"]`)),
	)
	step("open the outgoing box", chromedp.Navigate(w.env.URL+"/o/"+w.org+"/documents?box=outgoing"), chromedp.WaitVisible(chromedp.CSS(".docs")))
	if got := read(".doc-waits"); !strings.Contains(got, "Директоров Пётр Иванович") {
		t.Errorf("waits for: %q", got)
	}
	shoot("documents-box")
	step("open the drafts", chromedp.Navigate(w.env.URL+"/o/"+w.org+"/documents?box=drafts"), chromedp.WaitVisible(chromedp.CSS(".docs")))
	shoot("documents-drafts")
	step("open the new-document form", chromedp.Navigate(w.env.URL+"/o/"+w.org+"/documents/new"), chromedp.WaitVisible(chromedp.ID("document-title")))
	shoot("document-new")

	step("open the document", chromedp.Navigate(w.env.URL+"/documents/"+doc), chromedp.WaitVisible(chromedp.ID("sign-open")))
	shoot("document-turn")
	step("open the signing dialog", chromedp.Click(chromedp.ID("sign-open")), chromedp.WaitVisible(chromedp.ID("sign-key")))
	shoot("document-sign-dialog")
	step("sign with the key file",
		chromedp.SetUploadFiles(chromedp.ID("sign-key"), []string{keyFile}),
		chromedp.Click(chromedp.ID("sign-submit")),
	)
	until("the signature is stored or refused", `!!document.querySelector(".flash") || !document.getElementById("sign-error").hidden`)
	if got := read("main"); !strings.Contains(got, "Подпись проверена и сохранена.") {
		shoot("document-sign-error")
		t.Fatalf("not signed: %q", read("#sign-error"))
	}
	if got := read(".stage-current .signer-name"); got != "Подписантова Анна Сергеевна" {
		t.Errorf("current stage after signing: %q", got)
	}
	if got := read(".sig .badge"); got != "Подпись верна" {
		t.Errorf("signature badge: %q", got)
	}
	shoot("document-signed")
}

// TestBrowserTwoPartyFlow is issue 5's whole two-party flow in a real
// Chromium: our director signs the first stage `qualified` with his key file
// in the browser; then a client outside opens the signing link from the dev
// mailbox, asks for a code, reads it from the mailbox, draws the signature
// on the canvas with the mouse, confirms and signs `simple`; the document
// ends completed. Screenshots: the funnel, the link page, the code step, the
// drawn signature, the done page.
func TestBrowserTwoPartyFlow(t *testing.T) {
	bin := chromium(t)
	w := newDocWorld(t)
	dir := screenshotDir(t)
	doc := w.sent(t, "Акт № 17 от 23.11.2026 оказанных услуг", map[string]string{"stages": "2",
		"stages[0].side": "own", "stages[0].signature": "qualified", "stages[0].signers": "1",
		"stages[0].signers[0].kind": "member", "stages[0].signers[0].member_id": w.ownerID,
		"stages[1].side": "counterparty", "stages[1].signature": "simple", "stages[1].signers": "1",
		"stages[1].signers[0].kind": "person", "stages[1].signers[0].full_name": "Клиентов Кирилл Олегович",
		"stages[1].signers[0].email": "client@example.com"})
	keyFile := filepath.Join(t.TempDir(), "director-key.pem")
	if err := os.WriteFile(keyFile, w.dirLeaf.KeyPEM(t), 0o600); err != nil {
		t.Fatal(err)
	}

	b := startBrowser(t, bin, dir)
	step, read, shoot, phone, until := b.step, b.read, b.shoot, b.phone, b.until
	step("log in as the director", phone, chromedp.Navigate(w.env.URL+"/login"),
		chromedp.WaitVisible(chromedp.ID("login-login")),
		chromedp.SendKeys(chromedp.ID("login-login"), "director@example.com"),
		chromedp.SendKeys(chromedp.ID("login-password"), goodPassword),
		chromedp.Click(chromedp.CSS(`form[action="/login"] button[type=submit]`)),
		chromedp.WaitVisible(chromedp.CSS(`header form[action="/logout"]`)),
	)
	step("open the document", chromedp.Navigate(w.env.URL+"/documents/"+doc), chromedp.WaitVisible(chromedp.ID("sign-open")))
	step("sign with the key file",
		chromedp.Click(chromedp.ID("sign-open")), chromedp.WaitVisible(chromedp.ID("sign-key")),
		chromedp.SetUploadFiles(chromedp.ID("sign-key"), []string{keyFile}),
		chromedp.Click(chromedp.ID("sign-submit")),
	)
	until("the signature is stored or refused", `!!document.querySelector(".flash") || !document.getElementById("sign-error").hidden`)
	if got := read("main"); !strings.Contains(got, "Подпись проверена и сохранена.") {
		t.Fatalf("qualified signature not stored: %q", read("#sign-error"))
	}
	step("open the funnel", chromedp.Click(chromedp.CSS(`.orgnav a[href$="/documents"]`)), chromedp.WaitVisible(chromedp.ID("funnel-link")),
		chromedp.Click(chromedp.ID("funnel-link")), chromedp.WaitVisible(chromedp.CSS(".funnel-cards")))
	if got := read(".funnel-waiting_counterparty .funnel-n"); got != "1" {
		t.Errorf("waiting for the counterparty: %q", got)
	}
	if got := read(".doc-waits"); !strings.Contains(got, "Клиентов Кирилл Олегович") {
		t.Errorf("waits for: %q", got)
	}
	shoot("funnel")
	step("log out", chromedp.Click(chromedp.CSS(`header form[action="/logout"] button`)), chromedp.WaitVisible(chromedp.CSS(`header a[href="/login"]`)))

	// The client: the link from the email, the code from the mailbox.
	link := linkFromMailbox(t, w.env, "client@example.com")
	step("open the signing link", chromedp.Navigate(w.env.URL+link), chromedp.WaitVisible(chromedp.ID("code-request")))
	if got := read(".kicker"); !strings.Contains(got, "просит подписать документ") {
		t.Errorf("who asks: %q", got)
	}
	shoot("link-page")
	step("ask for the code", chromedp.Click(chromedp.ID("code-request")), chromedp.WaitVisible(chromedp.CSS(".code-sent")))
	if got := read(".code-sent"); got != "Код отправлен на cl***@example.com." {
		t.Errorf("code sent: %q", got)
	}
	shoot("link-code")
	code := codeFromMailbox(t, w.env, "client@example.com")
	step("enter the code", chromedp.SendKeys(chromedp.ID("simple-code"), code))

	// Draw: real mouse events (press, moves, release) over the canvas, on a
	// desktop screen (the phone's touch emulation swallows mouse input).
	step("show the pad", chromedp.EmulateViewport(1280, 900), chromedp.ScrollIntoView(chromedp.ID("signpad")), chromedp.WaitVisible(chromedp.ID("signpad")))
	sctx, cancel := context.WithTimeout(b.ctx, 20*time.Second)
	rect, err := chromedp.Run(sctx, chromedp.Evaluate[[]float64](`(function(){var r=document.getElementById("signpad").getBoundingClientRect();return [r.left,r.top,r.width,r.height];})()`))
	cancel()
	if err != nil || len(rect) != 4 || rect[2] < 100 || rect[3] < 50 {
		t.Fatalf("canvas rect: %v %v", rect, err)
	}
	x0, y0, cw, ch := rect[0], rect[1], rect[2], rect[3]
	stroke := []chromedp.Action[chromedp.Void]{chromedp.MouseEvent(chromedp.MousePressed, x0+cw*0.1, y0+ch*0.6, chromedp.ButtonLeft)}
	for i := 1; i <= 40; i++ {
		f := float64(i) / 40
		y := y0 + ch*(0.6-0.3*math.Sin(f*3*math.Pi)*(1-f/2))
		stroke = append(stroke, chromedp.MouseEvent(chromedp.MouseMoved, x0+cw*(0.1+0.8*f), y, chromedp.ButtonLeft))
	}
	stroke = append(stroke, chromedp.MouseEvent(chromedp.MouseReleased, x0+cw*0.9, y0+ch*0.5, chromedp.ButtonLeft))
	step("draw the signature", stroke...)
	sctx, cancel = context.WithTimeout(b.ctx, 20*time.Second)
	drawn, err := chromedp.Run(sctx, chromedp.Evaluate[string](`document.getElementById("signpad-data").value`))
	cancel()
	if err != nil || !strings.HasPrefix(drawn, "data:image/png;base64,") || len(drawn) < 500 {
		t.Fatalf("the pad made no PNG: %d chars %.40q %v", len(drawn), drawn, err)
	}
	step("confirm", chromedp.Click(chromedp.ID("simple-agree")))
	shoot("link-drawn")
	step("sign", chromedp.Click(chromedp.ID("simple-submit")))
	until("the done page", `!!document.querySelector(".link-done") || !!document.querySelector(".field-error, .alert-error")`)
	if got := read("main h1"); got != "Документ подписан" {
		t.Fatalf("not signed: %q", read("main"))
	}
	shoot("link-done")

	_, page := w.owner.get("/documents/" + doc)
	mustContain(t, page, "Подписан", "Завершён", "Клиентов Кирилл Олегович")
	if !regexp.MustCompile(`class="badge badge-ok">Подписан<`).MatchString(page) {
		t.Errorf("the document is not completed:\n%s", squeeze(text(page)))
	}
}
