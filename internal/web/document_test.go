package web_test

import (
	"bytes"
	"mime/multipart"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"paraph/cades"
	"paraph/internal/poa/poatest"
	"paraph/pki/pkitest"
)

// docWorld is certWorld with the director's own certificate (naming the
// organization, so no МЧД is needed) bound and its CA trusted.
type docWorld struct {
	*certWorld
	ownerID string
	dirLeaf *pkitest.Leaf
}

var memberLinkRe = regexp.MustCompile(`href="/o/[0-9a-f-]{36}/members/([0-9a-f-]{36})">Директоров`)

func newDocWorld(t *testing.T) *docWorld {
	t.Helper()
	w := &docWorld{certWorld: newCertWorld(t)}
	_, page := w.owner.get("/o/" + w.org + "/members")
	m := memberLinkRe.FindStringSubmatch(page)
	if m == nil {
		t.Fatalf("no owner on the members page\n%s", squeeze(text(page)))
	}
	w.ownerID = m[1]
	p := poatest.Default().Principal
	now := w.env.Clock.Now()
	w.dirLeaf = w.ca.Issue(t, pkitest.LeafOptions{NotBefore: now.Add(-24 * 3600e9), NotAfter: now.AddDate(1, 0, 0),
		Subject: pkitest.Subject{CommonName: "Директоров Пётр Иванович", INN: "500100732259", SNILS: "11223344595",
			INNLE: p.INN, OGRN: p.OGRN, Country: "RU"}})
	path := "/o/" + w.org + "/members/" + w.ownerID + "/certificates"
	if s, page := w.owner.upload(path, path, nil, map[string][]byte{"certificate": w.dirLeaf.PEM()}); s != http.StatusOK {
		t.Fatalf("bind the director's certificate: %d\n%s", s, squeeze(text(page)))
	}
	admin := w.instanceAdmin(t)
	if s, _ := admin.upload("/admin/trust", "/admin/trust", nil, map[string][]byte{"certificate": pkitest.PEM(w.ca.Root())}); s != http.StatusOK {
		t.Fatalf("trust the root: %d", s)
	}
	return w
}

var pdfBytes = []byte("%PDF-1.4\n% Акт № 17 от 23.11.2026\n%%EOF\n")

// uploadDocument posts the new-document form as a browser does: the CSRF
// token first, the fields, the file last.
func (c *client) uploadDocument(org string, fields [][2]string, fileName string, body []byte) (int, string) {
	c.t.Helper()
	page := "/o/" + org + "/documents/new"
	if status, _ := c.get(page); status != http.StatusOK {
		c.t.Fatalf("GET %s: %d", page, status)
	}
	m := csrfRe.FindStringSubmatch(c.page)
	if m == nil {
		c.t.Fatal("no CSRF token on the upload form")
	}
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	mw.WriteField("csrf", m[1])
	for _, f := range fields {
		mw.WriteField(f[0], f[1])
	}
	fw, _ := mw.CreateFormFile("file", fileName)
	fw.Write(body)
	mw.Close()
	req, _ := http.NewRequest("POST", c.env.URL+page, &buf)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	return c.do(req)
}

var docURLRe = regexp.MustCompile(`action="/documents/([0-9a-f-]{36})/`)

func (w *docWorld) draft(t *testing.T, title string) string {
	t.Helper()
	status, page := w.owner.uploadDocument(w.org, [][2]string{{"title", title}, {"kind", "act"}, {"number", "17"},
		{"date", "2026-11-23"}, {"amount", "12 345,67"}, {"currency", "RUB"}, {"counterparty", "ООО «Заказчик»"}}, "act-17.pdf", pdfBytes)
	if status != http.StatusOK {
		t.Fatalf("upload: %d\n%s", status, squeeze(text(page)))
	}
	m := docURLRe.FindStringSubmatch(page)
	if m == nil {
		t.Fatalf("upload: not on the document page\n%s", squeeze(text(page)))
	}
	return m[1]
}

