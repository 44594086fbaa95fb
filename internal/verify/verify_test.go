package verify_test

import (
	"bytes"
	"context"
	"crypto/x509"
	"reflect"
	"testing"
	"time"

	"paraph/cades"
	"paraph/internal/verify"
	"paraph/pki"
	"paraph/pki/pkitest"
)

// TestDetachedCache: the parse and signature caches change nothing in the
// report, for a signature that passes (its chain carried in the CMS) and
// for one over another file, checked twice so that the second check hits
// the caches.
func TestDetachedCache(t *testing.T) {
	root := pkitest.NewCA(t, pkitest.Options{})
	sub := root.NewIntermediate(t, pkitest.Options{})
	leaf := sub.Issue(t, pkitest.LeafOptions{Subject: pkitest.PersonRU()})
	ts := pki.NewTrustStore()
	if err := ts.AddRoot(root.Cert); err != nil {
		t.Fatal(err)
	}
	doc := []byte("Акт № 1")
	sig, err := cades.Sign(bytes.NewReader(doc), leaf.Cert.X509, leaf.Key,
		cades.SignOptions{Chain: []*x509.Certificate{sub.Cert.X509}})
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now().UTC()
	cache, sigs := pki.NewCache(8), cades.NewSignatureCache(8)
	for _, tc := range []struct {
		name, content, want string
	}{
		{"signed file", string(doc), verify.Passed},
		{"another file", "Акт № 2", verify.Failed},
	} {
		t.Run(tc.name, func(t *testing.T) {
			want, err := verify.Detached(context.Background(), bytes.NewReader([]byte(tc.content)), sig, ts, verify.Options{Now: now})
			if err != nil {
				t.Fatal(err)
			}
			if want.Result != tc.want {
				t.Fatalf("result %s, want %s: %s", want.Result, tc.want, want.Signatures[0].Message)
			}
			for range 2 {
				got, err := verify.Detached(context.Background(), bytes.NewReader([]byte(tc.content)), sig, ts, verify.Options{Now: now, Certificates: cache, Signatures: sigs})
				if err != nil {
					t.Fatal(err)
				}
				if !reflect.DeepEqual(got, want) {
					t.Fatalf("with the cache:\n%+v\nwithout:\n%+v", got, want)
				}
			}
		})
	}
	if n := cache.Len(); n != 2 {
		t.Errorf("cache holds %d certificates, want 2 (leaf and intermediate)", n)
	}
}
