package pki_test

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/asn1"
	"encoding/base64"
	"encoding/pem"
	"errors"
	"strings"
	"testing"

	"paraph/gost"
	"paraph/pki"
	"paraph/pki/pkitest"
)

func mustParseOne(t *testing.T, data []byte) *pki.Certificate {
	t.Helper()
	certs, err := pki.Parse(data)
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	if len(certs) != 1 {
		t.Fatalf("Parse: %d certificates, want 1", len(certs))
	}
	return certs[0]
}

func TestParseRUIdentifiers(t *testing.T) {
	ca := pkitest.NewCA(t, pkitest.Options{})
	for _, bmp := range []bool{false, true} {
		subj := pkitest.PersonRU()
		subj.BMP = bmp
		leaf := ca.Issue(t, pkitest.LeafOptions{Subject: subj})
		c := mustParseOne(t, leaf.PEM())
		for _, f := range []struct{ name, got, want string }{
			{"CommonName", c.CommonName, "Тестов Пётр Сергеевич"},
			{"Surname", c.Surname, "Тестов"},
			{"GivenName", c.GivenName, "Пётр Сергеевич"},
			{"Title", c.Title, "Генеральный директор"},
			{"Organization", c.Organization, `ООО "Ромашка-Тест"`},
			{"Email", c.Email, "petr.testov@example.com"},
			{"Locality", c.Locality, "Москва"},
			{"Province", c.Province, "77 г. Москва"},
			{"Street", c.Street, "ул. Тестовая, д. 1"},
			{"Country", c.Country, "RU"},
			{"INN", c.INN, "771234567859"},
			{"INNRaw", c.INNRaw, "771234567859"},
			{"INNLE", c.INNLE, "7712345600"},
			{"OGRN", c.OGRN, "1027700123450"},
			{"SNILS", c.SNILS, "11223344595"},
			{"IssuerCommonName", c.IssuerCommonName, "Paraph Test Root CA"},
			{"KeyAlgorithm", c.KeyAlgorithm, "ECDSA P-256"},
			{"Usage", string(c.Usage), "signing"},
		} {
			if f.got != f.want {
				t.Errorf("BMP=%v %s = %q, want %q", bmp, f.name, f.got, f.want)
			}
		}
		if !strings.Contains(c.Subject, "CN=Тестов Пётр Сергеевич") || !strings.Contains(c.Subject, "INN=771234567859") ||
			!strings.Contains(c.Subject, `STREET=ул. Тестовая\, д. 1`) {
			t.Errorf("Subject = %q", c.Subject)
		}
		if c.Issuer != "CN=Paraph Test Root CA, O=Paraph Test, C=RU" {
			t.Errorf("Issuer = %q", c.Issuer)
		}
		if c.IsCA {
			t.Error("leaf IsCA")
		}
		if len(c.FingerprintSHA256) != 64 || strings.ToUpper(c.FingerprintSHA256) != c.FingerprintSHA256 {
			t.Errorf("FingerprintSHA256 = %q", c.FingerprintSHA256)
		}
		if c.SerialHex != strings.ToUpper(leaf.Cert.X509.SerialNumber.Text(16)) {
			t.Errorf("SerialHex = %q, serial %s", c.SerialHex, leaf.Cert.X509.SerialNumber.Text(16))
		}
		ids := c.Identifiers()
		if len(ids) != 4 || ids["SNILS"] != "11223344595" {
			t.Errorf("Identifiers = %v", ids)
		}
	}
}

func TestParseINNPadded(t *testing.T) {
	ca := pkitest.NewCA(t, pkitest.Options{})
	subj := pkitest.Subject{CommonName: `ООО "Тест"`, INN: "007712345600", OGRN: "1027700123450"}
	c := mustParseOne(t, ca.Issue(t, pkitest.LeafOptions{Subject: subj}).DER())
	if c.INN != "7712345600" || c.INNRaw != "007712345600" {
		t.Errorf("INN %q INNRaw %q, want 7712345600 and 007712345600", c.INN, c.INNRaw)
	}
	e := mustParseOne(t, ca.Issue(t, pkitest.LeafOptions{Subject: pkitest.EntrepreneurRU()}).DER())
	if e.OGRNIP != "304770012345674" || e.INN != "501234560035" {
		t.Errorf("entrepreneur OGRNIP %q INN %q", e.OGRNIP, e.INN)
	}
}

