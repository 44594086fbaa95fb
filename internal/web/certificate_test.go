package web_test

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"mime/multipart"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"paraph/cades"
	"paraph/internal/poa/poatest"
	"paraph/internal/servertest"
	"paraph/internal/store"
	"paraph/pki/pkitest"
)

// upload opens page, then posts a multipart form to action with the page's
// CSRF token, the fields and the files (input name → content).
func (c *client) upload(page, action string, fields map[string]string, files map[string][]byte) (int, string) {
	c.t.Helper()
	if status, _ := c.get(page); status != http.StatusOK {
		c.t.Fatalf("GET %s: status %d", page, status)
	}
	m := csrfRe.FindStringSubmatch(c.page)
	if m == nil {
		c.t.Fatalf("no CSRF token on %s", page)
	}
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	mw.WriteField("csrf", m[1])
	for k, v := range fields {
		mw.WriteField(k, v)
	}
	for name, b := range files {
		fw, err := mw.CreateFormFile(name, name+".bin")
		if err != nil {
			c.t.Fatal(err)
		}
		fw.Write(b)
	}
	mw.Close()
	req, err := http.NewRequest("POST", c.env.URL+action, &body)
	if err != nil {
		c.t.Fatal(err)
	}
	req.Header.Set("Content-Type", mw.FormDataContentType())
	return c.do(req)
}

// certWorld is an organization (the principal of poatest.Default), its
// owner, Anna (the МЧД's representative, a signer with her own login) and
// Boris (an employee), and a test CA whose root nobody trusts yet.
type certWorld struct {
	env         *servertest.Env
	owner, anna *client
	boris       *client
	org         string
	annaID      string
	ca          *pkitest.CA
}

func newCertWorld(t *testing.T) *certWorld {
	t.Helper()
	env := servertest.New(t, store.SQLite, nil)
	now := env.Clock.Now()
	w := &certWorld{env: env, ca: pkitest.NewCA(t, pkitest.Options{NotBefore: now.AddDate(-2, 0, 0), NotAfter: now.AddDate(10, 0, 0)})}
	w.owner = registeredAs(t, env, "ru", "director@example.com", "Директоров Пётр Иванович")
	w.anna = registeredAs(t, env, "ru", "anna@example.com", "Подписантова Анна Сергеевна")
	w.boris = registeredAs(t, env, "ru", "boris@example.com", "Борисов Борис Борисович")
	d := poatest.Default()
	status, page := w.owner.submit("/orgs/new?country=RU&kind=legal", "/orgs/new", url.Values{"country": {"RU"}, "kind": {"legal"},
		"name": {d.Principal.Name}, "inn": {d.Principal.INN}, "kpp": {d.Principal.KPP}, "ogrn": {d.Principal.OGRN}, "email": {""}, "address": {""}})
	if status != http.StatusOK {
		t.Fatalf("create org: %d\n%s", status, squeeze(text(page)))
	}
	m := orgURLRe.FindStringSubmatch(page)
	if m == nil {
		t.Fatalf("create org: not on its page\n%s", squeeze(text(page)))
	}
	w.org = m[1]
	w.annaID, _ = w.owner.addMember(w.org, url.Values{"full_name": {"Подписантова Анна Сергеевна"}, "email": {"anna@example.com"}, "phone": {"+79160001111"}, "role": {"signer"}})
	w.owner.addMember(w.org, url.Values{"full_name": {"Борисов Борис Борисович"}, "email": {"boris@example.com"}, "phone": {"+79160002222"}, "role": {"employee"}})
	return w
}

// annaLeaf is Anna's certificate: the МЧД's representative, an accountant of the principal.
func (w *certWorld) annaLeaf(t *testing.T, notAfter time.Time) *pkitest.Leaf {
	t.Helper()
	r := poatest.Default().Representatives[0].Person
	now := w.env.Clock.Now()
	return w.ca.Issue(t, pkitest.LeafOptions{NotBefore: now.Add(-time.Hour), NotAfter: notAfter, Subject: pkitest.Subject{
		CommonName: "Подписантова Анна Сергеевна", Surname: "Подписантова", GivenName: "Анна Сергеевна",
		Title: "Главный бухгалтер", Organization: poatest.Default().Principal.Name, Email: "anna@example.com",
		INN: r.INN, SNILS: onlyDigits(r.SNILS), Country: "RU"}})
}

