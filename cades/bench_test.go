package cades

import (
	"bytes"
	"crypto/sha256"
	"crypto/x509"
	"fmt"
	"testing"
	"time"
)

// BenchmarkPrepareAssembleVerify is one qualified signature as the server
// sees it in the two-step flow, ECDSA P-256 over a small document: Prepare,
// (the client's signing, excluded from the timer), Assemble (which verifies
// the value), then Parse and Verify of the result as on download or upload.
func BenchmarkPrepareAssembleVerify(b *testing.B) {
	p := MustPKI(b, "ecdsa-p256")
	doc := bytes.Repeat([]byte("Акт № 1. "), 100)
	digest := sha256.Sum256(doc)
	b.ReportAllocs()
	for b.Loop() {
		prep, err := Prepare(p.cert, digest[:], testTime)
		if err != nil {
			b.Fatal(err)
		}
		b.StopTimer()
		sigValue, err := SignPrepared(prep, p.key, SignOptions{})
		if err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		sig, err := Assemble(prep, p.cert, []*x509.Certificate{p.root}, sigValue)
		if err != nil {
			b.Fatal(err)
		}
		sd, err := Parse(sig)
		if err != nil {
			b.Fatal(err)
		}
		if r := sd.VerifyDigest(SHA256, digest[:]); r[0].Indication != Passed {
			b.Fatal(r[0].Err)
		}
	}
}

// BenchmarkVerify is an uploaded signature checked against a stored digest,
// per algorithm.
func BenchmarkVerify(b *testing.B) {
	doc := []byte("small document")
	for _, alg := range []string{"ecdsa-p256", "rsa", "ed25519", "gost256", "gost512"} {
		b.Run(alg, func(b *testing.B) {
			cert, key := benchSigner(b, alg)
			sig, err := Sign(bytes.NewReader(doc), cert, key, SignOptions{SigningTime: time.Now()})
			if err != nil {
				b.Fatal(err)
			}
			b.ReportAllocs()
			for b.Loop() {
				sd, err := Parse(sig)
				if err != nil {
					b.Fatal(err)
				}
				res, _ := sd.Verify(bytes.NewReader(doc))
				if res[0].Indication != Passed {
					b.Fatal(fmt.Sprint(res[0].Err))
				}
			}
		})
	}
}

// BenchmarkPrepare is step one alone (the server runs it at prepare and
// again at complete), ECDSA P-256.
func BenchmarkPrepare(b *testing.B) {
	p := MustPKI(b, "ecdsa-p256")
	digest := sha256.Sum256([]byte("Акт № 1"))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Prepare(p.cert, digest[:], testTime); err != nil {
			b.Fatal(err)
		}
	}
}
