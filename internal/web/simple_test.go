package web_test

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"image"
	"image/color"
	"image/png"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"paraph/internal/poa/poatest"
	"paraph/internal/servertest"
)

// personStage is a route of one counterparty stage: a person outside who
// signs simple by a link.
func personStage(name, email string) map[string]string {
	return map[string]string{"stages": "1",
		"stages[0].side": "counterparty", "stages[0].signature": "simple", "stages[0].signers": "1",
		"stages[0].signers[0].kind": "person", "stages[0].signers[0].full_name": name, "stages[0].signers[0].email": email}
}

// sent makes a draft with the route and sends it.
func (w *docWorld) sent(t *testing.T, title string, route map[string]string) string {
	t.Helper()
	doc := w.draft(t, title)
	if status, page := w.owner.route(doc, "save", route); status != http.StatusOK || !strings.Contains(page, "Маршрут сохранён.") {
		t.Fatalf("route: %d\n%s", status, squeeze(text(page)))
	}
	if _, page := w.owner.submit("/documents/"+doc, "/documents/"+doc+"/send", url.Values{}); !strings.Contains(page, "Документ отправлен") {
		t.Fatalf("send:\n%s", squeeze(text(page)))
	}
	return doc
}

var linkRe = regexp.MustCompile(`/s/ppl_[A-Za-z0-9_-]+`)

// linkFromMailbox returns the path of the newest signing link sent to an
// address, read from /dev/mailbox.json as a person would read the email.
func linkFromMailbox(t *testing.T, env *servertest.Env, to string) string {
	t.Helper()
	env.RunJobs(t)
	res, err := http.Get(env.URL + "/dev/mailbox.json?to=" + url.QueryEscape(to))
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var msgs []struct{ Body string }
	if err := json.NewDecoder(res.Body).Decode(&msgs); err != nil {
		t.Fatal(err)
	}
	for _, m := range msgs {
		if l := linkRe.FindString(m.Body); l != "" {
			return l
		}
	}
	t.Fatalf("no signing link to %s in the dev mailbox", to)
	return ""
}