func onlyDigits(s string) string {
	return strings.Map(func(r rune) rune {
		if r >= '0' && r <= '9' {
			return r
		}
		return -1
	}, s)
}

func (w *certWorld) certsPath() string {
	return "/o/" + w.org + "/members/" + w.annaID + "/certificates"
}
func (w *certWorld) poasPath() string { return "/o/" + w.org + "/members/" + w.annaID + "/poas" }

// instanceAdmin registers the server's administrator.
func (w *certWorld) instanceAdmin(t *testing.T) *client {
	t.Helper()
	admin := registeredAs(t, w.env, "ru", "root@example.com", "Админов Админ Админович")
	if _, err := w.env.Svc.SetInstanceAdmin(context.Background(), "root@example.com", true); err != nil {
		t.Fatal(err)
	}
	// Rights are read at login.
	admin = newClient(t, w.env, "ru")
	if status, page := admin.submit("/login", "/login", url.Values{"login": {"root@example.com"}, "password": {goodPassword}, "next": {""}}); status != http.StatusOK {
		t.Fatalf("admin login: %d\n%s", status, squeeze(text(page)))
	}
	return admin
}

func TestCertificatesTab(t *testing.T) {
	w := newCertWorld(t)
	leaf := w.annaLeaf(t, w.env.Clock.Now().Add(60*24*time.Hour))
	path := w.certsPath()

	_, page := w.anna.get(path)
	mustContain(t, page, "Сертификатов пока нет", "Квалифицированный сертификат", "удостоверяющий центр",
		`enctype="multipart/form-data"`, `accept=".cer,.crt,.pem,.der,.p7b`)

	// Mistakes are explained next to the file input, and nothing is stored.
	tests := []struct {
		name  string
		files map[string][]byte
		want  string
	}{
		{"garbage", map[string][]byte{"certificate": []byte("hello, this is not a certificate")}, "Это не сертификат"},
		{"a private key", map[string][]byte{"certificate": leaf.KeyPEM(t)}, "Это закрытый ключ, а не сертификат. Мы его не сохранили."},
		{"truncated", map[string][]byte{"certificate": leaf.DER()[:100]}, "Файл сертификата обрезан"},
		{"no file", map[string][]byte{}, "Выберите файл."},
		{"too large", map[string][]byte{"certificate": bytes.Repeat([]byte("A"), 9<<20)}, "Файл слишком большой: не больше 8 МБ."},
	}
	for _, tt := range tests {
		status, page := w.anna.upload(path, path, nil, tt.files)
		if status != http.StatusUnprocessableEntity {
			t.Errorf("%s: status %d", tt.name, status)
		}
		mustContain(t, page, `id="certificate-certificate-error"`, tt.want, "Сертификатов пока нет")
	}

	// Her own certificate with the chain: kept, but invalid until the root is trusted.
	status, page := w.anna.upload(path, path, nil, map[string][]byte{"certificate": append(leaf.PEM(), pkitest.PEM(w.ca.Root())...)})
	if status != http.StatusOK {
		t.Fatalf("upload: %d\n%s", status, squeeze(text(page)))
	}
	r := poatest.Default().Representatives[0].Person
	mustContain(t, page, "Сертификат добавлен.", "Подписантова Анна Сергеевна", "Главный бухгалтер", poatest.Default().Principal.Name,
		"Недействителен", "Удостоверяющий центр не в списке доверенных", "СНИЛС", onlyDigits(r.SNILS), r.INN,
		"ECDSA P-256", "Подпись", leaf.Cert.SerialHex, leaf.Cert.FingerprintSHA256[:4]+" "+leaf.Cert.FingerprintSHA256[4:8], "Paraph Test Root CA")
	mustNotContain(t, page, "Сертификатов пока нет")
	status, page = w.anna.upload(path, path, nil, map[string][]byte{"certificate": leaf.PEM()})
	if status != http.StatusConflict || !strings.Contains(page, "Этот сертификат уже добавлен этому сотруднику.") {
		t.Errorf("twice: %d", status)
	}

	// An employee sees it, but may not add one for her.
	_, page = w.boris.get(path)
	mustContain(t, page, leaf.Cert.SerialHex)
	mustNotContain(t, page, `enctype="multipart/form-data"`)
	status, _ = w.boris.upload("/o/"+w.org+"/members", path, nil, map[string][]byte{"certificate": leaf.PEM()})
	if status != http.StatusForbidden && status != http.StatusNotFound {
		t.Errorf("employee uploads for another: %d", status)
	}

	// The trusted roots are the instance administrator's: the owner gets a 403.
	status, page = w.owner.get("/admin/trust")
	if status != http.StatusForbidden {
		t.Errorf("owner on /admin/trust: %d", status)
	}
	mustContain(t, page, "Это может только администратор сервера Paraph.")
	mustNotContain(t, page, `href="/admin/trust"`)

	admin := w.instanceAdmin(t)
	status, page = admin.get("/admin/trust")
	if status != http.StatusOK {
		t.Fatalf("admin on /admin/trust: %d", status)
	}
	mustContain(t, page, `href="/admin/trust"`, "Доверенных корней пока нет")
	status, page = admin.upload("/admin/trust", "/admin/trust", nil, map[string][]byte{"certificate": leaf.PEM()})
	if status != http.StatusUnprocessableEntity {
		t.Errorf("a leaf as root: %d", status)
	}
	mustContain(t, page, `id="root-certificate-error"`, "не удостоверяющего центра")
	_, page = admin.upload("/admin/trust", "/admin/trust", nil, map[string][]byte{"certificate": pkitest.PEM(w.ca.Root())})
	mustContain(t, page, "Корневой сертификат добавлен в доверенные.", "Paraph Test Root CA", "Удалить из доверенных")

	// Now her certificate is active.
	_, page = w.anna.get(path)
	mustContain(t, page, "Действует", "cert-active")
	mustNotContain(t, page, "Недействителен")
	// A second one with 20 days left is expiring, with the days left.
	soon := w.annaLeaf(t, w.env.Clock.Now().Add(20*24*time.Hour-time.Minute))
	_, page = w.anna.upload(path, path, nil, map[string][]byte{"certificate": soon.PEM()})
	mustContain(t, page, "Истекает через 20 дн.", "cert-expiring", soon.Cert.SerialHex)

	// Her name now comes from the certificate: read-only, and core refuses a change.
	_, page = w.anna.get("/profile")
	mustContain(t, page, `id="name-locked"`, "Имя берётся из вашего сертификата")
	mustNotContain(t, page, `action="/profile/name"`)
	status, page = w.anna.submit("/profile", "/profile/name", url.Values{"full_name": {"Другая Анна"}})
	if status != http.StatusUnprocessableEntity {
		t.Errorf("rename: %d", status)
	}
	mustContain(t, page, "Имя берётся из вашего сертификата, изменить его здесь нельзя.")
	_, page = w.boris.get("/profile")
	mustContain(t, page, `action="/profile/name"`) // no certificate, free to edit

	// Removing the root makes the certificate untrusted again.
	m := admin.find("/admin/trust", `action="(/admin/trust/[^/"]+/remove)"`)
	_, page = admin.submit("/admin/trust", m, url.Values{})
	mustContain(t, page, "Корневой сертификат удалён из доверенных.", "Доверенных корней пока нет")
	_, page = w.anna.get(path)
	mustContain(t, page, "Недействителен")

}

