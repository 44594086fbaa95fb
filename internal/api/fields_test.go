package api_test

import (
	"encoding/base64"
	"encoding/json"
	"testing"

	"paraph/internal/storetest"
)

// Requested fields: the author asks the outside signer for a position, a
// date, a ticked box and a stamp; what the signer fills in is checked
// before the code is spent and shows on the document afterwards.
func TestRequestedFieldsAPI(t *testing.T) {
	for _, dialect := range storetest.Dialects {
		t.Run(dialect, func(t *testing.T) {
			p := newDocParties(t, dialect, nil)
			signer := `{"full_name":"Клиент Клиентов","email":"client@example.com","fields":[` +
				`{"name":"position","label":"Должность","kind":"text","required":true},` +
				`{"name":"received_on","label":"Дата получения","kind":"date","required":true},` +
				`{"name":"agree","label":"С условиями ознакомлен","kind":"checkbox","required":true},` +
				`{"name":"note","label":"Примечание","kind":"text"},` +
				`{"name":"stamp","label":"Печать","kind":"stamp","required":true}]}`
			route := `{"stages":[{"side":"counterparty","signature":"simple","signers":[` + signer + `]}]}`

			r := p.dir.uploadDocument(p.us, `{"title":"Акт № 18","kind":"act"}`, "act-18.pdf", actPDF)
			doc := r.json["id"].(string)
			path := "/api/v1/documents/" + doc + "/route"
			for _, c := range []struct{ name, route, reason, field string }{
				{"fields with a qualified signature", `{"stages":[{"side":"counterparty","signature":"qualified","signers":[` + signer + `]}]}`,
					"fields_need_simple_signature", "stages[0].signers[0].fields"},
				{"unknown kind", `{"stages":[{"side":"counterparty","signature":"simple","signers":[{"full_name":"К","email":"k@example.com","fields":[{"name":"x","label":"X","kind":"radio"}]}]}]}`,
					"invalid_field_kind", "stages[0].signers[0].fields[0].kind"},
				{"bad name", `{"stages":[{"side":"counterparty","signature":"simple","signers":[{"full_name":"К","email":"k@example.com","fields":[{"name":"Должность","label":"X","kind":"text"}]}]}]}`,
					"invalid_field_name", "stages[0].signers[0].fields[0].name"},
				{"twice", `{"stages":[{"side":"counterparty","signature":"simple","signers":[{"full_name":"К","email":"k@example.com","fields":[{"name":"x","label":"X","kind":"text"},{"name":"x","label":"Y","kind":"date"}]}]}]}`,
					"duplicate_field", "stages[0].signers[0].fields[1].name"},
				{"no label", `{"stages":[{"side":"counterparty","signature":"simple","signers":[{"full_name":"К","email":"k@example.com","fields":[{"name":"x","label":" ","kind":"text"}]}]}]}`,
					"field_label_required", "stages[0].signers[0].fields[0].label"},
			} {
				r := p.dir.do("PUT", path, c.route)
				wantProblem(t, c.name, r, 422, c.reason)
				if r.json["field"] != c.field {
					t.Fatalf("%s: field %v", c.name, r.json["field"])
				}
			}
			r = p.dir.do("PUT", path, route)
			if r.status != 200 {
				t.Fatalf("route: %d %s", r.status, r.body)
			}
			p.dir.run([]scenario{{"send", "POST", "/api/v1/documents/" + doc + "/send", "", 200, "", ""}})
			token := signingLink(t, p, "client@example.com")
			anon := &client{t: t, base: p.env.URL}
			link := "/api/v1/signing/" + token

			r = anon.do("GET", link, "")
			fields, _ := r.json["signer"].(map[string]any)["fields"].([]any)
			if r.status != 200 || len(fields) != 5 || fields[1].(map[string]any)["kind"] != "date" || fields[0].(map[string]any)["required"] != true {
				t.Fatalf("link: %d %s", r.status, r.body)
			}
			if r := anon.do("POST", link+"/code", ""); r.status != 202 {
				t.Fatalf("code: %d %s", r.status, r.body)
			}
			code := p.env.Code(t, "client@example.com")
			img := base64.StdEncoding.EncodeToString(smallPNG(t))
			sign := func(stamp string, fields map[string]string) reply {
				return anon.do("POST", link+"/sign", jsonString(map[string]any{"code": code, "image": img, "stamp": stamp, "fields": fields}))
			}
			full := map[string]string{"position": "  Генеральный директор ", "received_on": "2026-11-20", "agree": "true"}
			with := func(k, v string) map[string]string {
				m := map[string]string{}
				for a, b := range full {
					m[a] = b
				}
				if v == "" {
					delete(m, k)
				} else {
					m[k] = v
				}
				return m
			}
			for _, c := range []struct {
				name, stamp   string
				fields        map[string]string
				reason, field string
			}{
				{"no position", img, with("position", ""), "field_required", "fields.position"},
				{"bad date", img, with("received_on", "20.11.2026"), "invalid_date", "fields.received_on"},
				{"box not ticked", img, with("agree", "false"), "checkbox_required", "fields.agree"},
				{"not asked", img, with("salary", "1"), "unknown_field", "fields.salary"},
				{"no stamp", "", full, "stamp_required", "stamp"},
			} {
				r := sign(c.stamp, c.fields)
				wantProblem(t, c.name, r, 422, c.reason)
				if r.json["field"] != c.field {
					t.Fatalf("%s: field %v", c.name, r.json["field"])
				}
			}
			// Five mistakes in the form spent none of the code's five tries.
			r = sign(img, full)
			if r.status != 201 || r.json["document"].(map[string]any)["state"] != "completed" {
				t.Fatalf("sign: %d %s", r.status, r.body)
			}

			r = p.dir.do("GET", "/api/v1/documents/"+doc, "")
			sigs, _ := r.json["signatures"].([]any)
			if len(sigs) != 1 {
				t.Fatalf("document: %s", r.body)
			}
			got, _ := sigs[0].(map[string]any)["fields"].(map[string]any)
			if len(got) != 3 || got["position"] != "Генеральный директор" || got["received_on"] != "2026-11-20" || got["agree"] != "true" {
				t.Fatalf("filled fields: %v", got)
			}

			// The package's manifest carries them too.
			r = p.dir.do("GET", "/api/v1/documents/"+doc+"/package.zip", "")
			var m struct {
				Signatures []struct {
					Fields map[string]string `json:"fields"`
				} `json:"signatures"`
			}
			if err := json.Unmarshal(unzip(t, []byte(r.body))["manifest.json"], &m); err != nil || len(m.Signatures) != 1 ||
				m.Signatures[0].Fields["position"] != "Генеральный директор" {
				t.Fatalf("manifest: %+v %v", m, err)
			}
		})
	}
}
