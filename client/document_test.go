package client_test

import (
	"testing"
	"time"

	"paraph/cades"
	"paraph/client"
	"paraph/pki/pkitest"
)

// SignToBeSigned makes, from what prepare answers, a signature value the
// server's assembly accepts, for every key type.
func TestSignToBeSigned(t *testing.T) {
	ca := pkitest.NewCA(t, pkitest.Options{})
	content := []byte("%PDF-1.4\n% Акт\n")
	for _, kt := range []pkitest.KeyType{pkitest.ECDSA, pkitest.RSA, pkitest.Ed25519, pkitest.GOST256, pkitest.GOST512} {
		t.Run(string(kt), func(t *testing.T) {
			leaf := ca.Issue(t, pkitest.LeafOptions{Subject: pkitest.PersonRU(), Key: kt})
			h, _, err := cades.DigestFor(leaf.Cert.X509)
			if err != nil {
				t.Fatal(err)
			}
			h.Write(content)
			p, err := cades.Prepare(leaf.Cert.X509, h.Sum(nil), time.Now())
			if err != nil {
				t.Fatal(err)
			}
			// Only what crosses the wire: the bytes and the two names.
			value, err := client.SignToBeSigned(leaf.Key, &client.Prepared{ToBeSigned: p.ToBeSigned,
				DigestAlgorithm: p.DigestAlgorithm, Algorithm: p.SignatureAlgorithm})
			if err != nil {
				t.Fatal(err)
			}
			if _, err := cades.Assemble(p, leaf.Cert.X509, nil, value); err != nil {
				t.Fatalf("%s/%s: %v", p.SignatureAlgorithm, p.DigestAlgorithm, err)
			}
			other := ca.Issue(t, pkitest.LeafOptions{Subject: pkitest.PersonRU(), Key: kt})
			value, _ = client.SignToBeSigned(other.Key, &client.Prepared{ToBeSigned: p.ToBeSigned,
				DigestAlgorithm: p.DigestAlgorithm, Algorithm: p.SignatureAlgorithm})
			if _, err := cades.Assemble(p, leaf.Cert.X509, nil, value); err == nil {
				t.Fatal("another key's signature was assembled")
			}
		})
	}
	if _, err := client.SignToBeSigned(pkitest.GenerateKey(t, pkitest.ECDSA), &client.Prepared{DigestAlgorithm: "MD5", Algorithm: "ECDSA"}); err == nil {
		t.Fatal("an unknown digest was signed")
	}
}
