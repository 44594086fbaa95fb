package api_test

import (
	"archive/zip"
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"net/textproto"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"paraph/cades"
	apiclient "paraph/client"
	"paraph/internal/core"
	"paraph/internal/servertest"
	"paraph/internal/storetest"
	"paraph/pki/pkitest"
)

var actPDF = []byte("%PDF-1.4\n% Акт № 17 от 23.11.2026\n1 0 obj << >> endobj\n%%EOF\n")

// uploadDocument sends the multipart form of POST …/documents: meta (JSON)
// first, then the file.
func (c *client) uploadDocument(org, meta, fileName string, file []byte) reply {
	c.t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	if meta != "" {
		h := textproto.MIMEHeader{}
		h.Set("Content-Disposition", `form-data; name="meta"`)
		h.Set("Content-Type", "application/json")
		w, _ := mw.CreatePart(h)
		w.Write([]byte(meta))
	}
	if file != nil {
		w, _ := mw.CreateFormFile("file", fileName)
		w.Write(file)
	}
	mw.Close()
	req, _ := http.NewRequest("POST", c.base+"/api/v1/orgs/"+org+"/documents", &buf)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	req.Header.Set("Authorization", "Bearer "+c.token)
	return c.send(req)
}

func (c *client) send(req *http.Request) reply {
	c.t.Helper()
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		c.t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	r := reply{status: resp.StatusCode, header: resp.Header, body: string(raw)}
	json.Unmarshal(raw, &r.json)
	return r
}

func (c *client) api() *apiclient.Client {
	c.t.Helper()
	cl, err := apiclient.New(c.base, c.token)
	if err != nil {
		c.t.Fatal(err)
	}
	return cl
}