// find opens page and returns the first group of pattern on it.
func (c *client) find(page, pattern string) string {
	c.t.Helper()
	_, body := c.get(page)
	m := regexp.MustCompile(pattern).FindStringSubmatch(body)
	if m == nil {
		c.t.Fatalf("no %s on %s:\n%s", pattern, page, squeeze(text(body)))
	}
	return m[1]
}

// signPOA is the director's detached signature over the XML, as the FNS format requires.
func (w *certWorld) signPOA(t *testing.T, xml []byte) []byte {
	t.Helper()
	d := poatest.Default()
	now := w.env.Clock.Now()
	director := w.ca.Issue(t, pkitest.LeafOptions{NotBefore: now.AddDate(-1, 0, 0), NotAfter: now.AddDate(1, 0, 0), Subject: pkitest.Subject{
		CommonName: "Директоров Пётр Иванович", INN: d.Head.INN, SNILS: onlyDigits(d.Head.SNILS), INNLE: d.Principal.INN, OGRN: d.Principal.OGRN}})
	sig, err := cades.Sign(bytes.NewReader(xml), director.Cert.X509, director.Key, cades.SignOptions{})
	if err != nil {
		t.Fatal(err)
	}
	return sig
}

// poaDay is inside poatest.Default's validity (2025-01-15 … 2026-01-14).
var poaDay = time.Date(2025, 6, 1, 9, 0, 0, 0, time.UTC)

