package pki_test

import (
	"bytes"
	"encoding/pem"
	"reflect"
	"sync"
	"testing"

	"paraph/pki"
	"paraph/pki/pkitest"
)

// TestCacheParse: through a cache, every input gives what Parse gives —
// certificates equal field by field, or the same error — and a certificate
// parsed before comes back as the same value.
func TestCacheParse(t *testing.T) {
	root := pkitest.NewCA(t, pkitest.Options{})
	sub := root.NewIntermediate(t, pkitest.Options{Key: pkitest.GOST256})
	leaf := sub.Issue(t, pkitest.LeafOptions{Key: pkitest.GOST256, Subject: pkitest.PersonRU()})
	p7b := pkitest.P7B(t, leaf.DER(), sub.Cert.Raw, root.Cert.Raw)
	cache := pki.NewCache(16)
	for _, tc := range []struct {
		name string
		data []byte
	}{
		{"DER", leaf.DER()},
		{"PEM", leaf.PEM()},
		{"PEM chain", pkitest.PEM(leaf.Cert, sub.Cert, root.Cert)},
		{"p7b DER", p7b},
		{"p7b PEM", pem.EncodeToMemory(&pem.Block{Type: "PKCS7", Bytes: p7b})},
		{"empty", nil},
		{"truncated DER", leaf.DER()[:len(leaf.DER())/2]},
		{"corrupt DER", corrupt(leaf.DER())},
		{"PEM certificate and key", append(leaf.PEM(), leaf.KeyPEM(t)...)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			want, wantErr := pki.Parse(tc.data)
			for range 2 {
				got, err := cache.Parse(tc.data)
				if (err == nil) != (wantErr == nil) || (err != nil && err.Error() != wantErr.Error()) {
					t.Fatalf("error %v, Parse gives %v", err, wantErr)
				}
				if !reflect.DeepEqual(got, want) {
					t.Fatalf("certificates differ from Parse's")
				}
			}
		})
	}
	a, _ := cache.Parse(leaf.PEM())
	b, _ := cache.Parse(p7b)
	if a[0] != b[0] {
		t.Error("the same DER gave two values")
	}
	if c, _ := pki.Parse(leaf.PEM()); c[0] == a[0] {
		t.Error("Parse returned the cache's value")
	}
	if n := cache.Len(); n != 3 {
		t.Errorf("Len = %d, want 3 (leaf, intermediate, root)", n)
	}
}

func TestCacheBounded(t *testing.T) {
	ca := pkitest.NewCA(t, pkitest.Options{})
	cache := pki.NewCache(3)
	var ders [][]byte
	for range 5 {
		ders = append(ders, ca.Issue(t, pkitest.LeafOptions{}).DER())
	}
	for _, der := range ders {
		certs, err := cache.Parse(der)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(certs[0].Raw, der) {
			t.Fatal("wrong certificate")
		}
		if n := cache.Len(); n > 3 {
			t.Fatalf("Len = %d, more than the size 3", n)
		}
	}
}

// TestCacheConcurrent is for the race detector: goroutines parsing the
// same and different certificates through one cache.
func TestCacheConcurrent(t *testing.T) {
	ca := pkitest.NewCA(t, pkitest.Options{})
	var ders [][]byte
	for range 4 {
		ders = append(ders, ca.Issue(t, pkitest.LeafOptions{Subject: pkitest.PersonRU()}).PEM())
	}
	cache := pki.NewCache(2)
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Go(func() {
			for i := range 50 {
				certs, err := cache.Parse(ders[(g+i)%len(ders)])
				if err != nil {
					t.Error(err)
					return
				}
				if certs[0].INN != "771234567859" {
					t.Error("wrong certificate")
				}
			}
		})
	}
	wg.Wait()
}
