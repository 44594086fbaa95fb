package web_test

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
)

var verifyLinkRe = regexp.MustCompile(`href="(/v/[a-z2-7]{32})"`)

// The last signature by a link completes the document: the sender's page
// says the signed PDF is being made, then offers it and the public
// verification page; anyone checks the file on /verify, in their language,
// with errors next to the field.
func TestFinalPDFPages(t *testing.T) {
	w := newDocWorld(t)
	doc := w.sent(t, "Акт № 17 за ноябрь", personStage("Клиентов Кирилл Олегович", "client@example.com"))
	link := linkFromMailbox(t, w.env, "client@example.com")
	c := newClient(t, w.env, "ru-RU,ru;q=0.9")
	if status, page := c.submit(link, link+"/code", url.Values{}); status != http.StatusOK {
		t.Fatalf("code: %d\n%s", status, squeeze(text(page)))
	}
	code := codeFromMailbox(t, w.env, "client@example.com")
	status, page := c.upload(link, link+"/sign", map[string]string{"code": code, "agree": "1"}, map[string][]byte{"image": signaturePNG(t)})
	if status != http.StatusOK {
		t.Fatalf("sign: %d\n%s", status, squeeze(text(page)))
	}

	// Jobs run here only when the test says so: the PDF is being made.
	_, page = w.owner.get("/documents/" + doc)
	mustContain(t, page, "Подписанный PDF готовится", "Обновить")
	mustNotContain(t, page, "Скачать подписанный PDF")
	// Asking for the file meanwhile leads back to the page that says so.
	if status, page := w.owner.get("/documents/" + doc + "/final.pdf"); status != http.StatusOK || !strings.Contains(page, "Подписанный PDF готовится") {
		t.Errorf("final.pdf while building: %d, want the document page again", status)
	}

	w.env.RunJobs(t)
	_, page = w.owner.get("/documents/" + doc)
	mustContain(t, page, "Подписанный PDF", "Скачать подписанный PDF", "Страница проверки", `href="/documents/`+doc+`/final.pdf?download=1"`)
	m := verifyLinkRe.FindStringSubmatch(page)
	if m == nil {
		t.Fatalf("no verification link on the document page\n%s", squeeze(text(page)))
	}
	vpage := m[1]
	// The client's link now leads to the signed PDF too.
	_, page = c.get(link)
	mustContain(t, page, "Подписанный PDF и проверка", `href="`+vpage+`"`)
	h := headersOf(t, w.owner, "/documents/"+doc+"/final.pdf?download=1")
	if h.Get("Content-Type") != "application/pdf" || !strings.Contains(h.Get("Content-Disposition"), "act-17.signed.pdf") {
		t.Fatalf("final.pdf headers: %v", h)
	}
	_, final := w.owner.get("/documents/" + doc + "/final.pdf")
	if !strings.HasPrefix(final, "%PDF-") {
		t.Fatalf("final.pdf is not a PDF: %.40q", final)
	}
	// A person of no party may not get it by the document's address.
	stranger := registeredAs(t, w.env, "ru", "stranger@example.com", "Посторонний Павел Павлович")
	if status, _ := stranger.get("/documents/" + doc + "/final.pdf"); status != http.StatusNotFound {
		t.Errorf("stranger: %d", status)
	}

	// The QR page, for anyone holding its link.
	anon := newClient(t, w.env, "uk")
	status, page = anon.get(vpage)
	if status != http.StatusOK {
		t.Fatalf("%s: %d", vpage, status)
	}
	mustContain(t, page, "Акт № 17 за ноябрь", "Клиентов Кирилл Олегович", "простий підпис", "Завантажити підписаний PDF", "Завантажити звіт (PDF)")
	if status, _ := anon.get(vpage + "/final.pdf"); status != http.StatusOK || anon.page != final {
		t.Errorf("public final: %d", status)
	}
	if status, _ := anon.get("/v/aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"); status != http.StatusNotFound {
		t.Errorf("unknown QR id: %d", status)
	}
	h = headersOf(t, anon, vpage+"/report.pdf")
	if h.Get("Content-Type") != "application/pdf" {
		t.Errorf("report.pdf: %v", h)
	}

	// /verify: the form, then the final PDF checked.
	status, page = anon.get("/verify")
	if status != http.StatusOK {
		t.Fatalf("/verify: %d", status)
	}
	mustContain(t, page, "Перевірка підписаного документа", "Файл підпису", "Перевірити")
	status, page = anon.upload("/verify", "/verify", nil, map[string][]byte{"file": []byte(final)})
	if status != http.StatusOK {
		t.Fatalf("check the final PDF: %d\n%s", status, squeeze(text(page)))
	}
	mustContain(t, page, "Підписано в цьому Paraph", "Акт № 17 за ноябрь", "Клиентов Кирилл Олегович", "/verify/reports/")
	// Unsealed in this test (the seal is tested with the API): the file is
	// found by its hash, but the missing seal is not a pass.
	status, page = anon.upload("/verify", "/verify", nil, map[string][]byte{"file": []byte("a text nobody signed")})
	if status != http.StatusOK {
		t.Fatalf("check a text: %d", status)
	}
	mustContain(t, page, "Не підтверджено", "У файлі немає підпису")
	status, page = anon.upload("/verify", "/verify", nil, nil)
	if status != http.StatusUnprocessableEntity {
		t.Errorf("no file: %d", status)
	}
	if got := fieldError(t, page, "verify-file"); got != "Виберіть файл." {
		t.Errorf("no file error: %q", got)
	}
}

// The route editor keeps a signer's stamp position and puts a wrong one's
// error next to it.
func TestRouteStampPlace(t *testing.T) {
	w := newDocWorld(t)
	doc := w.draft(t, "Акт со штампом")
	route := personStage("Клиентов Кирилл Олегович", "client@example.com")
	route["stages[0].signers[0].place.page"] = "0"
	route["stages[0].signers[0].place.x"] = "20"
	route["stages[0].signers[0].place.y"] = "200"
	status, page := w.owner.route(doc, "save", route)
	if status != http.StatusUnprocessableEntity {
		t.Fatalf("page 0: %d", status)
	}
	mustContain(t, page, "Страницы считаются с 1.", "Место штампа в подписанном PDF")
	route["stages[0].signers[0].place.page"] = "2"
	route["stages[0].signers[0].place.x"] = "20,5"
	if status, page = w.owner.route(doc, "save", route); status != http.StatusOK || !strings.Contains(page, "Маршрут сохранён.") {
		t.Fatalf("save: %d\n%s", status, squeeze(text(page)))
	}
	_, page = w.owner.get("/documents/" + doc)
	for _, want := range []string{`name="stages[0].signers[0].place.page" value="2"`, `name="stages[0].signers[0].place.x" value="20.5"`,
		`name="stages[0].signers[0].place.y" value="200"`} {
		if !strings.Contains(page, want) {
			t.Errorf("the saved place is not shown: %s", want)
		}
	}
}