func jsonString(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

// docParties: our organization (Ромашка) and its director, a counterparty
// (Калина) and its director, both with bound certificates of one trusted CA.
type docParties struct {
	env                  *servertest.Env
	ca                   *pkitest.CA
	us, them             string // organization ids
	dirMember            string
	dir, kalina, outside *client
	dirLeaf, kalinaLeaf  *pkitest.Leaf
}

func newDocParties(t *testing.T, dialect string, configure func(*core.Config)) *docParties {
	t.Helper()
	return newDocPartiesOn(t, servertest.New(t, dialect, configure))
}

// newDocPartiesOn sets the parties up on a server already started.
func newDocPartiesOn(t *testing.T, env *servertest.Env) *docParties {
	t.Helper()
	p := &docParties{env: env, ca: pkitest.NewCA(t, pkitest.Options{})}
	p.dir = login(t, p.env, "director@romashka.example", "Иван Смирнов")
	p.kalina = login(t, p.env, "director@kalyna.example", "Тарас Бондар")
	p.outside = login(t, p.env, "stranger@example.com", "Посторонний Человек")
	r := p.dir.do("POST", "/api/v1/orgs", `{"kind":"legal","country":"RU","name":"ООО «Ромашка»","inn":"7707083893","kpp":"773601001","ogrn":"1027700132195"}`)
	if r.status != 201 {
		t.Fatalf("org: %s", r.body)
	}
	p.us = r.json["id"].(string)
	r = p.kalina.do("POST", "/api/v1/orgs", `{"kind":"legal","country":"UA","name":"ТОВ «Калина»","edrpou":"00032129"}`)
	if r.status != 201 {
		t.Fatalf("org: %s", r.body)
	}
	p.them = r.json["id"].(string)
	// The directors' certificates name their organizations: no МЧД needed.
	p.dirLeaf = p.ca.Issue(t, pkitest.LeafOptions{Subject: pkitest.Subject{CommonName: "Иван Смирнов", INN: "500100732259",
		SNILS: "11223344595", INNLE: "7707083893", OGRN: "1027700132195"}})
	p.kalinaLeaf = p.ca.Issue(t, pkitest.LeafOptions{Subject: pkitest.Subject{CommonName: "Тарас Бондар", EDRPOU: "00032129"}})
	p.dirMember = p.bind(t, p.dir, p.us, p.dirLeaf)
	p.bind(t, p.kalina, p.them, p.kalinaLeaf)
	p.env.Svc.SetInstanceAdmin(t.Context(), "director@romashka.example", true)
	r = p.dir.upload("POST", "/api/v1/admin/trust-roots", map[string][]byte{"certificate": pkitest.PEM(p.ca.Root())})
	if r.status != 201 {
		t.Fatalf("trust root: %d %s", r.status, r.body)
	}
	p.env.Clock.Advance(31e9) // past the trust cache
	return p
}

// bind uploads a certificate to the caller's own membership and returns the member id.
func (p *docParties) bind(t *testing.T, c *client, org string, leaf *pkitest.Leaf) string {
	t.Helper()
	r := c.do("GET", "/api/v1/orgs/"+org+"/members", "")
	member := r.json["items"].([]any)[0].(map[string]any)["id"].(string)
	r = c.upload("POST", "/api/v1/orgs/"+org+"/members/"+member+"/certificates", map[string][]byte{"certificate": leaf.PEM()})
	if r.status != 201 {
		t.Fatalf("bind: %d %s", r.status, r.body)
	}
	return member
}

// twoStep signs through the API as the CLI or a browser does.
func twoStep(t *testing.T, c *client, docID string, leaf *pkitest.Leaf) reply {
	t.Helper()
	r := c.do("POST", "/api/v1/documents/"+docID+"/signatures/prepare", jsonString(map[string]string{"certificate": string(leaf.PEM())}))
	if r.status != 200 {
		return r
	}
	tbs, err := base64.StdEncoding.DecodeString(r.json["to_be_signed"].(string))
	if err != nil {
		t.Fatal(err)
	}
	value, err := apiclient.SignToBeSigned(leaf.Key, &apiclient.Prepared{ToBeSigned: tbs, DigestAlgorithm: r.json["digest_algorithm"].(string),
		Algorithm: r.json["algorithm"].(string)})
	if err != nil {
		t.Fatal(err)
	}
	return c.do("POST", "/api/v1/documents/"+docID+"/signatures", jsonString(map[string]string{
		"prepare_id": r.json["prepare_id"].(string), "signature": base64.StdEncoding.EncodeToString(value)}))
}

func wantProblem(t *testing.T, what string, r reply, status int, reason string) {
	t.Helper()
	if r.status != status || r.json["reason"] != reason || r.header.Get("Content-Type") != "application/problem+json" {
		t.Fatalf("%s: %d %s, want %d %s", what, r.status, r.body, status, reason)
	}
}

// The whole two-party qualified flow through the API: upload, route, send,
// refusals, the director's two-step signature, the counterparty's uploaded
// CMS, the downloads, and the package checked by OpenSSL.
func TestDocumentsAPI(t *testing.T) {
	for _, dialect := range storetest.Dialects {
		t.Run(dialect, func(t *testing.T) {
			p := newDocParties(t, dialect, nil)
			dir, kalina := p.dir, p.kalina

			// Bad uploads lose nothing and say why.
			wantProblem(t, "empty file", dir.uploadDocument(p.us, `{"title":"Пусто"}`, "x.pdf", []byte{}), 422, "file_empty")
			wantProblem(t, "no file", dir.uploadDocument(p.us, `{"title":"Без файла"}`, "", nil), 422, "file_required")
			wantProblem(t, "no title", dir.uploadDocument(p.us, `{"kind":"act"}`, "a.pdf", actPDF), 422, "title_required")
			wantProblem(t, "bad amount", dir.uploadDocument(p.us, `{"title":"Акт","amount":"12.345"}`, "a.pdf", actPDF), 422, "invalid_amount")
			wantProblem(t, "unknown meta field", dir.uploadDocument(p.us, `{"title":"Акт","sum":1}`, "a.pdf", actPDF), 422, "invalid_json")
			wantProblem(t, "outsider uploads", p.outside.uploadDocument(p.us, `{"title":"Чужой"}`, "a.pdf", actPDF), 404, "not_found")
			r := dir.do("POST", "/api/v1/orgs/"+p.us+"/documents", `{"title":"JSON"}`)
			wantProblem(t, "not multipart", r, 422, "invalid_multipart")
			r = dir.do("POST", "/api/v1/orgs/"+p.us+"/documents", "--x\r\n", "Content-Type", "multipart/form-data")
			wantProblem(t, "multipart without a boundary", r, 422, "invalid_multipart")

			r = dir.uploadDocument(p.us, `{"title":"Акт № 17","kind":"act","number":"17","date":"2026-11-23","amount":"1 234,50","counterparty":"ТОВ «Калина»"}`, "act-17.pdf", actPDF)
			if r.status != 201 || r.json["state"] != "draft" || r.json["amount"] != "1234.50" || r.json["currency"] != "RUB" ||
				r.json["size"] != float64(len(actPDF)) || r.json["file_name"] != "act-17.pdf" || r.json["content_type"] != "application/pdf" {
				t.Fatalf("upload: %d %s", r.status, r.body)
			}
			doc := r.json["id"].(string)
			docURL := "/api/v1/documents/" + doc
			// Fields instead of meta work too (curl -F title=…).
			r = dir.upload("POST", "/api/v1/orgs/"+p.us+"/documents", map[string][]byte{"file": actPDF})
			wantProblem(t, "fields: no title", r, 422, "title_required")

			dir.run([]scenario{
				{"route: empty", "PUT", docURL + "/route", `{"stages":[]}`, 422, "route_empty", ""},
				{"route: stage without signer", "PUT", docURL + "/route", `{"stages":[{"side":"own","signature":"qualified","signers":[]}]}`, 422, "stage_without_signers", ""},
				{"send without route", "POST", docURL + "/send", "", 422, "route_empty", ""},
				{"route", "PUT", docURL + "/route", `{"stages":[{"side":"own","signature":"qualified","signers":[{"member_id":"` + p.dirMember + `"}]},` +
					`{"side":"counterparty","signature":"qualified","signers":[{"org_id":"` + p.them + `"}]}]}`, 200, "", `"full_name":"ТОВ «Калина»"`},
				{"drafts box", "GET", "/api/v1/orgs/" + p.us + "/documents?box=drafts", "", 200, "", doc},
				{"signing a draft", "POST", docURL + "/signatures/prepare", jsonString(map[string]string{"certificate": string(p.dirLeaf.PEM())}), 409, "document_not_in_progress", ""},
				{"send", "POST", docURL + "/send", "", 200, "", `"state":"in_progress"`},
				{"send twice", "POST", docURL + "/send", "", 409, "document_sent", ""},
				{"outgoing box, search", "GET", "/api/v1/orgs/" + p.us + "/documents?box=outgoing&q=%D0%B0%D0%BA%D1%82&from=2000-01-01&to=2100-01-01&limit=10", "", 200, "", doc},
				{"bad box", "GET", "/api/v1/orgs/" + p.us + "/documents?box=trash", "", 422, "invalid_box", ""},
				{"bad limit", "GET", "/api/v1/orgs/" + p.us + "/documents?limit=0", "", 422, "invalid_limit", ""},
				{"bad date", "GET", "/api/v1/orgs/" + p.us + "/documents?from=23.11.2026", "", 422, "invalid_date", ""},
				{"history", "GET", docURL + "/history", "", 200, "", `"action":"document.sent"`},
			})
			p.outside.run([]scenario{{"outsider sees nothing", "GET", docURL, "", 404, "not_found", ""},
				{"outsider sees no history", "GET", docURL + "/history", "", 404, "not_found", ""}})

			// Out of turn, wrong certificate, garbage, another document's signature.
			wantProblem(t, "out of turn", twoStep(t, kalina, doc, p.kalinaLeaf), 409, "not_your_turn")
			wantProblem(t, "someone else's certificate", twoStep(t, dir, doc, p.kalinaLeaf), 422, "signer_mismatch")
			wantProblem(t, "garbage .sig", dir.do("POST", docURL+"/signatures", `{"cms":"`+base64.StdEncoding.EncodeToString([]byte("garbage"))+`"}`), 422, "format_failure")
			wantProblem(t, "not base64", dir.do("POST", docURL+"/signatures", `{"cms":"%%%"}`), 422, "invalid_base64")
			wantProblem(t, "nothing to sign with", dir.do("POST", docURL+"/signatures", `{"prepare_id":"x"}`), 422, "signature_required")
			other, err := cades.Sign(bytes.NewReader([]byte("another document")), p.dirLeaf.Cert.X509, p.dirLeaf.Key, cades.SignOptions{})
			if err != nil {
				t.Fatal(err)
			}
			wantProblem(t, "another document", dir.do("POST", docURL+"/signatures", jsonString(map[string][]byte{"cms": other})), 422, "hash_failure")

			// The director signs with the two-step flow.
			r = twoStep(t, dir, doc, p.dirLeaf)
			if r.status != 201 || r.json["result"] != "passed" || r.json["document"].(map[string]any)["current_stage"] != float64(1) {
				t.Fatalf("director: %d %s", r.status, r.body)
			}
			// The counterparty finds it incoming and uploads a CMS made elsewhere.
			kalina.run([]scenario{{"incoming", "GET", "/api/v1/orgs/" + p.them + "/documents?box=incoming", "", 200, "", doc}})
			sig, err := cades.Sign(bytes.NewReader(actPDF), p.kalinaLeaf.Cert.X509, p.kalinaLeaf.Key, cades.SignOptions{})
			if err != nil {
				t.Fatal(err)
			}
			r = kalina.do("POST", docURL+"/signatures", jsonString(map[string][]byte{"cms": sig}))
			if r.status != 201 || r.json["result"] != "passed" || r.json["document"].(map[string]any)["state"] != "completed" {
				t.Fatalf("counterparty: %d %s", r.status, r.body)
			}
			wantProblem(t, "the same signature again", kalina.do("POST", docURL+"/signatures", jsonString(map[string][]byte{"cms": sig})), 409, "document_not_in_progress")

			r = dir.do("GET", docURL, "")
			var got apiclient.Document
			json.Unmarshal([]byte(r.body), &got)
			if r.status != 200 || got.State != "completed" || len(got.Signatures) != 2 || len(got.Stages) != 2 ||
				got.Signatures[0].Result != "passed" || got.Signatures[0].Signer != "Иван Смирнов" ||
				got.Signatures[1].CertFP != p.kalinaLeaf.Cert.FingerprintSHA256 || got.Stages[1].Signers[0].State != "signed" ||
				got.Signatures[0].File != "act-17.pdf.1.sig" {
				t.Fatalf("document: %d %s", r.status, r.body)
			}

			// Downloads: the original with ranges and its hash as ETag, each signature.
			r = dir.do("GET", docURL+"/file", "")
			if r.status != 200 || r.body != string(actPDF) || r.header.Get("ETag") != `"`+got.SHA256+`"` ||
				dispositionName(r) != "act-17.pdf" {
				t.Fatalf("file: %d %v", r.status, r.header)
			}
			if r = dir.do("GET", docURL+"/file", "", "Range", "bytes=0-7"); r.status != 206 || r.body != "%PDF-1.4" {
				t.Fatalf("range: %d %q", r.status, r.body)
			}
			if r = dir.do("GET", docURL+"/file", "", "If-None-Match", `"`+got.SHA256+`"`); r.status != 304 {
				t.Fatalf("if-none-match: %d", r.status)
			}
			r = kalina.do("GET", docURL+"/signatures/"+got.Signatures[1].ID+"/cms", "")
			if r.status != 200 || r.body != string(sig) || r.header.Get("Content-Type") != "application/pkcs7-signature" ||
				dispositionName(r) != "act-17.pdf.2.sig" {
				t.Fatalf("cms: %d %v", r.status, r.header)
			}
			wantProblem(t, "no such signature", dir.do("GET", docURL+"/signatures/nope/cms", ""), 404, "not_found")
			wantProblem(t, "outsider's download", p.outside.do("GET", docURL+"/package.zip", ""), 404, "not_found")

			// The package, checked by OpenSSL as an independent verifier.
			var zipped bytes.Buffer
			if err := dir.api().DownloadPackage(t.Context(), doc, &zipped); err != nil {
				t.Fatal(err)
			}
			files := unzip(t, zipped.Bytes())
			var manifest struct {
				Document   struct{ SHA256, File string }
				Signatures []struct{ Result, Signer, File string }
			}
			if err := json.Unmarshal(files["manifest.json"], &manifest); err != nil || manifest.Document.SHA256 != got.SHA256 ||
				len(manifest.Signatures) != 2 || manifest.Signatures[1].Signer != "ТОВ «Калина»" || manifest.Signatures[1].Result != "passed" {
				t.Fatalf("manifest: %v %s", err, files["manifest.json"])
			}
			if !bytes.Equal(files["act-17.pdf"], actPDF) || !bytes.Equal(files["act-17.pdf.2.sig"], sig) ||
				!strings.Contains(string(files["README.txt"]), "openssl cms -verify -cades -binary -content 'act-17.pdf' -inform DER -in 'act-17.pdf.1.sig' -CAfile root.pem") {
				t.Fatalf("package: %v\n%s", keys(files), files["README.txt"])
			}
			opensslVerifyPackage(t, files, "act-17.pdf", pkitest.PEM(p.ca.Root()), "act-17.pdf.1.sig", "act-17.pdf.2.sig")
		})
	}
}

// Revoke, decline, and the size cap.
func TestDocumentsAPIStops(t *testing.T) {
	for _, dialect := range storetest.Dialects {
		t.Run(dialect, func(t *testing.T) {
			p := newDocParties(t, dialect, func(c *core.Config) { c.MaxDocumentSize = 1024 })
			wantProblem(t, "oversize", p.dir.uploadDocument(p.us, `{"title":"Большой"}`, "big.bin", bytes.Repeat([]byte("x"), 4096)), 422, "file_too_large")
			route := `{"stages":[{"side":"counterparty","signature":"qualified","signers":[{"org_id":"` + p.them + `"}]}]}`
			newDoc := func(title string) string {
				c := p.dir.api()
				d, err := c.CreateDocument(t.Context(), p.us, apiclient.DocumentMeta{Title: title, Amount: "10"}, "a.pdf", bytes.NewReader(actPDF))
				if err != nil {
					t.Fatal(err)
				}
				if d.Amount != "10.00" {
					t.Fatalf("amount %q", d.Amount)
				}
				p.dir.run([]scenario{{"route", "PUT", "/api/v1/documents/" + d.ID + "/route", route, 200, "", ""},
					{"send", "POST", "/api/v1/documents/" + d.ID + "/send", "", 200, "", ""}})
				return d.ID
			}
			a, b := newDoc("Отзываемый"), newDoc("Отклоняемый")
			p.kalina.run([]scenario{
				{"the counterparty cannot revoke", "POST", "/api/v1/documents/" + a + "/revoke", "", 403, "not_document_owner", ""},
				{"decline without comment", "POST", "/api/v1/documents/" + b + "/decline", `{"comment":" "}`, 422, "comment_required", ""},
				{"decline", "POST", "/api/v1/documents/" + b + "/decline", `{"comment":"Сумма не та"}`, 200, "", `"decline_comment":"Сумма не та"`},
			})
			p.dir.run([]scenario{
				{"revoke", "POST", "/api/v1/documents/" + a + "/revoke", "", 200, "", `"state":"revoked"`},
				{"revoke twice", "POST", "/api/v1/documents/" + a + "/revoke", "", 409, "document_not_in_progress", ""},
				{"declined shows", "GET", "/api/v1/orgs/" + p.us + "/documents?state=declined", "", 200, "", b},
			})
			wantProblem(t, "signing a revoked document", twoStep(t, p.kalina, a, p.kalinaLeaf), 409, "document_not_in_progress")
		})
	}
}

func dispositionName(r reply) string {
	_, params, _ := mime.ParseMediaType(r.header.Get("Content-Disposition"))
	return params["filename"]
}

func unzip(t *testing.T, data []byte) map[string][]byte {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	out := map[string][]byte{}
	for _, f := range zr.File {
		rc, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		out[f.Name], err = io.ReadAll(rc)
		rc.Close()
		if err != nil {
			t.Fatal(err)
		}
	}
	return out
}

func keys(m map[string][]byte) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}