// signaturePNG is a small drawn-looking signature.
func signaturePNG(t *testing.T) []byte {
	t.Helper()
	img := image.NewNRGBA(image.Rect(0, 0, 120, 40))
	for x := 10; x < 110; x++ {
		img.Set(x, 20+(x%7)-3, color.NRGBA{0x1b, 0x2f, 0x74, 0xff})
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func headersOf(t *testing.T, c *client, path string) http.Header {
	t.Helper()
	res, err := c.http.Get(c.env.URL + path)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %d", path, res.StatusCode)
	}
	return res.Header
}

func TestSigningLink(t *testing.T) {
	w := newDocWorld(t)
	doc := w.sent(t, "Акт № 17 за ноябрь", personStage("Клиентов Кирилл Олегович", "client@example.com"))
	link := linkFromMailbox(t, w.env, "client@example.com")
	c := newClient(t, w.env, "ru-RU,ru;q=0.9")

	status, page := c.get(link)
	if status != http.StatusOK {
		t.Fatalf("link page: %d\n%s", status, squeeze(text(page)))
	}
	mustContain(t, page, poatest.Default().Principal.Name+" просит подписать документ", "Акт № 17 за ноябрь", "№ 17", "23.11.2026",
		"12\u00a0345,67\u00a0₽", `<iframe class="pdf" src="`+link+`/file"`, "Получить код", "Код придёт на cl***@example.com",
		"Я ознакомлен(а) с документом и подписываю его простой электронной подписью", "Очистить", "Подписать")
	mustNotContain(t, page, `href="/login"`, `href="/register"`) // no account needed here
	if h := headersOf(t, c, link); h.Get("Referrer-Policy") != "no-referrer" || h.Get("Cache-Control") != "no-store" {
		t.Errorf("link page headers: %v", h)
	}
	h := headersOf(t, c, link+"/file")
	if h.Get("Content-Security-Policy") != "frame-ancestors 'self'" || h.Get("X-Frame-Options") != "SAMEORIGIN" ||
		h.Get("Content-Type") != "application/pdf" || !strings.HasPrefix(h.Get("Content-Disposition"), "inline") || h.Get("Referrer-Policy") != "no-referrer" {
		t.Errorf("file headers: %v", h)
	}
	if h := headersOf(t, c, link+"/file?download=1"); !strings.HasPrefix(h.Get("Content-Disposition"), "attachment") {
		t.Errorf("download headers: %v", h)
	}

	// Forged and malformed links: a clear 404 page, in the person's language.
	for _, bad := range []string{"/s/ppl_forgedforgedforgedforgedforgedforgedforg", "/s/nonsense", link + "x"} {
		status, page := c.get(bad)
		if status != http.StatusNotFound {
			t.Errorf("%s: %d", bad, status)
		}
		mustContain(t, page, "Ссылка недействительна", "Попросите отправителя прислать новую")
	}
	if status, _ := c.get("/s/ppl_forged/file"); status != http.StatusNotFound {
		t.Errorf("forged file: %d", status)
	}
	en := newClient(t, w.env, "en")
	_, page = en.get("/s/ppl_forged")
	mustContain(t, page, "This link is not valid")

	// Step 1: the code, then the rate limit with the seconds to wait.
	status, page = c.submit(link, link+"/code", url.Values{})
	if status != http.StatusOK {
		t.Fatalf("code: %d\n%s", status, squeeze(text(page)))
	}
	mustContain(t, page, "Код отправлен на cl***@example.com.", "Отправить код ещё раз")
	status, page = c.submit(link, link+"/code", url.Values{})
	if status != http.StatusTooManyRequests {
		t.Errorf("code again: %d", status)
	}
	mustContain(t, page, "Код уже отправлен недавно. Новый можно запросить через 60 с.")
	code := codeFromMailbox(t, w.env, "client@example.com")
	sig := signaturePNG(t)

	// The form's own checks spend no try of the code.
	status, page = c.upload(link, link+"/sign", map[string]string{"code": code}, map[string][]byte{"image": sig})
	if status != http.StatusUnprocessableEntity {
		t.Errorf("no checkbox: %d", status)
	}
	if got := fieldError(t, page, "simple-agree"); got != "Подтвердите, что ознакомились с документом." {
		t.Errorf("checkbox error: %q", got)
	}
	_, page = c.upload(link, link+"/sign", map[string]string{"code": code, "agree": "1"}, nil)
	if got := fieldError(t, page, "simple-image"); got != "Нарисуйте или загрузите свою подпись." {
		t.Errorf("image error: %q", got)
	}
	_, page = c.upload(link, link+"/sign", map[string]string{"code": code, "agree": "1"}, map[string][]byte{"image": []byte("GIF89a not a png")})
	if got := fieldError(t, page, "simple-image"); got != "Изображение должно быть в формате PNG или JPEG." {
		t.Errorf("gif error: %q", got)
	}
	// A wrong code says how many tries are left.
	wrong := "000000"
	if code == wrong {
		wrong = "111111"
	}
	status, page = c.upload(link, link+"/sign", map[string]string{"code": wrong, "agree": "1"}, map[string][]byte{"image": sig})
	if status != http.StatusUnprocessableEntity {
		t.Errorf("wrong code: %d", status)
	}
	if got := fieldError(t, page, "simple-code"); got != "Неверный код. Осталось попыток: 4." {
		t.Errorf("wrong code error: %q", got)
	}
	mustContain(t, page, `name="agree" value="1" id="simple-agree" required checked`)

	// Signing with an uploaded PNG: the done page, with the download.
	status, page = c.upload(link, link+"/sign", map[string]string{"code": code, "agree": "1"}, map[string][]byte{"image": sig})
	if status != http.StatusOK {
		t.Fatalf("sign: %d\n%s", status, squeeze(text(page)))
	}
	mustContain(t, page, "Спасибо! Подпись сохранена.", "Документ подписан", "Все стороны подписали документ", `href="`+link+`/file?download=1"`)
	_, page = w.owner.get("/documents/" + doc)
	mustContain(t, page, "Подписан", "Клиентов Кирилл Олегович", "простая подпись")

	// The link still opens, as "already signed"; signing again is refused.
	status, page = c.get(link)
	if status != http.StatusOK {
		t.Errorf("signed link: %d", status)
	}
	mustContain(t, page, "Документ подписан", "Скачать документ")
	mustNotContain(t, page, "Получить код")
	if status, _ := c.post(link+"/code", url.Values{"csrf": {csrfRe.FindStringSubmatch(c.page)[1]}}); status != http.StatusConflict {
		t.Errorf("code after signing: %d", status)
	}

	// An expired link has its own page.
	w.sent(t, "Акт № 18", personStage("Клиентов Кирилл Олегович", "client2@example.com"))
	link2 := linkFromMailbox(t, w.env, "client2@example.com")
	w.env.Clock.Advance(31 * 24 * time.Hour)
	status, page = c.get(link2)
	if status != http.StatusGone {
		t.Errorf("expired link: %d", status)
	}
	mustContain(t, page, "Срок действия ссылки истёк", "Попросите отправителя отправить документ ещё раз")
}

func TestSigningLinkNoCSRF(t *testing.T) {
	w := newDocWorld(t)
	w.sent(t, "Акт", personStage("Клиентов Кирилл Олегович", "client@example.com"))
	link := linkFromMailbox(t, w.env, "client@example.com")
	c := newClient(t, w.env, "ru")
	c.get(link)
	if status, _ := c.post(link+"/code", url.Values{}); status != http.StatusForbidden {
		t.Errorf("code without the token: %d", status)
	}
}

func TestMemberSimpleSignature(t *testing.T) {
	w := newDocWorld(t)
	doc := w.sent(t, "Приказ № 5", map[string]string{"stages": "1",
		"stages[0].side": "own", "stages[0].signature": "simple", "stages[0].signers": "1",
		"stages[0].signers[0].kind": "member", "stages[0].signers[0].member_id": w.annaID})
	_, page := w.anna.get("/documents/" + doc)
	mustContain(t, page, "Ваша очередь подписать", "код придёт на ваш логин", "Код придёт на an***@example.com", "Получить код")
	_, page = w.owner.get("/documents/" + doc)
	mustNotContain(t, page, "Получить код")

	status, page := w.anna.submit("/documents/"+doc, "/documents/"+doc+"/sign/code", url.Values{})
	if status != http.StatusOK {
		t.Fatalf("code: %d", status)
	}
	mustContain(t, page, "Код отправлен на an***@example.com.")
	code := codeFromMailbox(t, w.env, "anna@example.com")
	sig := signaturePNG(t)
	status, page = w.anna.upload("/documents/"+doc, "/documents/"+doc+"/sign/simple", map[string]string{"code": code}, map[string][]byte{"image": sig})
	if status != http.StatusUnprocessableEntity {
		t.Errorf("no checkbox: %d", status)
	}
	mustContain(t, page, "Подтвердите, что ознакомились с документом.")
	// A drawn signature arrives as a PNG data URL.
	drawn := "data:image/png;base64," + base64.StdEncoding.EncodeToString(sig)
	status, page = w.anna.upload("/documents/"+doc, "/documents/"+doc+"/sign/simple",
		map[string]string{"code": code, "agree": "1", "drawn": drawn}, nil)
	if status != http.StatusOK {
		t.Fatalf("sign: %d\n%s", status, squeeze(text(page)))
	}
	mustContain(t, page, "Документ подписан простой электронной подписью.", "Подписан", "простая подпись")
	mustNotContain(t, page, "Ваша очередь подписать")
}

func TestFunnelAndRemind(t *testing.T) {
	w := newDocWorld(t)
	w.draft(t, "Черновик счёта")
	doc := w.sent(t, "Акт № 17", personStage("Клиентов Кирилл Олегович", "client@example.com"))
	w.sent(t, "Приказ № 5", twoOwnStages(w.ownerID, w.annaID))

	_, page := w.owner.get("/o/" + w.org + "/documents")
	mustContain(t, page, `href="/o/`+w.org+`/funnel"`)
	status, page := w.owner.get("/o/" + w.org + "/funnel")
	if status != http.StatusOK {
		t.Fatalf("funnel: %d", status)
	}
	for step, n := range map[string]string{"draft": "1", "waiting_us": "1", "waiting_counterparty": "1", "completed": "0", "declined_or_revoked": "0"} {
		re := regexp.MustCompile(`class="funnel-card funnel-` + step + `" href="([^"]+)"[^>]*>\s*<span class="funnel-n num">(\d+)</span>`)
		m := re.FindStringSubmatch(page)
		if m == nil || m[2] != n {
			t.Errorf("funnel %s: %v, want %s", step, m, n)
		}
	}
	mustContain(t, page, "Ждёт: <strong>Клиентов Кирилл Олегович", "Ждёт: <strong>Директоров Пётр Иванович", "Ждут контрагента", "Напомнить")
	_, page = w.owner.get("/o/" + w.org + "/funnel?step=waiting_counterparty")
	mustContain(t, page, "Акт № 17")
	mustNotContain(t, page, "Приказ № 5")
	// Boris (an employee, not the author) sees the funnel without the button.
	_, page = w.boris.get("/o/" + w.org + "/funnel")
	mustContain(t, page, "Акт № 17")
	mustNotContain(t, page, "Напомнить")

	remind := func() (int, string) {
		return w.owner.submit("/o/"+w.org+"/funnel", "/documents/"+doc+"/remind", url.Values{"next": {"/o/" + w.org + "/funnel"}})
	}
	// Sending counts as telling the signers: a reminder right after it is too soon.
	status, page = remind()
	if status != http.StatusTooManyRequests {
		t.Errorf("remind too soon: %d", status)
	}
	mustContain(t, page, "Подписантам уже напоминали меньше часа назад. Напомнить снова можно через 60 мин.", "Воронка документов")
	w.env.Clock.Advance(2 * time.Hour)
	status, page = remind()
	if status != http.StatusOK {
		t.Fatalf("remind: %d\n%s", status, squeeze(text(page)))
	}
	mustContain(t, page, "Напоминание отправлено", "Воронка документов")
	// A reminder sends a fresh link.
	if l := linkFromMailbox(t, w.env, "client@example.com"); l == "" {
		t.Error("no new link")
	}
	// Core refuses Boris anyway.
	if status, _ := w.boris.submit("/o/"+w.org+"/funnel", "/documents/"+doc+"/remind", url.Values{}); status != http.StatusForbidden {
		t.Errorf("boris reminds: %d", status)
	}
}