// route posts the editor with the given fields and button.
func (c *client) route(doc string, op string, fields map[string]string) (int, string) {
	c.t.Helper()
	v := url.Values{"op": {op}}
	for k, s := range fields {
		v.Set(k, s)
	}
	return c.submit("/documents/"+doc, "/documents/"+doc+"/route", v)
}

func twoOwnStages(dir, anna string) map[string]string {
	return map[string]string{"stages": "2",
		"stages[0].side": "own", "stages[0].signature": "qualified", "stages[0].signers": "1",
		"stages[0].signers[0].kind": "member", "stages[0].signers[0].member_id": dir,
		"stages[1].side": "own", "stages[1].signature": "qualified", "stages[1].signers": "1",
		"stages[1].signers[0].kind": "member", "stages[1].signers[0].member_id": anna}
}

func TestDocumentUpload(t *testing.T) {
	w := newDocWorld(t)
	_, page := w.owner.get("/o/" + w.org + "/documents/new")
	// The CSRF token comes before every other field, the file after them all.
	csrfAt, titleAt, fileAt := strings.Index(page, `name="csrf"`), strings.Index(page, `name="title"`), strings.Index(page, `type="file"`)
	if !(csrfAt < titleAt && titleAt < fileAt) {
		t.Errorf("form order: csrf %d, title %d, file %d", csrfAt, titleAt, fileAt)
	}
	tests := []struct {
		name   string
		fields [][2]string
		file   string
		body   []byte
		want   []string
	}{
		{"empty file", [][2]string{{"title", "Акт"}}, "a.pdf", nil, []string{`id="document-file-error"`, "Файл пустой."}},
		{"no title", [][2]string{{"title", " "}}, "a.pdf", pdfBytes, []string{`id="document-title-error"`, "Укажите название документа."}},
		{"bad amount", [][2]string{{"title", "Акт"}, {"amount", "12,3,4"}}, "a.pdf", pdfBytes, []string{`id="document-amount-error"`}},
		{"bad date", [][2]string{{"title", "Акт"}, {"date", "23.11.2026"}}, "a.pdf", pdfBytes, []string{`id="document-date-error"`}},
		{"no file", [][2]string{{"title", "Акт"}}, "", nil, []string{`id="document-file-error"`, "Выберите файл."}},
	}
	for _, tt := range tests {
		status, page := w.owner.uploadDocument(w.org, tt.fields, tt.file, tt.body)
		if status != http.StatusUnprocessableEntity {
			t.Errorf("%s: status %d", tt.name, status)
		}
		mustContain(t, page, tt.want...)
		mustContain(t, page, "выберите его ещё раз")
	}
	// A forged form: no token first, nothing read.
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	mw.WriteField("title", "Чужой")
	fw, _ := mw.CreateFormFile("file", "x.pdf")
	fw.Write(pdfBytes)
	mw.Close()
	req, _ := http.NewRequest("POST", w.env.URL+"/o/"+w.org+"/documents/new", &buf)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	if status, _ := w.owner.do(req); status != http.StatusForbidden {
		t.Errorf("no CSRF: %d", status)
	}
	// Not a form with files at all.
	req, _ = http.NewRequest("POST", w.env.URL+"/o/"+w.org+"/documents/new", strings.NewReader("title=x"))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if status, _ := w.owner.do(req); status != http.StatusBadRequest {
		t.Errorf("not multipart: %d", status)
	}

	doc := w.draft(t, "Акт № 17 за ноябрь")
	_, page = w.owner.get("/documents/" + doc)
	mustContain(t, page, "Акт № 17 за ноябрь", "Черновик", "12\u00a0345,67\u00a0₽", "ООО «Заказчик»", "23.11.2026",
		`<iframe class="pdf" src="/documents/`+doc+`/file"`, "Маршрут подписания", "Сохранить маршрут")
	mustNotContain(t, page, "Отправить на подпись")

	// The PDF may be framed by our own pages, and by nobody else.
	res, err := w.owner.http.Get(w.env.URL + "/documents/" + doc + "/file")
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if h := res.Header; h.Get("Content-Security-Policy") != "frame-ancestors 'self'" || h.Get("X-Frame-Options") != "SAMEORIGIN" ||
		h.Get("Content-Type") != "application/pdf" || !strings.HasPrefix(h.Get("Content-Disposition"), "inline") {
		t.Errorf("file headers: %v", h)
	}
	res, _ = w.owner.http.Get(w.env.URL + "/documents/" + doc + "/file?download=1")
	res.Body.Close()
	if h := res.Header; !strings.HasPrefix(h.Get("Content-Disposition"), "attachment") || h.Get("X-Frame-Options") != "DENY" {
		t.Errorf("download headers: %v", h)
	}
	// Another file type is never shown inline.
	status, page := w.owner.uploadDocument(w.org, [][2]string{{"title", "Страница"}}, "page.html", []byte("<script>alert(1)</script>"))
	if status != http.StatusOK {
		t.Fatalf("html upload: %d", status)
	}
	other := docURLRe.FindStringSubmatch(page)[1]
	mustContain(t, page, "скачайте его")
	res, _ = w.owner.http.Get(w.env.URL + "/documents/" + other + "/file")
	res.Body.Close()
	if h := res.Header; !strings.HasPrefix(h.Get("Content-Disposition"), "attachment") || !strings.Contains(h.Get("Content-Security-Policy"), "default-src 'self'") {
		t.Errorf("html file headers: %v", h)
	}

	// Drafts box.
	_, page = w.owner.get("/o/" + w.org + "/documents?box=drafts")
	mustContain(t, page, "Акт № 17 за ноябрь", "Страница", "+ Новый документ")
	_, page = w.owner.get("/o/" + w.org + "/documents?box=drafts&q=ноябр")
	mustContain(t, page, "Акт № 17 за ноябрь")
	mustNotContain(t, page, "Страница</a>")
	_, page = w.owner.get("/o/" + w.org + "/documents?box=incoming")
	mustContain(t, page, "Входящих документов пока нет")
	if status, _ := w.owner.get("/o/" + w.org + "/documents?box=drafts&from=yesterday"); status != http.StatusBadRequest {
		t.Errorf("bad date filter: %d", status)
	}
}