// opensslVerifyPackage runs openssl cms -verify -cades on each signature of
// an unpacked package, as its README says.
func opensslVerifyPackage(t *testing.T, files map[string][]byte, original string, rootPEM []byte, sigs ...string) {
	t.Helper()
	openssl, err := exec.LookPath("openssl")
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("openssl is not installed: the interoperability check cannot run")
		}
		t.Log("openssl is not installed: the package is not checked by OpenSSL")
		return
	}
	dir := t.TempDir()
	for name, data := range files {
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	os.WriteFile(filepath.Join(dir, "root.pem"), rootPEM, 0o600)
	for _, s := range sigs {
		cmd := exec.Command(openssl, "cms", "-verify", "-cades", "-binary", "-content", original, "-inform", "DER", "-in", s,
			"-CAfile", "root.pem", "-purpose", "any", "-out", os.DevNull)
		cmd.Dir = dir
		out, err := cmd.CombinedOutput()
		if err != nil || !strings.Contains(string(out), "Verification successful") {
			t.Fatalf("openssl cms -verify %s: %v\n%s", s, err, out)
		}
	}
}

// A large file goes as the whole body, with the metadata in the query.
func TestDocumentRawUpload(t *testing.T) {
	env := servertest.New(t, "sqlite", nil)
	owner := login(t, env, "raw@example.com", "Raw Uploader")
	r := owner.do("POST", "/api/v1/orgs", `{"kind":"legal","country":"RU","name":"ООО «Сырое»","inn":"7712345671","kpp":"771201001","ogrn":"1027700123450"}`)
	org := r.json["id"].(string)
	body := bytes.Repeat([]byte("акт "), 100_000)
	r = owner.do("POST", "/api/v1/orgs/"+org+"/documents?title="+url.QueryEscape("Большой акт")+"&kind=act&file_name=big.txt",
		string(body), "Content-Type", "application/octet-stream")
	if r.status != 201 || r.json["size"] != float64(len(body)) || r.json["file_name"] != "big.txt" || r.json["title"] != "Большой акт" {
		t.Fatalf("raw upload: %d %s", r.status, r.body)
	}
	want := sha256.Sum256(body)
	if r.json["sha256"] != hex.EncodeToString(want[:]) {
		t.Fatalf("sha256 %v", r.json["sha256"])
	}
	r = owner.do("POST", "/api/v1/orgs/"+org+"/documents?title=x", "data", "Content-Type", "application/octet-stream")
	if r.status != 422 || r.json["reason"] != "file_name_required" {
		t.Fatalf("no name: %d %s", r.status, r.body)
	}
	r = owner.do("POST", "/api/v1/orgs/"+org+"/documents?title=x&file_name=a.txt&colour=red", "data", "Content-Type", "application/octet-stream")
	if r.status != 422 || r.json["reason"] != "unknown_field" {
		t.Fatalf("unknown parameter: %d %s", r.status, r.body)
	}
}
