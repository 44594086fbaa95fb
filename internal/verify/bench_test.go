package verify_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"testing"
	"time"

	"paraph/cades"
	"paraph/internal/verify"
	"paraph/pki"
	"paraph/pki/pkitest"
)

// BenchmarkQualifiedSignature is the CMS work of the server for one
// qualified signature in the two-step flow, ECDSA P-256, without the
// database: the stored certificate parsed (at prepare, at complete and when
// the signer is bound), Prepare at both steps, Assemble, and Detached over
// the document against a long-lived trust store. The client's signing is
// done once, before the loop: Prepare is deterministic for a signing time.
//
//   - parse: every certificate parsed afresh (pki.Parse);
//   - cache: through one pki.Cache and one cades.SignatureCache, as a
//     server that keeps them does (the value Assemble checked is not
//     checked again).
func BenchmarkQualifiedSignature(b *testing.B) {
	b.Run("parse", func(b *testing.B) { benchmarkQualifiedSignature(b, nil, nil) })
	b.Run("cache", func(b *testing.B) {
		benchmarkQualifiedSignature(b, pki.NewCache(64), cades.NewSignatureCache(64))
	})
}

func benchmarkQualifiedSignature(b *testing.B, cache *pki.Cache, sigs *cades.SignatureCache) {
	root := pkitest.NewCA(b, pkitest.Options{})
	leaf := root.Issue(b, pkitest.LeafOptions{Subject: pkitest.PersonRU()})
	stored := leaf.PEM()
	ts := pki.NewTrustStore()
	if err := ts.AddRoot(root.Cert); err != nil {
		b.Fatal(err)
	}
	doc := bytes.Repeat([]byte("Акт № 1. "), 100)
	digest := sha256.Sum256(doc)
	ctx := context.Background()
	parseFunc := pki.Parse
	if cache != nil {
		parseFunc = cache.Parse
	}
	parse := func() *pki.Certificate {
		certs, err := parseFunc(stored)
		if err != nil {
			b.Fatal(err)
		}
		return certs[0]
	}
	at := time.Now()
	p, err := cades.Prepare(leaf.Cert.X509, digest[:], at)
	if err != nil {
		b.Fatal(err)
	}
	value, err := cades.SignPrepared(p, leaf.Key, cades.SignOptions{})
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		cert := parse()
		if _, err := cades.Prepare(cert.X509, digest[:], at); err != nil {
			b.Fatal(err)
		}
		cert = parse()
		parse()
		p, err := cades.Prepare(cert.X509, digest[:], at)
		if err != nil {
			b.Fatal(err)
		}
		cms, err := cades.AssembleWith(p, cert.X509, nil, value, cades.AssembleOptions{Signatures: sigs})
		if err != nil {
			b.Fatal(err)
		}
		rep, err := verify.Detached(ctx, bytes.NewReader(doc), cms, ts, verify.Options{Certificates: cache, Signatures: sigs})
		if err != nil {
			b.Fatal(err)
		}
		if rep.Result != verify.Passed {
			b.Fatalf("%s: %s", rep.Result, rep.Signatures[0].Message)
		}
	}
}
