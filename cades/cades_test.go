package cades

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/asn1"
	"io"
	"math/big"
	"slices"
	"strings"
	"testing"

	"golang.org/x/crypto/cryptobyte"
)

func bytesReader(b []byte) io.Reader { return bytes.NewReader(b) }

var allAlgs = []string{"ecdsa-p256", "ecdsa-p384", "rsa", "rsa-pss", "ed25519"}

func TestSignVerifyRoundTrip(t *testing.T) {
	doc := []byte("Акт выполненных работ № 17 от 1 марта 2026 г.\n")
	for _, alg := range allAlgs {
		t.Run(alg, func(t *testing.T) {
			p := MustPKI(t, alg)
			sig, err := Sign(bytes.NewReader(doc), p.cert, p.key, SignOptions{SigningTime: testTime, PSS: alg == "rsa-pss", Chain: []*x509.Certificate{p.root}})
			if err != nil {
				t.Fatal(err)
			}
			r := mustVerify(t, sig, doc)
			wantResult(t, r, Passed, "")
			if !r.Certificate.Equal(p.cert) || !r.Signer.SigningTime.Equal(testTime) {
				t.Errorf("certificate or signing time wrong: %v", r.Signer.SigningTime)
			}
			wantAlg := map[string]string{"ecdsa-p256": AlgECDSA, "ecdsa-p384": AlgECDSA, "rsa": AlgRSAPKCS1v15, "rsa-pss": AlgRSAPSS, "ed25519": AlgEd25519}[alg]
			if r.Signer.SignatureAlgorithm != wantAlg {
				t.Errorf("signature algorithm %s, want %s", r.Signer.SignatureAlgorithm, wantAlg)
			}
			sd, _ := Parse(sig)
			if len(sd.Certificates) != 2 {
				t.Errorf("%d certificates in the CMS, want 2", len(sd.Certificates))
			}
			wantResult(t, mustVerify(t, sig, append(doc, '!')), Failed, HashFailure)
			wantResult(t, mustVerify(t, sig, []byte("another document")), Failed, HashFailure)
		})
	}
}

// GOST without the engine: a certificate built in Go, both sizes.
func TestGOSTRoundTrip(t *testing.T) {
	doc := []byte("Счёт-фактура № 5")
	for _, alg := range []string{"gost256", "gost512"} {
		t.Run(alg, func(t *testing.T) {
			cert, key := benchSigner(t, alg)
			sig, err := Sign(bytes.NewReader(doc), cert, key, SignOptions{SigningTime: testTime})
			if err != nil {
				t.Fatal(err)
			}
			r := mustVerify(t, sig, doc)
			wantResult(t, r, Passed, "")
			if r.Signer.SigningCertificate.HashAlgorithm != Streebog256 {
				t.Errorf("signingCertificateV2 hash %s, want Streebog-256", r.Signer.SigningCertificate.HashAlgorithm)
			}
			wantResult(t, mustVerify(t, sig, doc[1:]), Failed, HashFailure)
			// The value reversed (little-endian, a classic mistake) must not verify.
			sd, _ := Parse(sig)
			slices.Reverse(sd.Signers[0].Signature)
			res, _ := sd.Verify(bytes.NewReader(doc))
			wantResult(t, res[0], Failed, SigCryptoFailure)
		})
	}
}

func TestTwoStepRawECDSA(t *testing.T) {
	p := MustPKI(t, "ecdsa-p256")
	doc := []byte("two-step")
	h, name, err := DigestFor(p.cert)
	if err != nil || name != SHA256 {
		t.Fatalf("DigestFor: %s, %v", name, err)
	}
	h.Write(doc)
	prep, err := Prepare(p.cert, h.Sum(nil), testTime)
	if err != nil {
		t.Fatal(err)
	}
	// As WebCrypto does it: hash ToBeSigned, sign, return raw r‖s.
	sum := sha256.Sum256(prep.ToBeSigned)
	r, s, err := ecdsa.Sign(nil, p.key.(*ecdsa.PrivateKey), sum[:])
	if err != nil {
		t.Fatal(err)
	}
	raw := append(r.FillBytes(make([]byte, 32)), s.FillBytes(make([]byte, 32))...)
	sig, err := Assemble(prep, p.cert, nil, raw)
	if err != nil {
		t.Fatal(err)
	}
	wantResult(t, mustVerify(t, sig, doc), Passed, "")

	// A wrong signature value is refused at once.
	raw[5] ^= 1
	if _, err := Assemble(prep, p.cert, nil, raw); err == nil {
		t.Fatal("Assemble accepted a bad signature value")
	}
	// Another certificate than the one prepared for is refused.
	other := MustPKI(t, "ecdsa-p256")
	if _, err := Assemble(prep, other.cert, nil, raw); err == nil || !strings.Contains(err.Error(), "another certificate") {
		t.Fatalf("Assemble with another certificate: %v", err)
	}
}