func TestDocumentRouteSendSignDecline(t *testing.T) {
	w := newDocWorld(t)
	doc := w.draft(t, "Акт № 17")
	_, borisPage := w.owner.get("/o/" + w.org + "/members")
	borisID := regexp.MustCompile(`href="/o/[0-9a-f-]{36}/members/([0-9a-f-]{36})">Борисов`).FindStringSubmatch(borisPage)[1]

	// The editor's buttons change the form without saving.
	status, page := w.owner.route(doc, "add_counterparty", twoOwnStages(w.ownerID, w.annaID))
	if status != http.StatusOK {
		t.Fatalf("add stage: %d", status)
	}
	mustContain(t, page, "Этап 3", `name="stages[2].signers[0].org_id"`, `value="3"`)
	_, page = w.owner.route(doc, "add_person:1", twoOwnStages(w.ownerID, w.annaID))
	mustContain(t, page, `name="stages[1].signers[1].full_name"`)

	// Errors land next to their stage or signer.
	bad := twoOwnStages(w.ownerID, borisID)
	status, page = w.owner.route(doc, "save", bad)
	if status != http.StatusUnprocessableEntity {
		t.Errorf("employee as signer: %d", status)
	}
	mustContain(t, page, "У этого сотрудника нет права подписи.")
	if i := strings.Index(page, "signer-row invalid"); i < strings.Index(page, `name="stages[1].signers[0].kind"`)-400 || i < 0 {
		t.Errorf("the error is not on the second stage's signer")
	}
	bad = twoOwnStages(w.ownerID, w.annaID)
	bad["stages[1].side"], bad["stages[1].signers[0].kind"], bad["stages[1].signers[0].email"] = "counterparty", "person", "client@example.com"
	_, page = w.owner.route(doc, "save", bad)
	mustContain(t, page, "Укажите ФИО внешнего подписанта.")
	bad = twoOwnStages(w.ownerID, w.annaID)
	bad["stages[1].signers"] = "0"
	_, page = w.owner.route(doc, "save", bad)
	mustContain(t, page, "В каждом этапе нужен хотя бы один подписант.")
	// Nothing was saved.
	_, page = w.owner.get("/documents/" + doc)
	mustContain(t, page, "Маршрут ещё не задан.")

	status, page = w.owner.route(doc, "save", twoOwnStages(w.ownerID, w.annaID))
	if status != http.StatusOK {
		t.Fatalf("save: %d\n%s", status, squeeze(text(page)))
	}
	mustContain(t, page, "Маршрут сохранён.", "Этап 1", "Этап 2", "Подписантова Анна Сергеевна", "Отправить на подпись")

	status, page = w.owner.submit("/documents/"+doc, "/documents/"+doc+"/send", url.Values{})
	if status != http.StatusOK {
		t.Fatalf("send: %d", status)
	}
	mustContain(t, page, "Документ отправлен на подпись.", "На подписании", "Ваша очередь подписать", "Загрузить подпись (.sig)", "Отозвать документ",
		"История документа", "Документ загружен", "Задан маршрут подписания", "Отправлен на подпись")
	mustNotContain(t, page, "Сохранить маршрут")
	// Sending twice is refused with the reason.
	status, page = w.owner.post("/documents/"+doc+"/send", url.Values{"csrf": {csrfRe.FindStringSubmatch(page)[1]}})
	if status != http.StatusConflict {
		t.Errorf("send twice: %d", status)
	}
	mustContain(t, page, "Документ уже отправлен")

	// Outgoing box: whom it waits for.
	_, page = w.owner.get("/o/" + w.org + "/documents?box=outgoing")
	mustContain(t, page, "Акт № 17", "На подписании", "Ждёт: Директоров Пётр Иванович", "12\u00a0345,67\u00a0₽")
	_, page = w.owner.get("/o/" + w.org + "/documents?box=outgoing&state=completed")
	mustContain(t, page, "Таких документов нет")

	// Anna is not yet on turn.
	_, page = w.anna.get("/documents/" + doc)
	mustNotContain(t, page, "Ваша очередь подписать")

	// The director uploads a .sig: garbage first, then a signature over another file, then the real one.
	sigPath := "/documents/" + doc + "/signatures"
	status, page = w.owner.upload("/documents/"+doc, sigPath, nil, map[string][]byte{"cms": []byte("garbage")})
	if status != http.StatusUnprocessableEntity {
		t.Errorf("garbage sig: %d", status)
	}
	mustContain(t, page, `id="sig-cms-error"`)
	otherSig, err := cades.Sign(bytes.NewReader([]byte("another file")), w.dirLeaf.Cert.X509, w.dirLeaf.Key, cades.SignOptions{})
	if err != nil {
		t.Fatal(err)
	}
	_, page = w.owner.upload("/documents/"+doc, sigPath, nil, map[string][]byte{"cms": otherSig})
	mustContain(t, page, "Файл изменён после подписания, или подпись относится к другому файлу.")
	sig, err := cades.Sign(bytes.NewReader(pdfBytes), w.dirLeaf.Cert.X509, w.dirLeaf.Key, cades.SignOptions{})
	if err != nil {
		t.Fatal(err)
	}
	status, page = w.owner.upload("/documents/"+doc, sigPath, nil, map[string][]byte{"cms": sig})
	if status != http.StatusOK {
		t.Fatalf("sig: %d\n%s", status, squeeze(text(page)))
	}
	mustContain(t, page, "Подпись проверена и сохранена.", "Подписал", "Подпись верна", "Скачать подпись (.sig)")
	mustNotContain(t, page, "Ваша очередь подписать")
	sigID := regexp.MustCompile(`/documents/[0-9a-f-]{36}/signatures/([0-9a-f-]{36})`).FindStringSubmatch(page)[1]
	res, err := w.owner.http.Get(w.env.URL + "/documents/" + doc + "/signatures/" + sigID)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != 200 || res.Header.Get("Content-Type") != "application/pkcs7-signature" || res.ContentLength != int64(len(sig)) {
		t.Errorf("sig download: %d %v", res.StatusCode, res.Header)
	}

	// Anna's turn: she declines, first without a reason.
	_, page = w.anna.get("/documents/" + doc)
	mustContain(t, page, "Ваша очередь подписать", "Отклонить документ")
	status, page = w.anna.submit("/documents/"+doc, "/documents/"+doc+"/decline", url.Values{"comment": {"  "}})
	if status != http.StatusUnprocessableEntity {
		t.Errorf("decline without reason: %d", status)
	}
	mustContain(t, page, `id="decline-comment-error"`, "Укажите причину")
	_, page = w.anna.submit("/documents/"+doc, "/documents/"+doc+"/decline", url.Values{"comment": {"Сумма не сходится с договором"}})
	mustContain(t, page, "Вы отклонили документ.", "Документ отклонён.", "Сумма не сходится с договором", "Отклонил")
	_, page = w.owner.get("/o/" + w.org + "/documents?box=outgoing&state=declined")
	mustContain(t, page, "Акт № 17", "Отклонён")
}

