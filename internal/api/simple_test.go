package api_test

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"image"
	"image/color"
	"image/png"
	"strings"
	"testing"
	"time"

	"paraph"
	apiclient "paraph/client"
	"paraph/internal/storetest"
)

// smallPNG is a real 2×2 PNG, as a signature pad would send.
func smallPNG(t *testing.T) []byte {
	t.Helper()
	img := image.NewGray(image.Rect(0, 0, 2, 2))
	img.Set(0, 0, color.Black)
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// signingLink reads the newest message to an address from the dev mailbox
// and returns the token of the signing link in it (…/s/<token>).
func signingLink(t *testing.T, p *docParties, to string) string {
	t.Helper()
	p.env.RunJobs(t)
	msgs, err := p.env.Svc.DevMessages(t.Context(), to, 1)
	if err != nil || len(msgs) == 0 {
		t.Fatalf("no message to %s: %v", to, err)
	}
	i := strings.Index(msgs[0].Body, "/s/")
	if i < 0 {
		t.Fatalf("no signing link in %q", msgs[0].Body)
	}
	return strings.Fields(msgs[0].Body[i+3:])[0]
}

// draftWithRoute uploads a document and sets its route.
func (p *docParties) draftWithRoute(t *testing.T, title, route string) string {
	t.Helper()
	r := p.dir.uploadDocument(p.us, `{"title":"`+title+`","kind":"act","number":"17"}`, "act-17.pdf", actPDF)
	if r.status != 201 {
		t.Fatalf("upload: %d %s", r.status, r.body)
	}
	doc := r.json["id"].(string)
	p.dir.run([]scenario{{"route", "PUT", "/api/v1/documents/" + doc + "/route", route, 200, "", ""}})
	return doc
}

// The two-party flow over the API: our director signs qualified,
// then a client outside signs simple by the link and a code from the mailbox.
func TestSimpleSignatureByLinkAPI(t *testing.T) {
	for _, dialect := range storetest.Dialects {
		t.Run(dialect, func(t *testing.T) {
			p := newDocParties(t, dialect, nil)
			doc := p.draftWithRoute(t, "Акт № 17", `{"stages":[{"side":"own","signature":"qualified","signers":[{"member_id":"`+p.dirMember+`"}]},`+
				`{"side":"counterparty","signature":"simple","signers":[{"full_name":"Клиент Клиентов","email":"client@example.com"}]}]}`)
			p.dir.run([]scenario{{"send", "POST", "/api/v1/documents/" + doc + "/send", "", 200, "", ""}})
			if r := twoStep(t, p.dir, doc, p.dirLeaf); r.status != 201 {
				t.Fatalf("director: %d %s", r.status, r.body)
			}
			token := signingLink(t, p, "client@example.com")
			anon := &client{t: t, base: p.env.URL}
			link := "/api/v1/signing/" + token

			r := anon.do("GET", link, "")
			if r.status != 200 || r.json["ready"] != true || r.json["code_sent_to"] != "cl***@example.com" ||
				r.json["organization"] != "ООО «Ромашка»" || r.header.Get("Referrer-Policy") != "no-referrer" {
				t.Fatalf("link: %d %s", r.status, r.body)
			}
			d := r.json["document"].(map[string]any)
			sg := r.json["signer"].(map[string]any)
			if d["id"] != doc || d["file_name"] != "act-17.pdf" || d["state"] != "in_progress" || d["size"] != float64(len(actPDF)) ||
				sg["full_name"] != "Клиент Клиентов" || sg["state"] != "waiting" {
				t.Fatalf("link: %s", r.body)
			}
			r = anon.do("GET", link+"/file", "")
			if r.status != 200 || r.body != string(actPDF) || r.header.Get("ETag") != `"`+d["sha256"].(string)+`"` || dispositionName(r) != "act-17.pdf" {
				t.Fatalf("file: %d %v", r.status, r.header)
			}

			pngImage := base64.StdEncoding.EncodeToString(smallPNG(t))
			sign := func(code, img string) reply {
				return anon.do("POST", link+"/sign", jsonString(map[string]string{"code": code, "image": img}))
			}
			wantProblem(t, "sign before a code", sign("123456", pngImage), 422, "code_required")
			r = anon.do("POST", link+"/code", "")
			if r.status != 202 || r.json["sent_to"] != "cl***@example.com" {
				t.Fatalf("code: %d %s", r.status, r.body)
			}
			r = anon.do("POST", link+"/code", "")
			wantProblem(t, "code asked twice within a minute", r, 429, "code_resend_too_soon")
			if secs := r.header.Get("Retry-After"); secs == "" || secs == "0" {
				t.Fatalf("no Retry-After: %v", r.header)
			}
			code := p.env.Code(t, "client@example.com")
			wrong := "000000"
			if code == wrong {
				wrong = "111111"
			}
			r = sign(wrong, pngImage)
			wantProblem(t, "wrong code", r, 422, "wrong_code")
			if r.json["field"] != "code" || !strings.Contains(r.json["detail"].(string), "Tries left: 4") {
				t.Fatalf("wrong code: %s", r.body)
			}
			r = sign(code, base64.StdEncoding.EncodeToString([]byte("GIF89a not a png")))
			wantProblem(t, "a GIF", r, 422, "image_not_png_jpeg")
			if r.json["field"] != "image" {
				t.Fatalf("image field: %s", r.body)
			}
			wantProblem(t, "no image", sign(code, ""), 422, "signature_image_required")
			wantProblem(t, "not base64", sign(code, "%%%"), 422, "invalid_base64")
			wantProblem(t, "unknown field", anon.do("POST", link+"/sign", `{"code":"1","picture":""}`), 422, "unknown_field")

			// A data: URL, as a canvas gives it, signs.
			r = sign(code, "data:image/png;base64,"+pngImage)
			if r.status != 201 || r.json["result"] != "passed" || r.json["document"].(map[string]any)["state"] != "completed" {
				t.Fatalf("sign: %d %s", r.status, r.body)
			}

			// The link after signing: signed already; a forged token: nothing.
			wantProblem(t, "reused link: code", anon.do("POST", link+"/code", ""), 409, "already_signed")
			wantProblem(t, "reused link: sign", sign(code, pngImage), 409, "already_signed")
			wantProblem(t, "forged token", anon.do("GET", "/api/v1/signing/ppl_forged", ""), 404, "link_invalid")
			wantProblem(t, "forged token: sign", anon.do("POST", "/api/v1/signing/"+token+"x/sign", `{"code":"1","image":"`+pngImage+`"}`), 404, "link_invalid")

			// The Go client sees the same.
			cl, err := apiclient.New(p.env.URL, "")
			if err != nil {
				t.Fatal(err)
			}
			sess, err := cl.LookupSigningLink(t.Context(), p.env.URL+"/s/"+token)
			if err != nil || sess.Signer.State != "signed" || sess.Ready || sess.Document.State != "completed" {
				t.Fatalf("client lookup: %+v %v", sess, err)
			}
			if _, err := cl.RequestSigningCode(t.Context(), token); paraph.AsError(err).Reason != "already_signed" {
				t.Fatalf("client code: %v", err)
			}

			// The document shows both signatures.
			r = p.dir.do("GET", "/api/v1/documents/"+doc, "")
			var got apiclient.Document
			if err := json.Unmarshal([]byte(r.body), &got); err != nil || got.State != "completed" || len(got.Signatures) != 2 ||
				got.Signatures[1].Kind != "simple" || got.Signatures[1].Signer != "Клиент Клиентов" {
				t.Fatalf("document: %s", r.body)
			}

			// A link past its 30 days: expired.
			p.env.Clock.Advance(31 * 24 * time.Hour)
			wantProblem(t, "expired link", anon.do("GET", link, ""), 422, "link_expired")
		})
	}
}

// A client signing through the Go client, and a member's simple signature
// from the inbox with a code sent to their own login.
func TestSimpleSignatureClientAndMember(t *testing.T) {
	for _, dialect := range storetest.Dialects {
		t.Run(dialect, func(t *testing.T) {
			p := newDocParties(t, dialect, nil)
			doc := p.draftWithRoute(t, "Отчёт", `{"stages":[{"side":"counterparty","signature":"simple","signers":[{"full_name":"Клиент Клиентов","email":"client@example.com"}]},`+
				`{"side":"own","signature":"simple","signers":[{"member_id":"`+p.dirMember+`"}]}]}`)
			p.dir.run([]scenario{{"send", "POST", "/api/v1/documents/" + doc + "/send", "", 200, "", ""}})
			wantProblem(t, "member out of turn", p.dir.do("POST", "/api/v1/documents/"+doc+"/signatures/code", ""), 409, "not_your_turn")

			cl, _ := apiclient.New(p.env.URL, "")
			token := signingLink(t, p, "client@example.com")
			sentTo, err := cl.RequestSigningCode(t.Context(), token)
			if err != nil || sentTo != "cl***@example.com" {
				t.Fatalf("code: %q %v", sentTo, err)
			}
			_, err = cl.SignByLink(t.Context(), token, apiclient.SimpleSignature{Code: p.env.Code(t, "client@example.com"), Image: smallPNG(t), Stamp: smallPNG(t)})
			if err != nil {
				t.Fatal(err)
			}

			dir := p.dir.api()
			sentTo, err = dir.RequestMemberSigningCode(t.Context(), doc)
			if err != nil || sentTo != "di***@romashka.example" {
				t.Fatalf("member code: %q %v", sentTo, err)
			}
			wantProblem(t, "the outsider", p.outside.do("POST", "/api/v1/documents/"+doc+"/signatures/code", ""), 404, "not_found")
			res, err := dir.SignAsMember(t.Context(), doc, apiclient.SimpleSignature{Code: p.env.Code(t, "director@romashka.example"), Image: smallPNG(t)})
			if err != nil || res.Result != "passed" || res.Document.State != "completed" {
				t.Fatalf("member sign: %+v %v", res, err)
			}
		})
	}
}

// The funnel after a few documents, and reminders by hand.
func TestFunnelAndRemindAPI(t *testing.T) {
	for _, dialect := range storetest.Dialects {
		t.Run(dialect, func(t *testing.T) {
			p := newDocParties(t, dialect, nil)
			own := `{"stages":[{"side":"own","signature":"qualified","signers":[{"member_id":"` + p.dirMember + `"}]}]}`
			theirs := `{"stages":[{"side":"counterparty","signature":"qualified","signers":[{"org_id":"` + p.them + `"}]}]}`
			draft := p.draftWithRoute(t, "Черновик", own)
			waitingUs := p.draftWithRoute(t, "Ждёт нас", own)
			waitingThem := p.draftWithRoute(t, "Ждёт Калину", theirs)
			revoked := p.draftWithRoute(t, "Отозванный", own)
			for _, d := range []string{waitingUs, waitingThem, revoked} {
				p.dir.run([]scenario{{"send", "POST", "/api/v1/documents/" + d + "/send", "", 200, "", ""}})
			}
			p.dir.run([]scenario{{"revoke", "POST", "/api/v1/documents/" + revoked + "/revoke", "", 200, "", ""}})

			f, err := p.dir.api().Funnel(t.Context(), p.us)
			if err != nil {
				t.Fatal(err)
			}
			want := map[string]int{"draft": 1, "waiting_us": 1, "waiting_counterparty": 1, "completed": 0, "declined_or_revoked": 1}
			for k, v := range want {
				if f.Counts[k] != v {
					t.Errorf("funnel %s = %d, want %d (%v)", k, f.Counts[k], v, f.Counts)
				}
			}
			waits := map[string][]string{}
			for _, w := range f.Waiting {
				waits[w.ID] = w.WaitsFor
				if w.SentAt.IsZero() || w.Number != "17" {
					t.Errorf("waiting item: %+v", w)
				}
			}
			if len(f.Waiting) != 2 || strings.Join(waits[waitingUs], ",") != "Иван Смирнов" || strings.Join(waits[waitingThem], ",") != "ТОВ «Калина»" {
				t.Fatalf("waiting: %+v", f.Waiting)
			}
			wantProblem(t, "outsider's funnel", p.outside.do("GET", "/api/v1/orgs/"+p.us+"/funnel", ""), 404, "not_found")

			// Reminders: not within the hour after the last notice, then yes.
			r := p.dir.do("POST", "/api/v1/documents/"+waitingThem+"/remind", "")
			wantProblem(t, "remind too soon", r, 429, "remind_too_soon")
			if r.header.Get("Retry-After") == "" {
				t.Fatalf("no Retry-After: %v", r.header)
			}
			wantProblem(t, "remind a draft", p.dir.do("POST", "/api/v1/documents/"+draft+"/remind", ""), 409, "document_not_in_progress")
			p.env.Clock.Advance(2 * time.Hour)
			if err := p.dir.api().Remind(t.Context(), waitingThem); err != nil {
				t.Fatal(err)
			}
			r = p.kalina.do("POST", "/api/v1/documents/"+waitingThem+"/remind", "")
			if r.status != 403 && r.status != 404 {
				t.Fatalf("the counterparty reminds: %d %s", r.status, r.body)
			}
		})
	}
}

// The act template over the API: created as a PDF draft; a bad line is
// refused with its field.
func TestActAPI(t *testing.T) {
	for _, dialect := range storetest.Dialects {
		t.Run(dialect, func(t *testing.T) {
			p := newDocParties(t, dialect, nil)
			act := apiclient.Act{Language: "ru", Number: "17", Date: "2026-11-23", Currency: "RUB", Basis: "договор № 5 от 01.02.2026",
				Contractor: apiclient.ActParty{Name: "ООО «Ромашка»", INN: "7707083893", KPP: "773601001", OGRN: "1027700132195",
					Signer: "Смирнов И. П.", SignerPosition: "Генеральный директор"},
				Customer: apiclient.ActParty{Name: "ТОВ «Калина»", EDRPOU: "00032129", Signer: "Бондар Т. Г.", SignerPosition: "Директор"},
				Lines: []apiclient.ActLine{
					{Name: "Бухгалтерское обслуживание за ноябрь", Unit: "усл.", Quantity: "1", Price: "45 000,00", VATRate: 20},
					{Name: "Консультация", Unit: "ч", Quantity: "1,5", Price: "2000", VATRate: -1},
				}}
			d, err := p.dir.api().CreateAct(t.Context(), p.us, act)
			if err != nil {
				t.Fatal(err)
			}
			if d.Kind != "act" || d.Amount != "48000.00" || d.ContentType != "application/pdf" || d.Title != "Акт № 17 от 23.11.2026" ||
				d.State != "draft" || d.Counterparty != "ТОВ «Калина»" {
				t.Fatalf("act: %+v", d)
			}
			r := p.dir.do("GET", "/api/v1/documents/"+d.ID+"/file", "")
			if r.status != 200 || !strings.HasPrefix(r.body, "%PDF-") {
				t.Fatalf("act file: %d %.20q", r.status, r.body)
			}

			url := "/api/v1/orgs/" + p.us + "/documents/act"
			body := func(lines string) string {
				return `{"number":"18","date":"2026-11-24","currency":"RUB","contractor":{"name":"ООО «Ромашка»"},"customer":{"name":"Клиент"},"lines":` + lines + `}`
			}
			// Numbers work as well as strings.
			p.dir.run([]scenario{{"numbers", "POST", url, body(`[{"name":"Работа","quantity":2,"price":1500.5,"vat_rate":0}]`), 201, "", `"amount":"3001.00"`}})
			for _, c := range []struct{ name, body, reason, field string }{
				{"bad quantity", body(`[{"name":"A","quantity":"1","price":"1","vat_rate":0},{"name":"B","quantity":"1","price":"1","vat_rate":0},{"name":"C","quantity":"много","price":"1","vat_rate":0}]`), "invalid_quantity", "lines[2].quantity"},
				{"bad price", body(`[{"name":"A","quantity":"1","price":"12.345","vat_rate":0}]`), "invalid_amount", "lines[0].price"},
				{"no price", body(`[{"name":"A","quantity":"1","vat_rate":0}]`), "invalid_amount", "lines[0].price"},
				{"no vat rate", body(`[{"name":"A","quantity":"1","price":"1"}]`), "required", "lines[0].vat_rate"},
				{"bad vat rate", body(`[{"name":"A","quantity":"1","price":"1","vat_rate":18}]`), "unsupported_vat_rate", "lines[0].vat_rate"},
				{"no name", body(`[{"name":" ","quantity":"1","price":"1","vat_rate":0}]`), "required", "lines[0].name"},
				{"no lines", body(`[]`), "required", "lines"},
				{"bad date", `{"number":"1","date":"24.11.2026","currency":"RUB","lines":[]}`, "invalid_date", "date"},
				{"bad INN", `{"number":"1","date":"2026-11-24","currency":"RUB","contractor":{"name":"X","inn":"7707083890"},"customer":{"name":"Y"},"lines":[{"name":"A","quantity":"1","price":"1","vat_rate":0}]}`, "", "contractor.inn"},
			} {
				r := p.dir.do("POST", url, c.body)
				if r.status != 422 || (c.reason != "" && r.json["reason"] != c.reason) || r.json["field"] != c.field {
					t.Errorf("%s: %d %s, want %s %s", c.name, r.status, r.body, c.reason, c.field)
				}
			}
			wantProblem(t, "outsider's act", p.outside.do("POST", url, body(`[{"name":"A","quantity":"1","price":"1","vat_rate":0}]`)), 404, "not_found")
		})
	}
}
