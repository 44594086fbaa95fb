package api_test

import (
	"bytes"
	"crypto"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"io"
	"mime/multipart"
	"net/http"
	"strings"
	"testing"

	"paraph/cades"
	"paraph/internal/poa/poatest"
	"paraph/internal/servertest"
	"paraph/internal/storetest"
	"paraph/pki/pkitest"
)

// upload sends body raw (contentType) or as multipart parts.
func (c *client) upload(method, path string, parts map[string][]byte) reply {
	c.t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	for name, data := range parts {
		w, _ := mw.CreateFormFile(name, name+".bin")
		w.Write(data)
	}
	mw.Close()
	req, _ := http.NewRequest(method, c.base+path, &buf)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	req.Header.Set("Authorization", "Bearer "+c.token)
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

func digitsOnly(s string) string {
	return strings.Map(func(r rune) rune {
		if r >= '0' && r <= '9' {
			return r
		}
		return -1
	}, s)
}

func TestCertificatesAndPOAsAPI(t *testing.T) {
	for _, dialect := range storetest.Dialects {
		t.Run(dialect, func(t *testing.T) {
			env := servertest.New(t, dialect, nil)
			ca := pkitest.NewCA(t, pkitest.Options{})
			d := poatest.Default()
			owner := login(t, env, "director@example.com", "Директоров Пётр Иванович")
			r := owner.do("POST", "/api/v1/orgs", `{"kind":"legal","country":"RU","name":"ООО «Ромашка-Тест»","inn":"`+d.Principal.INN+`","kpp":"`+d.Principal.KPP+`","ogrn":"`+d.Principal.OGRN+`"}`)
			if r.status != 201 {
				t.Fatalf("org: %s", r.body)
			}
			org := r.json["id"].(string)
			rep := d.Representatives[0].Person
			login(t, env, "anna@example.com", "Подписантова Анна Сергеевна")
			r = owner.do("POST", "/api/v1/orgs/"+org+"/members", `{"full_name":"Подписантова Анна Сергеевна","email":"anna@example.com","phone":"+79160001111","role":"signer","access_scope":"all"}`)
			member := r.json["id"].(string)
			base := "/api/v1/orgs/" + org + "/members/" + member

			leaf := ca.Issue(t, pkitest.LeafOptions{Subject: pkitest.Subject{CommonName: "Подписантова Анна Сергеевна", INN: rep.INN, SNILS: digitsOnly(rep.SNILS)}})
			r = owner.upload("POST", base+"/certificates", map[string][]byte{"certificate": leaf.KeyPEM(t)})
			if r.status != 422 || r.json["reason"] != "private_key_uploaded" || !strings.Contains(r.json["detail"].(string), "not stored") {
				t.Fatalf("private key: %d %s", r.status, r.body)
			}
			r = owner.upload("POST", base+"/certificates", map[string][]byte{"certificate": []byte("not a certificate at all")})
			if r.status != 422 || r.json["reason"] != "not_certificate" {
				t.Fatalf("garbage: %d %s", r.status, r.body)
			}
			r = owner.upload("POST", base+"/certificates", map[string][]byte{"certificate": pkitest.P7B(t, leaf.DER(), ca.Root().Raw)})
			if r.status != 201 || r.json["status"] != "invalid" || r.json["status_reason"] != "untrusted" {
				t.Fatalf("upload p7b: %d %s", r.status, r.body)
			}
			if ids := r.json["identifiers"].(map[string]any); ids["SNILS"] != digitsOnly(rep.SNILS) && ids["snils"] != digitsOnly(rep.SNILS) {
				t.Fatalf("identifiers: %v", ids)
			}
			// The instance administrator trusts the root; others may not.
			owner.run([]scenario{{"roots: not an admin", "GET", "/api/v1/admin/trust-roots", "", 403, "instance_admin_only", ""}})
			env.Svc.SetInstanceAdmin(t.Context(), "director@example.com", true)
			admin := &client{t: t, base: env.URL}
			r = admin.do("POST", "/api/v1/auth/login", `{"login":"director@example.com","password":"correct horse battery"}`)
			admin.token = r.json["token"].(string)
			r = admin.upload("POST", "/api/v1/admin/trust-roots", map[string][]byte{"certificate": pkitest.PEM(ca.Root())})
			if r.status != 201 {
				t.Fatalf("add root: %d %s", r.status, r.body)
			}
			env.Clock.Advance(31e9) // past the trust cache
			owner.run([]scenario{{"now active", "GET", base + "/certificates", "", 200, "", `"status":"active"`}})

			// Certificate login with the bound certificate.
			anon := &client{t: t, base: env.URL}
			certJSON, _ := json.Marshal(map[string]string{"certificate": string(leaf.PEM())})
			r = anon.do("POST", "/api/v1/auth/certificate/challenge", string(certJSON))
			if r.status != 200 || r.json["algorithm"] != "ECDSA-SHA256" {
				t.Fatalf("challenge: %d %s", r.status, r.body)
			}
			data, _ := base64.StdEncoding.DecodeString(r.json["data"].(string))
			digest := sha256.Sum256(data)
			sig, _ := leaf.Key.Sign(rand.Reader, digest[:], crypto.SHA256)
			r = anon.do("POST", "/api/v1/auth/certificate/login", `{"challenge_id":"`+r.json["challenge_id"].(string)+`","signature":"`+base64.StdEncoding.EncodeToString(sig)+`"}`)
			if r.status != 200 {
				t.Fatalf("certificate login: %d %s", r.status, r.body)
			}
			anna := &client{t: t, base: env.URL, token: r.json["token"].(string)}
			anna.run([]scenario{{"logged in by certificate", "GET", "/api/v1/me", "", 200, "", "anna@example.com"}})

			// МЧД: XML + signature of the director.
			xml := d.XML()
			director := ca.Issue(t, pkitest.LeafOptions{Subject: pkitest.Subject{CommonName: "Директоров", INN: d.Head.INN, SNILS: digitsOnly(d.Head.SNILS),
				INNLE: d.Principal.INN, OGRN: d.Principal.OGRN}})
			sigDER, err := cades.Sign(bytes.NewReader(xml), director.Cert.X509, director.Key, cades.SignOptions{})
			if err != nil {
				t.Fatal(err)
			}
			r = owner.upload("POST", base+"/poas", map[string][]byte{"xml": []byte(`<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa">]><x>&a;</x>`), "sig": sigDER})
			if r.status != 422 || r.json["field"] != "xml" {
				t.Fatalf("XML bomb: %d %s", r.status, r.body)
			}
			r = owner.upload("POST", base+"/poas", map[string][]byte{"xml": xml, "sig": sigDER})
			if r.status != 201 || r.json["main"] != true || r.json["signature_valid"] != true || r.json["number"] != d.Number {
				t.Fatalf("МЧД: %d %s", r.status, r.body)
			}
			poaID := r.json["id"].(string)
			r = owner.upload("POST", base+"/poas", map[string][]byte{"xml": xml, "sig": sigDER})
			if r.status != 409 || r.json["reason"] != "poa_exists" {
				t.Fatalf("МЧД twice: %d %s", r.status, r.body)
			}
			owner.run([]scenario{
				{"revoke", "PATCH", "/api/v1/orgs/" + org + "/poas/" + poaID, `{"revoked":true,"revoke_reason":"отозвана"}`, 204, "", ""},
				{"hidden when inactive", "GET", base + "/poas", "", 200, "", `"items":[]`},
				{"shown with inactive", "GET", base + "/poas?inactive=true", "", 200, "", `"status":"revoked"`},
			})
		})
	}
}