func TestPOATab(t *testing.T) {
	w := newCertWorld(t)
	// Back to a day the МЧД is valid, once everyone is logged in (the cookie
	// jar would drop sessions issued in the past).
	w.env.Clock.Advance(poaDay.Sub(w.env.Clock.Now()))
	path := w.poasPath()
	_, page := w.owner.get(path)
	mustContain(t, page, "Действующих доверенностей нет.", "Машиночитаемая доверенность (МЧД) нужна", `name="xml"`, `name="sig"`)

	d := poatest.Default()
	xml := d.XML()
	sig := w.signPOA(t, xml)
	badNumber := bytes.Replace(xml, []byte(`НомДовер="`+d.Number+`"`), []byte(`НомДовер="not-a-guid"`), 1)
	tests := []struct {
		name  string
		files map[string][]byte
		id    string
		want  []string
	}{
		{"no signature", map[string][]byte{"xml": xml}, "poa-sig-error", []string{"Выберите файл."}},
		{"another XML", map[string][]byte{"xml": []byte(`<?xml version="1.0"?><Файл ВерсФорм="5.01"/>`), "sig": sig}, "poa-xml-error",
			[]string{"Это XML другого формата, а не машиночитаемая доверенность"}},
		{"a structure error names the element", map[string][]byte{"xml": badNumber, "sig": sig}, "poa-xml-error",
			[]string{"Неверный номер доверенности: ожидается GUID.", "Место в файле:", "@НомДовер"}},
		{"an XML bomb", map[string][]byte{"xml": []byte(`<?xml version="1.0"?><!DOCTYPE a [<!ENTITY x "xx">]><a>&x;</a>`), "sig": sig}, "poa-xml-error",
			[]string{"недопустимые конструкции XML"}},
		{"a signature of other bytes", map[string][]byte{"xml": bytes.Replace(xml, []byte("Д-17/2025"), []byte("Д-18/2025"), 1), "sig": sig}, "poa-sig-error",
			[]string{"Подпись не подходит к этому XML"}},
		{"not a signature", map[string][]byte{"xml": xml, "sig": []byte("garbage")}, "poa-sig-error", []string{"не является электронной подписью"}},
	}
	for _, tt := range tests {
		status, page := w.owner.upload(path, path, nil, tt.files)
		if status != http.StatusUnprocessableEntity {
			t.Errorf("%s: status %d", tt.name, status)
		}
		mustContain(t, page, append([]string{`id="` + tt.id + `"`}, tt.want...)...)
	}

	status, page := w.owner.upload(path, path, nil, map[string][]byte{"xml": xml, "sig": sig})
	if status != http.StatusOK {
		t.Fatalf("upload: %d\n%s", status, squeeze(text(page)))
	}
	rep := d.Representatives[0].Person
	mustContain(t, page, "Доверенность добавлена.", d.Number, "Д-17/2025", "15.01.2025 — 14.01.2026", d.Principal.Name, d.Principal.INN,
		"Директоров Пётр Иванович", rep.Last, "Основная", "Действует", "02.003", "отзывная")
	if status, _ := w.owner.upload(path, path, nil, map[string][]byte{"xml": xml, "sig": sig}); status != http.StatusConflict {
		t.Errorf("twice: %d", status)
	}

	// A second one; making it the main one moves the badge.
	second := poatest.Default()
	second.Number, second.InternalNumber = "0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d", "Д-21/2025"
	xml2 := second.XML()
	if _, page := w.owner.upload(path, path, nil, map[string][]byte{"xml": xml2, "sig": w.signPOA(t, xml2)}); !strings.Contains(page, "Д-21/2025") {
		t.Fatal("second МЧД not listed")
	}
	first := w.owner.find(path, `id="poa-([0-9a-f-]{36})"[^>]*>\s*<div class="cert-head">\s*<h2>№ <span class="mono">`+d.Number)
	other := w.owner.find(path, `id="poa-([0-9a-f-]{36})"[^>]*>\s*<div class="cert-head">\s*<h2>№ <span class="mono">`+second.Number)
	_, page = w.owner.submit(path, path+"/"+other+"/main", url.Values{})
	mustContain(t, page, "Доверенность стала основной.")
	if strings.Count(page, "badge-main") != 1 || strings.Index(page, "badge-main") < strings.Index(page, second.Number) {
		t.Errorf("the main badge did not move to %s", second.Number)
	}

	// An employee sees the list but neither uploads nor revokes.
	_, page = w.boris.get(path)
	mustContain(t, page, d.Number)
	mustNotContain(t, page, `name="xml"`, `/revoke"`, `/main"`)

	// Revoking needs a confirmation (a <details>) and takes a reason; then the
	// МЧД is hidden until "show inactive" is ticked.
	_, page = w.owner.get(path)
	mustContain(t, page, `<details class="confirm danger"`, "Отозвать…", "Не забудьте отозвать её и в реестре ФНС")
	status, page = w.owner.submit(path, path+"/"+first+"/revoke", url.Values{"reason": {strings.Repeat("я", 501)}})
	if status != http.StatusUnprocessableEntity {
		t.Errorf("long reason: %d", status)
	}
	mustContain(t, page, "Причина слишком длинная")
	_, page = w.owner.submit(path, path+"/"+first+"/revoke", url.Values{"reason": {"отозвана доверителем"}})
	mustContain(t, page, "Доверенность отозвана.", second.Number)
	mustNotContain(t, page, d.Number)
	_, page = w.owner.get(path + "?inactive=1")
	mustContain(t, page, d.Number, "Отозвана", "отозвана доверителем", `name="inactive" value="1" checked`)

	// After its end date the other one is expired: hidden too.
	w.env.Clock.Advance(365 * 24 * time.Hour)
	_, page = w.owner.get(path)
	mustContain(t, page, "Действующих доверенностей нет.")
	_, page = w.owner.get(path + "?inactive=1")
	mustContain(t, page, "Истекла", "Отозвана")
}

