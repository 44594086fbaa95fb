package pki_test

import (
	"context"
	"testing"
	"time"

	"paraph/pki"
	"paraph/pki/pkitest"
)

// BenchmarkParseAndStatus measures what a certificate list does per row:
// parse a typical leaf (PEM, RU identifiers), verify its chain of two
// (leaf → intermediate → root in the store; no CRL) and derive its status.
//
//   - warm: one long-lived TrustStore, as in the server; signatures
//     already verified for the same (certificate, issuer) pair are cached.
//   - cold: a new TrustStore per iteration, so both signatures of the
//     chain are verified every time.
//
// GOST-256-tc26A is slower to parse than CryptoPro-A: on the cofactor-4
// curve, gost.ParsePKIXPublicKey checks that the key lies in the
// prime-order subgroup (a scalar multiplication by Q).
func BenchmarkParseAndStatus(b *testing.B) {
	for _, key := range []pkitest.KeyType{pkitest.ECDSA, pkitest.GOST256CryptoPro, pkitest.GOST256} {
		root := pkitest.NewCA(b, pkitest.Options{Key: key})
		sub := root.NewIntermediate(b, pkitest.Options{Key: key})
		leafPEM := sub.Issue(b, pkitest.LeafOptions{Key: key, Subject: pkitest.PersonRU()}).PEM()
		inter := []*pki.Certificate{sub.Cert}
		now := time.Now()
		ctx := context.Background()
		run := func(b *testing.B, ts func() *pki.TrustStore) {
			b.ReportAllocs()
			defer reportCPU(b)()
			for b.Loop() {
				certs, err := pki.Parse(leafPEM)
				if err != nil {
					b.Fatal(err)
				}
				v, err := ts().Verify(ctx, certs[0], inter, now, pki.VerifyOptions{})
				if err != nil {
					b.Fatal(err)
				}
				if st, r := certs[0].Status(now, v); st != pki.StatusActive {
					b.Fatalf("%s %s (%s)", st, r, v.Detail)
				}
			}
		}
		name := map[pkitest.KeyType]string{pkitest.ECDSA: "ECDSA-P256", pkitest.GOST256CryptoPro: "GOST-256-CryptoProA", pkitest.GOST256: "GOST-256-tc26A"}[key]
		store := pki.NewTrustStore()
		if err := store.AddRoot(root.Cert); err != nil {
			b.Fatal(err)
		}
		b.Run(name+"/warm", func(b *testing.B) { run(b, func() *pki.TrustStore { return store }) })
		b.Run(name+"/cold", func(b *testing.B) {
			run(b, func() *pki.TrustStore {
				ts := pki.NewTrustStore()
				ts.AddRoot(root.Cert) // root self-signature checked again, too
				return ts
			})
		})
	}
}

// BenchmarkParse is the parse alone, for the typical ECDSA leaf.
func BenchmarkParse(b *testing.B) {
	ca := pkitest.NewCA(b, pkitest.Options{})
	data := ca.Issue(b, pkitest.LeafOptions{Subject: pkitest.PersonRU()}).PEM()
	b.ReportAllocs()
	defer reportCPU(b)()
	for b.Loop() {
		if _, err := pki.Parse(data); err != nil {
			b.Fatal(err)
		}
	}
}

// reportCPU adds the process CPU time per operation as "cpu-ns/op"; call
// the function it returns when the loop is done. Run with -cpu 1 so that
// it means one core.
func reportCPU(b *testing.B) func() {
	start := processCPU()
	return func() {
		if b.N > 0 {
			b.ReportMetric(float64(processCPU()-start)/float64(b.N), "cpu-ns/op")
		}
	}
}