// A certificate swapped for another one with the same key (a renewal, or
// an attacker's certificate for a stolen key) verifies cryptographically
// but signingCertificateV2 names the first one.
func TestSwappedCertificate(t *testing.T) {
	p := MustPKI(t, "ecdsa-p256")
	doc := []byte("swap")
	sig := swappedSignature(t, p, doc)
	wantResult(t, mustVerify(t, sig, doc), Failed, SigningCertificateMismatch)
}

// swappedSignature signs doc with p's key, attributes naming p.cert, but
// carries a second certificate for the same key.
func swappedSignature(tb testing.TB, p *testPKI, doc []byte) []byte {
	tb.Helper()
	twin := mustLeaf(tb, p.root, p.rootKey, p.key.Public(), 2000)
	d := sha256.Sum256(doc)
	prep, err := Prepare(p.cert, d[:], testTime)
	if err != nil {
		tb.Fatal(err)
	}
	sigValue, err := SignPrepared(prep, p.key, SignOptions{})
	if err != nil {
		tb.Fatal(err)
	}
	k, _ := keyOf(twin)
	var b cryptobyte.Builder
	signatureAlgorithm(&b, k.alg, k.digest)
	sig, err := encodeSignedData(twin, nil, k.digest, prep.SignedAttrs, b.BytesOrPanic(), sigValue)
	if err != nil {
		tb.Fatal(err)
	}
	return sig
}

func TestVerifyWithoutCertificate(t *testing.T) {
	p := MustPKI(t, "ecdsa-p256")
	doc := []byte("no cert")
	sig, err := Sign(bytes.NewReader(doc), p.cert, p.key, SignOptions{})
	if err != nil {
		t.Fatal(err)
	}
	sd, err := Parse(sig)
	if err != nil {
		t.Fatal(err)
	}
	sd.Signers[0].Certificate = nil // as if the CMS carried none
	res, _ := sd.Verify(bytes.NewReader(doc))
	wantResult(t, res[0], Indeterminate, NoSigningCertificateFound)
	res, _ = sd.VerifyWith(bytes.NewReader(doc), VerifyOptions{Certificates: []*x509.Certificate{p.cert}})
	wantResult(t, res[0], Passed, "")

	sum := sha256.Sum256(doc)
	wantResult(t, sd.VerifyDigest(SHA256, sum[:])[0], Indeterminate, NoSigningCertificateFound)
	sd.Signers[0].Certificate = p.cert
	wantResult(t, sd.VerifyDigest(SHA256, sum[:])[0], Passed, "")
	wantResult(t, sd.VerifyDigest(SHA384, sum[:])[0], Indeterminate, SignedDataNotFound)
	res, _ = sd.Verify(nil)
	wantResult(t, res[0], Indeterminate, SignedDataNotFound)
}

func TestUnknownAlgorithmIsNeverAPass(t *testing.T) {
	p := MustPKI(t, "ecdsa-p256")
	doc := []byte("alg")
	sig, err := Sign(bytes.NewReader(doc), p.cert, p.key, SignOptions{})
	if err != nil {
		t.Fatal(err)
	}
	sd, _ := Parse(sig)
	sd.Signers[0].SignatureAlgorithmOID = asn1.ObjectIdentifier{1, 2, 3, 4}
	res, _ := sd.Verify(bytes.NewReader(doc))
	wantResult(t, res[0], Indeterminate, AlgorithmUnsupported)

	sd, _ = Parse(sig)
	sd.Signers[0].DigestAlgorithmOID = oidSHA1
	res, _ = sd.Verify(bytes.NewReader(doc))
	wantResult(t, res[0], Indeterminate, AlgorithmUnsupported)

	sd, _ = Parse(sig)
	sd.Signers[0].SigningCertificate.HashOID = asn1.ObjectIdentifier{1, 2, 3}
	res, _ = sd.Verify(bytes.NewReader(doc))
	wantResult(t, res[0], Indeterminate, AlgorithmUnsupported)

	sd, _ = Parse(sig)
	sd.Signers[0].SigningCertificate.SerialNumber = big.NewInt(7)
	res, _ = sd.Verify(bytes.NewReader(doc))
	wantResult(t, res[0], Failed, SigningCertificateMismatch)
}
