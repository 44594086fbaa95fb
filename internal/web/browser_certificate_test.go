package web_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"paraph/internal/poa/poatest"
	"paraph/pki/pkitest"
)

// TestBrowserCertificateLogin logs Anna in with her certificate in a real
// Chromium: the page reads the certificate and the PKCS#8 key files, signs
// the server's challenge with WebCrypto and ends on the home page with her
// name. It also shoots the certificates and МЧД tabs and the login page.
func TestBrowserCertificateLogin(t *testing.T) {
	bin := chromium(t)
	w := newCertWorld(t)
	dir := screenshotDir(t)
	leaf := w.annaLeaf(t, w.env.Clock.Now().AddDate(1, 0, 0))
	if s, _ := w.anna.upload(w.certsPath(), w.certsPath(), nil, map[string][]byte{"certificate": append(leaf.PEM(), pkitest.PEM(w.ca.Root())...)}); s != 200 {
		t.Fatalf("bind the certificate: %d", s)
	}
	admin := w.instanceAdmin(t)
	admin.upload("/admin/trust", "/admin/trust", nil, map[string][]byte{"certificate": pkitest.PEM(w.ca.Root())})

	files := t.TempDir()
	certFile, keyFile := filepath.Join(files, "anna.cer"), filepath.Join(files, "anna-key.pem")
	if err := os.WriteFile(certFile, leaf.PEM(), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(keyFile, leaf.KeyPEM(t), 0o600); err != nil {
		t.Fatal(err)
	}
	wrongKey := filepath.Join(files, "other-key.pem")
	os.WriteFile(wrongKey, w.ca.Issue(t, pkitest.LeafOptions{Subject: pkitest.PersonRU()}).KeyPEM(t), 0o600)

	b := startBrowser(t, bin, dir)
	step, read, shoot, phone := b.step, b.read, b.shoot, b.phone
	step("open the login page", phone, chromedp.Navigate(w.env.URL+"/login"), chromedp.WaitVisible(chromedp.CSS(`a[href="/login/certificate"]`)))
	step("follow the certificate link", chromedp.Click(chromedp.CSS(`a[href="/login/certificate"]`)), chromedp.WaitVisible(chromedp.ID("certlogin-cert")))
	shoot("certlogin")

	step("sign with a key of another certificate",
		chromedp.SetUploadFiles(chromedp.ID("certlogin-cert"), []string{certFile}),
		chromedp.SetUploadFiles(chromedp.ID("certlogin-key"), []string{wrongKey}),
		chromedp.Click(chromedp.ID("certlogin-submit")),
		chromedp.WaitVisible(chromedp.ID("certlogin-error")),
	)
	if got := read("#certlogin-error"); !strings.Contains(got, "ключ от другого сертификата") {
		t.Errorf("wrong key: %q", got)
	}
	shoot("certlogin-error")

	step("log in with the certificate",
		chromedp.SetUploadFiles(chromedp.ID("certlogin-key"), []string{keyFile}),
		chromedp.Click(chromedp.ID("certlogin-submit")),
		chromedp.WaitVisible(chromedp.CSS(`header form[action="/logout"]`)),
	)
	if got := read("main .hello"); !strings.Contains(got, "Подписантова Анна Сергеевна") {
		t.Errorf("home after the certificate login: %q", got)
	}

	step("open her certificates", chromedp.Navigate(w.env.URL+w.certsPath()), chromedp.WaitVisible(chromedp.CSS(".cert")))
	if got := read(".cert .badge"); got != "Действует" {
		t.Errorf("certificate badge: %q", got)
	}
	shoot("certificates")

	// The МЧД tab on a day the synthetic МЧД is valid.
	w.env.Clock.Advance(poaDay.Sub(w.env.Clock.Now()))
	d := poatest.Default()
	xml := d.XML()
	if s, page := w.owner.upload(w.poasPath(), w.poasPath(), nil, map[string][]byte{"xml": xml, "sig": w.signPOA(t, xml)}); s != 200 {
		t.Fatalf("upload МЧД: %d\n%s", s, squeeze(text(page)))
	}
	step("open her МЧД", chromedp.Navigate(w.env.URL+w.poasPath()), chromedp.WaitVisible(chromedp.CSS(".cert")))
	if got := read(".cert .cert-head"); !strings.Contains(got, d.Number) || !strings.Contains(got, "Основная") {
		t.Errorf("МЧД head: %q", got)
	}
	shoot("poas")
}