func TestDocumentRevokeAndScope(t *testing.T) {
	w := newDocWorld(t)
	doc := w.draft(t, "Договор поставки")
	w.owner.route(doc, "save", twoOwnStages(w.ownerID, w.annaID))
	w.owner.submit("/documents/"+doc, "/documents/"+doc+"/send", url.Values{})

	// A member who sees only their own department (and has none) sees nothing.
	viktor := registeredAs(t, w.env, "ru", "viktor@example.com", "Викторов Виктор Викторович")
	w.owner.addMember(w.org, url.Values{"full_name": {"Викторов Виктор Викторович"}, "email": {"viktor@example.com"},
		"phone": {"+79160003333"}, "role": {"employee"}, "access_scope": {"own"}})
	_, page := viktor.get("/o/" + w.org + "/documents?box=outgoing")
	mustContain(t, page, "Отправленных документов пока нет")
	mustNotContain(t, page, "Договор поставки")
	if status, _ := viktor.get("/documents/" + doc); status != http.StatusNotFound {
		t.Errorf("out-of-scope document page: %d", status)
	}
	if status, _ := viktor.get("/documents/" + doc + "/file"); status != http.StatusNotFound {
		t.Errorf("out-of-scope file: %d", status)
	}
	// Boris sees all documents but is neither author nor signer: no actions.
	_, page = w.boris.get("/documents/" + doc)
	mustContain(t, page, "Договор поставки")
	mustNotContain(t, page, "Отозвать документ", "Ваша очередь подписать")
	status, _ := w.boris.submit("/documents/"+doc, "/documents/"+doc+"/revoke", url.Values{})
	if status != http.StatusForbidden {
		t.Errorf("boris revokes: %d", status)
	}

	status, page = w.owner.submit("/documents/"+doc, "/documents/"+doc+"/revoke", url.Values{})
	if status != http.StatusOK {
		t.Fatalf("revoke: %d", status)
	}
	mustContain(t, page, "Документ отозван.", "Автор отозвал документ")
	mustNotContain(t, page, "Ваша очередь подписать")

	// Pagination: 51 drafts make two pages.
	for i := range 51 {
		w.owner.uploadDocument(w.org, [][2]string{{"title", "Черновик " + strconv.Itoa(i)}}, "d.txt", []byte("x"+strconv.Itoa(i)))
	}
	_, page = w.owner.get("/o/" + w.org + "/documents?box=drafts")
	next := regexp.MustCompile(`href="(/o/[^"]+cursor=[^"]+)"`).FindStringSubmatch(page)
	if next == nil {
		t.Fatal("no next page")
	}
	_, page = w.owner.get(strings.ReplaceAll(next[1], "&amp;", "&"))
	mustContain(t, page, "Черновик 0", "В начало")
}