func TestParseUAIdentifiers(t *testing.T) {
	ca := pkitest.NewCA(t, pkitest.Options{})
	for _, inSubject := range []bool{false, true} {
		subj := pkitest.PersonUA()
		subj.UAInSubject = inSubject
		c := mustParseOne(t, ca.Issue(t, pkitest.LeafOptions{Subject: subj}).PEM())
		if c.EDRPOU != "12345678" || c.RNOKPP != "1234567899" {
			t.Errorf("in subject %v: EDRPOU %q RNOKPP %q", inSubject, c.EDRPOU, c.RNOKPP)
		}
		if c.GivenName != "Олена Петрівна" {
			t.Errorf("GivenName %q", c.GivenName)
		}
	}
}

func TestParseKeyAlgorithms(t *testing.T) {
	for _, tc := range []struct {
		key      pkitest.KeyType
		alg      string
		paramSet string
		check    func(any) bool
	}{
		{pkitest.ECDSA, "ECDSA P-256", "P-256", func(k any) bool { _, ok := k.(*ecdsa.PublicKey); return ok }},
		{pkitest.RSA, "RSA-2048", "", func(k any) bool { _, ok := k.(*rsa.PublicKey); return ok }},
		{pkitest.Ed25519, "Ed25519", "", func(k any) bool { _, ok := k.(ed25519.PublicKey); return ok }},
		{pkitest.GOST256, "GOST R 34.10-2012 256", "id-tc26-gost-3410-12-256-paramSetA", func(k any) bool { _, ok := k.(*gost.PublicKey); return ok }},
		{pkitest.GOST512, "GOST R 34.10-2012 512", "id-tc26-gost-3410-12-512-paramSetA", func(k any) bool { _, ok := k.(*gost.PublicKey); return ok }},
	} {
		t.Run(string(tc.key), func(t *testing.T) {
			ca := pkitest.NewCA(t, pkitest.Options{Key: tc.key})
			c := mustParseOne(t, ca.Issue(t, pkitest.LeafOptions{Key: tc.key, Subject: pkitest.PersonRU()}).DER())
			if c.KeyAlgorithm != tc.alg || c.KeyParameterSet != tc.paramSet || !tc.check(c.PublicKey) {
				t.Errorf("KeyAlgorithm %q KeyParameterSet %q PublicKey %T", c.KeyAlgorithm, c.KeyParameterSet, c.PublicKey)
			}
			if c.INN != "771234567859" {
				t.Errorf("INN %q", c.INN)
			}
			if err := c.CheckSignatureFrom(ca.Cert); err != nil {
				t.Errorf("CheckSignatureFrom: %v", err)
			}
			if !ca.Cert.IsCA || ca.Cert.KeyAlgorithm != tc.alg {
				t.Errorf("CA IsCA %v KeyAlgorithm %q", ca.Cert.IsCA, ca.Cert.KeyAlgorithm)
			}
		})
	}
}

func TestParseUsage(t *testing.T) {
	ca := pkitest.NewCA(t, pkitest.Options{})
	for _, tc := range []struct {
		opts pkitest.LeafOptions
		want pki.Usage
	}{
		{pkitest.LeafOptions{}, pki.UsageSigning},
		{pkitest.LeafOptions{KeyUsage: x509.KeyUsageKeyEncipherment}, pki.UsageEncryption},
		{pkitest.LeafOptions{KeyUsage: x509.KeyUsageKeyAgreement | x509.KeyUsageDigitalSignature}, pki.UsageSigningEncryption},
		{pkitest.LeafOptions{NoKeyUsage: true}, pki.UsageSigningEncryption},
	} {
		if got := mustParseOne(t, ca.Issue(t, tc.opts).DER()).Usage; got != tc.want {
			t.Errorf("KeyUsage %v: Usage %q, want %q", tc.opts.KeyUsage, got, tc.want)
		}
	}
}

