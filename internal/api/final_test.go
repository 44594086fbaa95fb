package api_test

import (
	"bytes"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"net/mail"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/go-pdf/fpdf"

	"paraph/internal/core"
	"paraph/internal/notify"
	"paraph/internal/notify/smtptest"
	"paraph/internal/seal"
	"paraph/internal/seal/tsatest"
	"paraph/internal/servertest"
	"paraph/internal/storetest"
	"paraph/internal/testtool"
)

// threePages is a real PDF original: three A4 pages of text.
func threePages(t *testing.T) []byte {
	t.Helper()
	f := fpdf.New("P", "mm", "A4", "")
	f.SetFont("Helvetica", "", 12)
	for i := 1; i <= 3; i++ {
		f.AddPage()
		f.CellFormat(0, 10, fmt.Sprintf("Act of works No. 17, page %d", i), "", 1, "L", false, 0, "")
	}
	var buf bytes.Buffer
	if err := f.Output(&buf); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// attachmentOf finds the attached file in a raw email.
func attachmentOf(t *testing.T, raw []byte) (name string, data []byte) {
	t.Helper()
	msg, err := mail.ReadMessage(bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	_, params, err := mime.ParseMediaType(msg.Header.Get("Content-Type"))
	if err != nil || params["boundary"] == "" {
		t.Fatalf("not multipart: %v %v", msg.Header.Get("Content-Type"), err)
	}
	mr := multipart.NewReader(msg.Body, params["boundary"])
	for {
		part, err := mr.NextPart()
		if err == io.EOF {
			return "", nil
		}
		if err != nil {
			t.Fatal(err)
		}
		disp, dp, _ := mime.ParseMediaType(part.Header.Get("Content-Disposition"))
		if disp != "attachment" {
			continue
		}
		body, _ := io.ReadAll(part)
		if strings.EqualFold(part.Header.Get("Content-Transfer-Encoding"), "base64") {
			if body, err = base64.StdEncoding.DecodeString(strings.Join(strings.Fields(string(body)), "")); err != nil {
				t.Fatal(err)
			}
		}
		return dp["filename"], body
	}
}

// verifyUpload posts files to the public verification API, without login.
func verifyUpload(t *testing.T, base string, parts map[string][]byte) reply {
	t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	for _, name := range []string{"file", "signature"} {
		if data, ok := parts[name]; ok {
			w, _ := mw.CreateFormFile(name, name+".bin")
			w.Write(data)
		}
	}
	mw.Close()
	anon := &client{t: t, base: base}
	req, _ := http.NewRequest("POST", base+"/api/v1/verify", &buf)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	return anon.send(req)
}

func sealPool(s *seal.Sealer) *x509.CertPool {
	pool := x509.NewCertPool()
	pool.AddCert(s.Root())
	return pool
}

// The whole path: the last signature completes the document; the
// job builds the final PDF (stamps, protocol, embedded original and .sig),
// seals it, and mails it to every party over real SMTP; the API serves it;
// the public verification finds it by hash, checks the seal and the
// embedded signatures, and refuses a changed, truncated or foreign file
// plainly.
func TestFinalPDFAndPublicVerification(t *testing.T) {
	pdftotext := testtool.Need(t, "pdftotext", "poppler-utils")
	for _, dialect := range storetest.Dialects {
		t.Run(dialect, func(t *testing.T) {
			smtp := smtptest.Start(t, smtptest.StartTLS)
			sender, err := notify.NewSMTP("smtp://"+url.UserPassword(smtp.Username, smtp.Password).String()+"@"+smtp.Addr+
				"?insecure_skip_verify=1", "Paraph <noreply@paraph.test>")
			if err != nil {
				t.Fatal(err)
			}
			tsa := tsatest.Start(t)
			sealer, err := seal.Open(t.Context(), seal.Config{Dir: t.TempDir(), Name: "Paraph test", TSAURL: tsa.URL})
			if err != nil {
				t.Fatal(err)
			}
			env := servertest.NewSending(t, dialect, func(c *core.Config) { c.Seal = sealer }, sender)
			p := newDocPartiesOn(t, env)
			original := threePages(t)
			r := p.dir.uploadDocument(p.us, `{"title":"Акт № 17 — ґанок, їжак, єнот, і","kind":"act","number":"17"}`, "act-17.pdf", original)
			if r.status != 201 {
				t.Fatalf("upload: %d %s", r.status, r.body)
			}
			doc := r.json["id"].(string)
			p.dir.run([]scenario{
				{"a place off the page", "PUT", "/api/v1/documents/" + doc + "/route", `{"stages":[{"side":"own","signature":"qualified","signers":[{"member_id":"` +
					p.dirMember + `","place":{"page":0,"x":10,"y":10}}]}]}`, 422, "", "invalid_place_page"},
				{"route", "PUT", "/api/v1/documents/" + doc + "/route", `{"stages":[{"side":"own","signature":"qualified","signers":[{"member_id":"` +
					p.dirMember + `","place":{"page":2,"x":20,"y":200}}]},` +
					`{"side":"counterparty","signature":"qualified","signers":[{"org_id":"` + p.them + `"}]},` +
					`{"side":"counterparty","signature":"simple","signers":[{"full_name":"Олена Коваленко","email":"client@example.com",` +
					`"fields":[{"name":"position","label":"Посада","kind":"text","required":true}]}]}]}`, 200, "", ""},
				{"send", "POST", "/api/v1/documents/" + doc + "/send", "", 200, "", ""},
				{"no final before completion", "GET", "/api/v1/documents/" + doc + "/final.pdf", "", 409, "", "document_not_completed"},
			})
			if r := twoStep(t, p.dir, doc, p.dirLeaf); r.status != 201 {
				t.Fatalf("director: %d %s", r.status, r.body)
			}
			if r := twoStep(t, p.kalina, doc, p.kalinaLeaf); r.status != 201 {
				t.Fatalf("the counterparty's director: %d %s", r.status, r.body)
			}
			token := signingLink(t, p, "client@example.com")
			anon := &client{t: t, base: env.URL}
			if r := anon.do("POST", "/api/v1/signing/"+token+"/code", ""); r.status != 202 {
				t.Fatalf("code: %d %s", r.status, r.body)
			}
			code := env.Code(t, "client@example.com")
			// The job is queued with the completing signature (jobs run here
			// only when the test says so): until it runs, the document says
			// the PDF is being built.
			r = anon.do("POST", "/api/v1/signing/"+token+"/sign", jsonString(map[string]any{"code": code,
				"image": base64.StdEncoding.EncodeToString(smallPNG(t)), "fields": map[string]string{"position": "Головна бухгалтерка"}}))
			if r.status != 201 {
				t.Fatalf("client: %d %s", r.status, r.body)
			}
			r = p.dir.do("GET", "/api/v1/documents/"+doc, "")
			final, _ := r.json["final"].(map[string]any)
			if r.json["state"] != "completed" || final == nil || final["state"] != "building" || !strings.Contains(final["verify_url"].(string), "/v/") {
				t.Fatalf("completed, before the job: %s", r.body)
			}
			wantProblem(t, "final while building", p.dir.do("GET", "/api/v1/documents/"+doc+"/final.pdf", ""), 409, "final_not_ready")

			env.RunJobs(t)
			r = p.dir.do("GET", "/api/v1/documents/"+doc, "")
			final = r.json["final"].(map[string]any)
			if final["state"] != "ready" || final["url"] != "/api/v1/documents/"+doc+"/final.pdf" {
				t.Fatalf("after the job: %s", r.body)
			}
			r = p.dir.do("GET", "/api/v1/documents/"+doc+"/final.pdf", "")
			if r.status != 200 || r.header.Get("Content-Type") != "application/pdf" || dispositionName(r) != "act-17.signed.pdf" {
				t.Fatalf("final.pdf: %d %v", r.status, r.header)
			}
			finalPDF := []byte(r.body)
			sum := sha256.Sum256(finalPDF)
			if final["sha256"] != hex.EncodeToString(sum[:]) {
				t.Fatalf("final sha256 %v, file %x", final["sha256"], sum)
			}
			// The counterparty organization is not on this route: it may not read the file.
			wantProblem(t, "a stranger's final.pdf", p.outside.do("GET", "/api/v1/documents/"+doc+"/final.pdf", ""), 404, "not_found")

			// The seal holds, by Paraph's own check and by poppler's, which
			// trusts the instance root in an NSS database.
			check, err := seal.Check(t.Context(), bytes.NewReader(finalPDF), int64(len(finalPDF)), sealPool(sealer), time.Now())
			if err != nil || check.Indication != seal.Passed {
				t.Fatalf("seal check: %+v %v", check, err)
			}
			if out := testtool.PDFSig(t, testtool.NSSDB(t, sealer.Root()), finalPDF); !strings.Contains(out, "Signature is Valid.") ||
				!strings.Contains(out, "Certificate is Trusted.") || !strings.Contains(out, "Total document signed") {
				t.Errorf("pdfsig on the final PDF:\n%s", out)
			}
			// Real text: the title with Ukrainian letters, both signers,
			// the filled field, the original's hash, the verification link.
			dir := t.TempDir()
			path := filepath.Join(dir, "final.pdf")
			os.WriteFile(path, finalPDF, 0o600)
			text := strings.Join(strings.Fields(testtool.Run(t, pdftotext, "-enc", "UTF-8", path, "-")), " ")
			origSum := sha256.Sum256(original)
			for _, want := range []string{"ґанок, їжак, єнот", "Иван Смирнов", "Тарас Бондар", "ТОВ «Калина»", "Олена Коваленко", "Головна бухгалтерка",
				p.dirLeaf.Cert.SerialHex, hex.EncodeToString(origSum[:])[:32], "/v/"} {
				if !strings.Contains(strings.ToLower(text), strings.ToLower(want)) {
					t.Errorf("the final PDF's text lacks %q:\n%s", want, text)
				}
			}
			// The director's stamp is on page 2, where the route put it.
			page2 := testtool.Run(t, pdftotext, "-enc", "UTF-8", "-f", "2", "-l", "2", path, "-")
			if !strings.Contains(page2, "Иван Смирнов") {
				t.Errorf("page 2 has no stamp of the director:\n%s", page2)
			}

			// Every party got it by email, attached: the author (who is also
			// the first signer) once, the counterparty organization's signer,
			// and the client outside.
			got := map[string][]byte{}
			for _, m := range smtp.Messages() {
				if !bytes.Contains(m.Data, []byte("act-17.signed.pdf")) {
					continue
				}
				name, data := attachmentOf(t, m.Data)
				if name != "act-17.signed.pdf" {
					t.Errorf("attachment %q", name)
				}
				for _, to := range m.To {
					if got[to] != nil {
						t.Errorf("%s got the final PDF twice", to)
					}
					got[to] = data
				}
			}
			for _, to := range []string{"director@romashka.example", "director@kalyna.example", "client@example.com"} {
				if !bytes.Equal(got[to], finalPDF) {
					t.Errorf("%s: attachment of %d bytes, want the final PDF (%d)", to, len(got[to]), len(finalPDF))
				}
			}
			msgs, _ := env.Svc.DevMessages(t.Context(), "client@example.com", 1)
			if len(msgs) == 0 || !strings.Contains(msgs[0].Body, final["verify_url"].(string)) {
				t.Errorf("the client's message lacks the public link: %+v", msgs)
			}

			// Public verification of the final PDF: found, sealed, the
			// embedded qualified signature checked against the original.
			r = verifyUpload(t, env.URL, map[string][]byte{"file": finalPDF})
			if r.status != 200 || r.json["result"] != "passed" || r.json["kind"] != "final_pdf" {
				t.Fatalf("verify final: %d %s", r.status, r.body)
			}
			docs := r.json["documents"].([]any)
			sealRep := r.json["seal"].(map[string]any)
			sigs := r.json["signatures"].([]any)
			orig := r.json["original"].(map[string]any)
			// The seal carries the TSA's time (its token is checked by
			// openssl ts -verify in internal/seal).
			if ts, _ := sealRep["timestamp"].(string); ts == "" {
				t.Errorf("the seal has no timestamp: %v", sealRep)
			}
			if len(docs) != 1 || docs[0].(map[string]any)["title"] != "Акт № 17 — ґанок, їжак, єнот, і" || sealRep["indication"] != "passed" ||
				len(sigs) != 2 || sigs[0].(map[string]any)["indication"] != "passed" || sigs[1].(map[string]any)["indication"] != "passed" ||
				orig["sha256"] != hex.EncodeToString(origSum[:]) {
				t.Fatalf("verify final: %s", r.body)
			}
			signers := docs[0].(map[string]any)["signers"].([]any)
			if len(signers) != 3 || signers[1].(map[string]any)["name"] != "Тарас Бондар" || signers[1].(map[string]any)["organization"] != "ТОВ «Калина»" ||
				signers[2].(map[string]any)["name"] != "Олена Коваленко" || signers[2].(map[string]any)["method"] != "simple" {
				t.Fatalf("signers: %v", signers)
			}
			reportID := r.json["report_id"].(string)
			if rr := anon.do("GET", "/api/v1/verify/reports/"+reportID, ""); rr.status != 200 || rr.json["result"] != "passed" {
				t.Fatalf("kept report: %d %s", rr.status, rr.body)
			}
			// The report as a PDF, sealed too.
			rr := anon.do("GET", "/verify/reports/"+reportID+".pdf", "")
			if rr.status != 200 || rr.header.Get("Content-Type") != "application/pdf" {
				t.Fatalf("report pdf: %d %v", rr.status, rr.header)
			}
			if c, err := seal.Check(t.Context(), strings.NewReader(rr.body), int64(len(rr.body)), sealPool(sealer), time.Now()); err != nil || c.Indication != seal.Passed {
				t.Fatalf("report seal: %+v %v", c, err)
			}

			// The client's signing link now names the signed PDF's page.
			if rr := anon.do("GET", "/api/v1/signing/"+token, ""); rr.json["verify_url"] != final["verify_url"] {
				t.Errorf("link after completion: %s", rr.body)
			}
			// The QR link: anyone holding it sees the report and gets the file.
			vid := final["verify_url"].(string)[strings.LastIndex(final["verify_url"].(string), "/")+1:]
			if rr := anon.do("GET", "/api/v1/verify/documents/"+vid, ""); rr.status != 200 || rr.json["result"] != "passed" || rr.json["seal"] == nil {
				t.Fatalf("QR report: %d %s", rr.status, rr.body)
			}
			if rr := anon.do("GET", "/v/"+vid+"/final.pdf", ""); rr.status != 200 || rr.body != string(finalPDF) {
				t.Fatalf("public final: %d", rr.status)
			}
			wantProblem(t, "an unknown QR id", anon.do("GET", "/api/v1/verify/documents/nosuchid", ""), 404, "not_found")

			// The original alone is found by its hash.
			r = verifyUpload(t, env.URL, map[string][]byte{"file": original})
			if r.json["result"] != "passed" || r.json["kind"] != "file" || len(r.json["documents"].([]any)) != 1 {
				t.Fatalf("verify original: %s", r.body)
			}
			// The original with the director's signature file: a full check.
			rd := p.dir.do("GET", "/api/v1/documents/"+doc, "")
			sigID := rd.json["signatures"].([]any)[0].(map[string]any)["id"].(string)
			cms := []byte(p.dir.do("GET", "/api/v1/documents/"+doc+"/signatures/"+sigID+"/cms", "").body)
			r = verifyUpload(t, env.URL, map[string][]byte{"file": original, "signature": cms})
			if r.json["result"] != "passed" || r.json["kind"] != "detached" || len(r.json["documents"].([]any)) != 1 {
				t.Fatalf("verify detached: %s", r.body)
			}

			// Bad input: each plainly failed or a 4xx, never a false pass.
			qpdf := testtool.Need(t, "qpdf", "qpdf")
			encPath := filepath.Join(dir, "encrypted.pdf")
			testtool.Run(t, qpdf, "--encrypt", "user", "owner", "256", "--", path, encPath)
			encrypted, _ := os.ReadFile(encPath)
			changed := append([]byte(nil), finalPDF...)
			changed[len(changed)/3] ^= 0x01
			for _, tt := range []struct {
				name   string
				parts  map[string][]byte
				reason string
			}{
				{"one byte changed", map[string][]byte{"file": changed}, ""},
				{"truncated", map[string][]byte{"file": finalPDF[:len(finalPDF)*2/3]}, ""},
				{"a signature for another file", map[string][]byte{"file": []byte("another file"), "signature": cms}, ""},
				{"random bytes", map[string][]byte{"file": []byte("just some text, not signed")}, "not_signed"},
				{"the final PDF encrypted", map[string][]byte{"file": encrypted}, "encrypted"},
			} {
				r := verifyUpload(t, env.URL, tt.parts)
				if r.status != 200 || r.json["result"] != "failed" || (tt.reason != "" && r.json["reason"] != tt.reason) {
					t.Errorf("%s: %d %s", tt.name, r.status, r.body)
				}
				if docs, _ := r.json["documents"].([]any); len(docs) != 0 {
					t.Errorf("%s: found documents %v", tt.name, docs)
				}
			}
			wantProblem(t, "no file", verifyUpload(t, env.URL, map[string][]byte{"signature": cms}), 422, "file_required")
			wantProblem(t, "an empty file", verifyUpload(t, env.URL, map[string][]byte{"file": {}}), 422, "file_empty")
			r = verifyUpload(t, env.URL, map[string][]byte{"file": original, "signature": {}})
			wantProblem(t, "an empty signature", r, 422, "file_empty")
			if r.json["field"] != "signature" {
				t.Errorf("empty signature's field: %s", r.body)
			}
			wantProblem(t, "a signature over 1 MiB", verifyUpload(t, env.URL, map[string][]byte{"file": original,
				"signature": bytes.Repeat([]byte{0x30}, core.MaxVerifySignature+1)}), 422, "signature_too_large")
			wantProblem(t, "a signature that is not CMS", verifyUpload(t, env.URL, map[string][]byte{"file": original, "signature": []byte("nope")}),
				422, "signature_unreadable")
			wantProblem(t, "JSON instead of a form", anon.do("POST", "/api/v1/verify", `{"file":"x"}`), 422, "unsupported_media_type")
			// An upload cut off in the middle: the form never ends.
			var cut bytes.Buffer
			mw := multipart.NewWriter(&cut)
			fw, _ := mw.CreateFormFile("file", "final.pdf")
			fw.Write(finalPDF[:len(finalPDF)/2])
			req, _ := http.NewRequest("POST", env.URL+"/api/v1/verify", &cut)
			req.Header.Set("Content-Type", mw.FormDataContentType())
			wantProblem(t, "a truncated upload", anon.send(req), 422, "invalid_multipart")
		})
	}
}

// The public check is capped in size and rate-limited per address.
func TestVerifyLimits(t *testing.T) {
	env := servertest.New(t, "sqlite", func(c *core.Config) {
		c.MaxDocumentSize = 1 << 20
		c.VerifyPerIP = core.RateLimit{Burst: 3, Every: time.Hour}
	})
	r := verifyUpload(t, env.URL, map[string][]byte{"file": bytes.Repeat([]byte("x"), 3<<20)})
	wantProblem(t, "a file over the cap", r, 422, "file_too_large")
	for i := 0; i < 3; i++ {
		if r := verifyUpload(t, env.URL, map[string][]byte{"file": []byte("text")}); r.status != 200 {
			t.Fatalf("check %d: %d %s", i+1, r.status, r.body)
		}
	}
	r = verifyUpload(t, env.URL, map[string][]byte{"file": []byte("text")})
	wantProblem(t, "the fourth check", r, 429, "too_many_verifications")
	if r.header.Get("Retry-After") == "" {
		t.Fatalf("no Retry-After: %v", r.header)
	}
	// The QR page's report is a check too.
	anon := &client{t: t, base: env.URL}
	wantProblem(t, "a QR report after them", anon.do("GET", "/api/v1/verify/documents/aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", ""), 429, "too_many_verifications")
}
