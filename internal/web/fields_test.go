package web_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// The author asks a person outside for their position and a tick in the
// route editor; the signer sees those fields on the link's page, is told
// next to each what is missing, and the document shows what they filled in.
func TestRequestedFieldsInBrowserForms(t *testing.T) {
	w := newDocWorld(t)
	doc := w.draft(t, "Акт № 19")
	route := personStage("Клиентов Кирилл Олегович", "client@example.com")
	route["stages[0].signers[0].fields"] = "0"

	// "Add a field" gives a row; saving it without a label says so next to the row.
	status, page := w.owner.route(doc, "add_field:0:0", route)
	if status != http.StatusOK {
		t.Fatalf("add field: %d\n%s", status, squeeze(text(page)))
	}
	mustContain(t, page, "Поля, которые заполнит подписант", `name="stages[0].signers[0].fields[0].label"`, "Изображение печати")
	route["stages[0].signers[0].fields"] = "2"
	route["stages[0].signers[0].fields[0].kind"] = "text"
	route["stages[0].signers[0].fields[0].required"] = "1"
	route["stages[0].signers[0].fields[1].label"] = "С условиями договора ознакомлен"
	route["stages[0].signers[0].fields[1].kind"] = "checkbox"
	route["stages[0].signers[0].fields[1].required"] = "1"
	status, page = w.owner.route(doc, "save", route)
	if status != http.StatusUnprocessableEntity {
		t.Fatalf("no label: %d\n%s", status, squeeze(text(page)))
	}
	mustContain(t, page, "Укажите подпись поля (не длиннее 200 символов).")
	route["stages[0].signers[0].fields[0].label"] = "Должность"
	if status, page := w.owner.route(doc, "save", route); status != http.StatusOK || !strings.Contains(page, "Маршрут сохранён.") {
		t.Fatalf("route: %d\n%s", status, squeeze(text(page)))
	}
	// Saved and read back: the editor shows the rows again, named by the server.
	_, page = w.owner.get("/documents/" + doc)
	mustContain(t, page, `name="stages[0].signers[0].fields[0].name" value="field_1"`, `value="С условиями договора ознакомлен"`)
	if _, page := w.owner.submit("/documents/"+doc, "/documents/"+doc+"/send", url.Values{}); !strings.Contains(page, "Документ отправлен") {
		t.Fatalf("send:\n%s", squeeze(text(page)))
	}

	link := linkFromMailbox(t, w.env, "client@example.com")
	c := newClient(t, w.env, "ru-RU,ru;q=0.9")
	if status, page := c.get(link); status != http.StatusOK || !strings.Contains(page, `<label for="field-field_1">Должность</label>`) {
		t.Fatalf("link page: %d\n%s", status, squeeze(text(page)))
	}
	c.submit(link, link+"/code", url.Values{})
	code := codeFromMailbox(t, w.env, "client@example.com")
	sig := signaturePNG(t)

	status, page = c.upload(link, link+"/sign", map[string]string{"code": code, "agree": "1", "fields.field_1": " "}, map[string][]byte{"image": sig})
	if status != http.StatusUnprocessableEntity {
		t.Fatalf("empty position: %d", status)
	}
	if got := fieldError(t, page, "field-field_1"); got != "Заполните это поле." {
		t.Errorf("position error: %q", got)
	}
	status, page = c.upload(link, link+"/sign", map[string]string{"code": code, "agree": "1", "fields.field_1": "Главный бухгалтер"}, map[string][]byte{"image": sig})
	if status != http.StatusUnprocessableEntity {
		t.Fatalf("no tick: %d", status)
	}
	if got := fieldError(t, page, "field-field_2"); got != "Поставьте отметку." {
		t.Errorf("tick error: %q", got)
	}
	mustContain(t, page, `name="fields.field_1" type="text" value="Главный бухгалтер"`) // what was typed stays
	status, page = c.upload(link, link+"/sign", map[string]string{"code": code, "agree": "1", "fields.field_1": "Главный бухгалтер",
		"fields.field_2": "true"}, map[string][]byte{"image": sig})
	if status != http.StatusOK {
		t.Fatalf("sign: %d\n%s", status, squeeze(text(page)))
	}
	mustContain(t, page, "Спасибо! Подпись сохранена.")

	_, page = w.owner.get("/documents/" + doc)
	mustContain(t, page, "<dt>Должность</dt><dd>Главный бухгалтер</dd>", "<dt>С условиями договора ознакомлен</dt><dd>отмечено</dd>")
}