func TestParseFormats(t *testing.T) {
	root := pkitest.NewCA(t, pkitest.Options{})
	sub := root.NewIntermediate(t, pkitest.Options{Key: pkitest.GOST256})
	leaf := sub.Issue(t, pkitest.LeafOptions{Key: pkitest.GOST256, Subject: pkitest.PersonRU()})
	chain := [][]byte{leaf.DER(), sub.Cert.Raw, root.Cert.Raw}
	p7b := pkitest.P7B(t, chain...)
	bare := base64.StdEncoding.EncodeToString(leaf.DER())
	for _, tc := range []struct {
		name string
		data []byte
		n    int
	}{
		{"DER", leaf.DER(), 1},
		{"PEM", leaf.PEM(), 1},
		{"PEM chain with text around", append(append([]byte("Bag Attributes\n"), pkitest.PEM(leaf.Cert, sub.Cert, root.Cert)...), "trailing\n"...), 3},
		{"PEM CRLF and BOM", append([]byte("\xef\xbb\xbf"), bytes.ReplaceAll(leaf.PEM(), []byte("\n"), []byte("\r\n"))...), 1},
		{"bare base64", []byte(bare[:64] + "\n" + bare[64:] + "\n"), 1},
		{"p7b DER", p7b, 3},
		{"p7b PEM", pem.EncodeToMemory(&pem.Block{Type: "PKCS7", Bytes: p7b}), 3},
		{"TRUSTED CERTIFICATE", pem.EncodeToMemory(&pem.Block{Type: "TRUSTED CERTIFICATE", Bytes: append(leaf.DER(), 0x30, 0x00)}), 1},
		{"DER with trailing zeros", append(leaf.DER(), 0, 0), 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			certs, err := pki.Parse(tc.data)
			if err != nil {
				t.Fatal(err)
			}
			if len(certs) != tc.n {
				t.Fatalf("%d certificates, want %d", len(certs), tc.n)
			}
			if !bytes.Equal(certs[0].Raw, leaf.DER()) || certs[0].INN != "771234567859" {
				t.Errorf("first certificate is not the leaf")
			}
		})
	}
}