// certLogin runs the browser's two steps of the certificate login with Go
// doing what certlogin.js does; sign gets the challenge bytes.
func (c *client) certLogin(cert []byte, sign func([]byte) []byte) (int, map[string]string) {
	c.t.Helper()
	c.get("/login/certificate")
	m := csrfRe.FindStringSubmatch(c.page)
	if m == nil {
		c.t.Fatal("no CSRF token on /login/certificate")
	}
	post := func(path string, body any) (int, map[string]string) {
		b, _ := json.Marshal(body)
		req, _ := http.NewRequest("POST", c.env.URL+path, bytes.NewReader(b))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("X-CSRF-Token", m[1])
		status, page := c.do(req)
		out := map[string]string{}
		if err := json.Unmarshal([]byte(page), &out); err != nil {
			c.t.Fatalf("%s: not JSON (%d): %s", path, status, squeeze(text(page)))
		}
		return status, out
	}
	status, ch := post("/login/certificate/challenge", map[string]string{"certificate": base64.StdEncoding.EncodeToString(cert)})
	if status != http.StatusOK {
		return status, ch
	}
	data, err := base64.StdEncoding.DecodeString(ch["data"])
	if err != nil {
		c.t.Fatal(err)
	}
	return post("/login/certificate", map[string]string{"challenge_id": ch["challenge_id"],
		"signature": base64.StdEncoding.EncodeToString(sign(data)), "next": "/profile"})
}

