package pki_test

import (
	"context"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"testing"
	"time"

	"paraph/pki"
	"paraph/pki/pkitest"
)

var update = flag.Bool("update", false, "rewrite the committed seed corpus under testdata/fuzz")

// FuzzParse feeds Parse arbitrary bytes: it must never panic, must return
// certificates or one of the typed errors, the same as a Cache's Parse,
// and whatever parses must go through Status and Verify without panicking.
func FuzzParse(f *testing.F) {
	f.Add([]byte{})
	f.Add([]byte("-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n"))
	f.Add([]byte{0x30, 0x82, 0xff, 0xff, 0x30})
	f.Fuzz(func(t *testing.T, data []byte) {
		certs, err := pki.Parse(data)
		cached, cacheErr := pki.NewCache(4).Parse(data)
		if fmt.Sprint(err) != fmt.Sprint(cacheErr) || !reflect.DeepEqual(certs, cached) {
			t.Fatalf("Cache.Parse differs from Parse: %v, %v", cacheErr, err)
		}
		if err != nil {
			if len(certs) != 0 {
				t.Fatal("certificates returned with an error")
			}
			known := false
			for _, e := range []error{pki.ErrNotCertificate, pki.ErrPrivateKey, pki.ErrTruncated, pki.ErrTooLarge, pki.ErrMalformed} {
				known = known || errors.Is(err, e)
			}
			if !known {
				t.Fatalf("untyped error: %v", err)
			}
			return
		}
		if len(certs) == 0 {
			t.Fatal("no certificates and no error")
		}
		ts := pki.NewTrustStore()
		_ = ts.AddRoot(certs[len(certs)-1])
		v, err := ts.Verify(context.Background(), certs[0], certs[1:], time.Now(), pki.VerifyOptions{})
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range certs {
			c.Status(time.Now(), v)
			c.Identifiers()
		}
	})
}

// TestFuzzCorpus writes the seed corpus with -update: certificates of
// every format and key type, RU and UA identifiers, and a private key.
func TestFuzzCorpus(t *testing.T) {
	if !*update {
		// Without -update, the committed corpus must be there for FuzzParse.
		entries, err := os.ReadDir(filepath.Join("testdata", "fuzz", "FuzzParse"))
		if err != nil || len(entries) < 10 {
			t.Fatalf("the seed corpus is missing (%d files, %v): run go test ./pki -run TestFuzzCorpus -update", len(entries), err)
		}
		return
	}
	root := pkitest.NewCA(t, pkitest.Options{})
	gostCA := pkitest.NewCA(t, pkitest.Options{Key: pkitest.GOST256})
	ru := root.Issue(t, pkitest.LeafOptions{Subject: pkitest.PersonRU()})
	bmp := pkitest.PersonRU()
	bmp.BMP = true
	ua := pkitest.PersonUA()
	uaSubject := pkitest.PersonUA()
	uaSubject.UAInSubject = true
	gostLeaf := gostCA.Issue(t, pkitest.LeafOptions{Key: pkitest.GOST256, Subject: pkitest.PersonRU()})
	gost512 := gostCA.Issue(t, pkitest.LeafOptions{Key: pkitest.GOST512, Subject: pkitest.EntrepreneurRU()})
	key, err := x509.MarshalPKCS8PrivateKey(ru.Key)
	if err != nil {
		t.Fatal(err)
	}
	seeds := map[string][]byte{
		"pem-ecdsa-ru":   ru.PEM(),
		"der-ecdsa-ru":   ru.DER(),
		"der-bmp":        root.Issue(t, pkitest.LeafOptions{Subject: bmp}).DER(),
		"der-ua-ext":     root.Issue(t, pkitest.LeafOptions{Subject: ua}).DER(),
		"der-ua-subject": root.Issue(t, pkitest.LeafOptions{Subject: uaSubject}).DER(),
		"der-gost256":    gostLeaf.DER(),
		"der-gost512":    gost512.DER(),
		"pem-chain":      pkitest.PEM(gostLeaf.Cert, gostCA.Cert),
		"p7b-der":        pkitest.P7B(t, gostLeaf.DER(), gostCA.Cert.Raw),
		"p7b-pem":        pem.EncodeToMemory(&pem.Block{Type: "PKCS7", Bytes: pkitest.P7B(t, ru.DER(), root.Cert.Raw)}),
		"key-pem":        gostLeaf.KeyPEM(t),
		"key-der-pkcs8":  key,
		"truncated-der":  ru.DER()[:200],
	}
	dir := filepath.Join("testdata", "fuzz", "FuzzParse")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	for name, data := range seeds {
		body := fmt.Sprintf("go test fuzz v1\n[]byte(%s)\n", strconv.Quote(string(data)))
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}