func TestParseErrors(t *testing.T) {
	ca := pkitest.NewCA(t, pkitest.Options{})
	leaf := ca.Issue(t, pkitest.LeafOptions{})
	ecKey, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	rsaKey, _ := rsa.GenerateKey(rand.Reader, 1024)
	pkcs8, _ := x509.MarshalPKCS8PrivateKey(ecKey)
	sec1, _ := x509.MarshalECPrivateKey(ecKey)
	pkcs1 := x509.MarshalPKCS1PrivateKey(rsaKey)
	gostKey, _ := gost.GenerateKey(gost.CurveTC26256A, rand.Reader)
	gostPKCS8, _ := gost.MarshalPKCS8PrivateKey(gostKey)
	// Minimal shapes of PKCS #12 (PFX version 3) and EncryptedPrivateKeyInfo.
	pfx, _ := asn1.Marshal(struct {
		Version  int
		AuthSafe struct{ ContentType asn1.ObjectIdentifier }
	}{3, struct{ ContentType asn1.ObjectIdentifier }{asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 7, 1}}})
	encPKCS8, _ := asn1.Marshal(struct {
		Alg  struct{ OID asn1.ObjectIdentifier }
		Data []byte
	}{struct{ OID asn1.ObjectIdentifier }{asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 5, 13}}, []byte("ciphertext")})
	csr, _ := x509.CreateCertificateRequest(rand.Reader, &x509.CertificateRequest{}, ecKey)
	pemOf := func(typ string, b []byte) []byte { return pem.EncodeToMemory(&pem.Block{Type: typ, Bytes: b}) }

	for _, tc := range []struct {
		name string
		data []byte
		want error
	}{
		{"empty", nil, pki.ErrNotCertificate},
		{"spaces", []byte(" \n\t"), pki.ErrNotCertificate},
		{"text", []byte("Hello, this is a letter.\n"), pki.ErrNotCertificate},
		{"PDF", []byte("%PDF-1.7\n1 0 obj\n"), pki.ErrNotCertificate},
		{"CSR", pemOf("CERTIFICATE REQUEST", csr), pki.ErrNotCertificate},
		{"public key", pemOf("PUBLIC KEY", []byte{0x30, 0}), pki.ErrNotCertificate},
		{"PEM PRIVATE KEY", pemOf("PRIVATE KEY", pkcs8), pki.ErrPrivateKey},
		{"PEM RSA PRIVATE KEY", pemOf("RSA PRIVATE KEY", pkcs1), pki.ErrPrivateKey},
		{"PEM EC PRIVATE KEY", pemOf("EC PRIVATE KEY", sec1), pki.ErrPrivateKey},
		{"PEM ENCRYPTED PRIVATE KEY", pemOf("ENCRYPTED PRIVATE KEY", encPKCS8), pki.ErrPrivateKey},
		{"PEM certificate and key", append(leaf.PEM(), pemOf("PRIVATE KEY", pkcs8)...), pki.ErrPrivateKey},
		{"PEM truncated key", pemOf("PRIVATE KEY", pkcs8)[:60], pki.ErrPrivateKey},
		{"DER PKCS#8", pkcs8, pki.ErrPrivateKey},
		{"DER PKCS#8 GOST", gostPKCS8, pki.ErrPrivateKey},
		{"DER PKCS#1", pkcs1, pki.ErrPrivateKey},
		{"DER SEC1", sec1, pki.ErrPrivateKey},
		{"DER PKCS#12", pfx, pki.ErrPrivateKey},
		{"DER encrypted PKCS#8", encPKCS8, pki.ErrPrivateKey},
		{"truncated DER", leaf.DER()[:len(leaf.DER())/2], pki.ErrTruncated},
		{"truncated DER header", leaf.DER()[:3], pki.ErrTruncated},
		{"truncated PEM", leaf.PEM()[:100], pki.ErrTruncated},
		{"corrupt DER", corrupt(leaf.DER()), pki.ErrMalformed},
		{"DER with trailing data", append(leaf.DER(), "garbage"...), pki.ErrMalformed},
		{"oversize", append(leaf.PEM(), bytes.Repeat([]byte{'\n'}, pki.MaxFileSize)...), pki.ErrTooLarge},
	} {
		t.Run(tc.name, func(t *testing.T) {
			certs, err := pki.Parse(tc.data)
			if !errors.Is(err, tc.want) {
				t.Fatalf("Parse = %d certificates, %v; want %v", len(certs), err, tc.want)
			}
			if !strings.HasPrefix(err.Error(), "pki: ") {
				t.Errorf("error %q lacks the pki: prefix", err)
			}
			msg := pki.Message(err)
			if msg == "" {
				t.Error("empty Message")
			}
			if tc.want == pki.ErrPrivateKey {
				if msg != "This is a private key, not a certificate. It was not stored; keep it secret and upload the certificate (.cer, .crt, .pem) instead." {
					t.Errorf("Message = %q", msg)
				}
				body := base64.StdEncoding.EncodeToString(pkcs8)
				if strings.Contains(err.Error(), body[20:40]) {
					t.Error("the error echoes key bytes")
				}
			}
		})
	}
	if got := pki.Message(pki.ErrNotCertificate); got != "This file is not a certificate (PEM, DER or .p7b)." {
		t.Errorf("Message(ErrNotCertificate) = %q", got)
	}
}

// corrupt flips a byte inside the TBSCertificate's serial number tag so
// the DER frame holds but the content does not.
func corrupt(der []byte) []byte {
	b := bytes.Clone(der)
	// 30 82 LL LL 30 82 LL LL A0 03 02 01 02 02 ...: make the serial tag a BOOLEAN.
	b[13] = 0x01
	return b
}
