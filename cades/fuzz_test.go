package cades

import (
	"bytes"
	"crypto/sha256"
	"fmt"
	"testing"
)

// FuzzParse: no input panics Parse or Verify, BER conversion is stable
// (what Parse keeps, Raw, parses again to the same bytes), and its
// shortcut for DER input gives what the conversion gives.
func FuzzParse(f *testing.F) {
	f.Add([]byte{})
	f.Add([]byte{0x30, 0x80, 0x00, 0x00})
	f.Add([]byte("-----BEGIN CMS-----\nMAA=\n-----END CMS-----\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		der, err := berToDER(data)
		slow, slowErr := convertBER(data)
		if fmt.Sprint(err) != fmt.Sprint(slowErr) || !bytes.Equal(der, slow) {
			t.Fatalf("berToDER gives % x, %v; the conversion % x, %v", der, err, slow, slowErr)
		}
		sd, err := Parse(data)
		if err != nil {
			return
		}
		again, err := Parse(sd.Raw)
		if err != nil {
			t.Fatalf("Raw of a parsed signature does not parse: %v", err)
		}
		if !bytes.Equal(again.Raw, sd.Raw) {
			t.Fatal("BER to DER is not idempotent")
		}
		res, err := sd.Verify(bytes.NewReader(testDoc))
		if err != nil || len(res) != len(sd.Signers) {
			t.Fatalf("Verify: %d results, %v", len(res), err)
		}
	})
}

// FuzzVerify: whatever the signature and content, a signer passes only if
// its messageDigest is the digest of the content and the signed
// attributes are well formed.
func FuzzVerify(f *testing.F) {
	f.Add([]byte{0x30}, []byte("doc"))
	f.Fuzz(func(t *testing.T, sig, content []byte) {
		sd, err := Parse(sig)
		if err != nil {
			return
		}
		res, err := sd.Verify(bytes.NewReader(content))
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range res {
			if r.Indication != Passed {
				if r.SubIndication == "" || r.Err == nil {
					t.Fatalf("%s without a sub-indication or reason", r.Indication)
				}
				continue
			}
			sg := r.Signer
			d := digestByOID(sg.DigestAlgorithmOID)
			if d == nil || sg.attrErr != nil || r.Certificate == nil {
				t.Fatalf("passed with digest %v, attributes error %v, certificate %v", d, sg.attrErr, r.Certificate)
			}
			h := d.new()
			h.Write(content)
			if !bytes.Equal(h.Sum(nil), sg.MessageDigest) {
				t.Fatal("passed although the content's digest differs from messageDigest")
			}
		}
		if len(content) > 0 {
			alt := sha256.Sum256(content)
			for _, r := range sd.VerifyDigest(SHA256, alt[:1]) {
				if r.Indication == Passed {
					t.Fatal("passed with a truncated digest")
				}
			}
		}
	})
}