func TestCertificateLoginEndpoints(t *testing.T) {
	w := newCertWorld(t)
	leaf := w.annaLeaf(t, w.env.Clock.Now().AddDate(1, 0, 0))
	rawSign := func(key *ecdsa.PrivateKey) func([]byte) []byte {
		return func(data []byte) []byte { // r‖s, as WebCrypto gives it
			d := sha256.Sum256(data)
			r, s, err := ecdsa.Sign(rand.Reader, key, d[:])
			if err != nil {
				t.Fatal(err)
			}
			out := make([]byte, 64)
			r.FillBytes(out[:32])
			s.FillBytes(out[32:])
			return out
		}
	}
	key := leaf.Key.(*ecdsa.PrivateKey)

	// The login page links to it; the page itself explains the no-JS case.
	_, page := newClient(t, w.env, "ru").get("/login")
	mustContain(t, page, `href="/login/certificate"`, "Войти по сертификату")
	_, page = newClient(t, w.env, "ru").get("/login/certificate")
	mustContain(t, page, "<noscript>", "нужен JavaScript", "paraph login --cert", `src="/static/certlogin.js?v=`, `id="certlogin-key"`)

	// Not bound yet.
	c := newClient(t, w.env, "ru")
	status, out := c.certLogin(leaf.PEM(), rawSign(key))
	if status != http.StatusUnauthorized || !strings.Contains(out["error"], "не привязан") {
		t.Errorf("unbound: %d %v", status, out)
	}
	if s, _ := w.anna.upload(w.certsPath(), w.certsPath(), nil, map[string][]byte{"certificate": leaf.PEM()}); s != http.StatusOK {
		t.Fatalf("bind: %d", s)
	}
	// Bound but untrusted: refused with the reason.
	status, out = c.certLogin(leaf.PEM(), rawSign(key))
	if status != http.StatusUnauthorized || out["reason"] != "certificate_invalid" {
		t.Errorf("untrusted: %d %v", status, out)
	}
	admin := w.instanceAdmin(t)
	admin.upload("/admin/trust", "/admin/trust", nil, map[string][]byte{"certificate": pkitest.PEM(w.ca.Root())})

	// Another key: the signature does not verify.
	other := w.ca.Issue(t, pkitest.LeafOptions{Subject: pkitest.PersonRU()})
	status, out = c.certLogin(leaf.PEM(), rawSign(other.Key.(*ecdsa.PrivateKey)))
	if status != http.StatusUnauthorized || !strings.Contains(out["error"], "ключ от другого сертификата") {
		t.Errorf("wrong key: %d %v", status, out)
	}
	// Without the CSRF token: refused.
	req, _ := http.NewRequest("POST", w.env.URL+"/login/certificate/challenge", strings.NewReader(`{"certificate":""}`))
	req.Header.Set("Content-Type", "application/json")
	if status, _ := c.do(req); status != http.StatusForbidden {
		t.Errorf("no CSRF: %d", status)
	}

	status, out = c.certLogin(leaf.PEM(), rawSign(key))
	if status != http.StatusOK || out["redirect"] != "/profile" {
		t.Fatalf("login: %d %v", status, out)
	}
	_, page = c.get("/")
	mustContain(t, page, `action="/logout"`, "Подписантова Анна Сергеевна")
}
