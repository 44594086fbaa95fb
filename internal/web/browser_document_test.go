package web_test

import (
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

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
