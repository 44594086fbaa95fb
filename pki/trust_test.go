package pki_test

import (
	"bytes"
	"context"
	"crypto/x509"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"paraph/pki"
	"paraph/pki/pkitest"
)

func mustStore(t *testing.T, roots ...*pki.Certificate) *pki.TrustStore {
	t.Helper()
	ts := pki.NewTrustStore()
	for _, r := range roots {
		if err := ts.AddRoot(r); err != nil {
			t.Fatal(err)
		}
	}
	return ts
}

func mustVerify(t *testing.T, ts *pki.TrustStore, leaf *pki.Certificate, inter []*pki.Certificate, at time.Time, opts pki.VerifyOptions) *pki.Verification {
	t.Helper()
	v, err := ts.Verify(context.Background(), leaf, inter, at, opts)
	if err != nil {
		t.Fatalf("Verify: %v", err)
	}
	return v
}

// TestVerifyChains builds root → intermediate → leaf for every pairing of
// key types, GOST included, and checks that the chain verifies and that a
// forged leaf (same subject and issuer, another CA's key) does not.
func TestVerifyChains(t *testing.T) {
	keys := []pkitest.KeyType{pkitest.ECDSA, pkitest.RSA, pkitest.Ed25519, pkitest.GOST256, pkitest.GOST512}
	now := time.Now()
	for i, rootKey := range keys {
		subKey := keys[(i+1)%len(keys)]
		leafKey := keys[(i+3)%len(keys)]
		t.Run(string(rootKey)+"/"+string(subKey)+"/"+string(leafKey), func(t *testing.T) {
			root := pkitest.NewCA(t, pkitest.Options{Key: rootKey})
			sub := root.NewIntermediate(t, pkitest.Options{Key: subKey})
			leaf := sub.Issue(t, pkitest.LeafOptions{Key: leafKey, Subject: pkitest.PersonRU()})
			ts := mustStore(t, root.Cert)
			v := mustVerify(t, ts, leaf.Cert, []*pki.Certificate{sub.Cert}, now, pki.VerifyOptions{})
			if !v.Trusted || v.Reason != "" || len(v.Chain) != 3 || v.Chain[2] != root.Cert {
				t.Fatalf("Trusted %v Reason %q (%s), chain of %d", v.Trusted, v.Reason, v.Detail, len(v.Chain))
			}
			if st, r := leaf.Cert.Status(now, v); st != pki.StatusActive || r != "" {
				t.Errorf("Status %s %s", st, r)
			}
			// A modified intermediate: found by name and key id, but its
			// signature fails.
			v = mustVerify(t, ts, leaf.Cert, []*pki.Certificate{tamper(t, sub.Cert)}, now, pki.VerifyOptions{})
			if v.Trusted || v.Reason != pki.ReasonBadSignature {
				t.Errorf("tampered intermediate: Trusted %v Reason %q (%s)", v.Trusted, v.Reason, v.Detail)
			}
			// Same names, another root key: no path (key ids differ).
			impostor := pkitest.NewCA(t, pkitest.Options{Key: rootKey}).NewIntermediate(t, pkitest.Options{Key: subKey})
			v = mustVerify(t, ts, impostor.Cert, nil, now, pki.VerifyOptions{})
			if v.Trusted || v.Reason != pki.ReasonUntrusted {
				t.Errorf("impostor intermediate: Trusted %v Reason %q (%s)", v.Trusted, v.Reason, v.Detail)
			}
		})
	}
}

func TestVerifyReasons(t *testing.T) {
	now := time.Now()
	root := pkitest.NewCA(t, pkitest.Options{Key: pkitest.GOST256})
	sub := root.NewIntermediate(t, pkitest.Options{Key: pkitest.GOST256})
	ts := mustStore(t, root.Cert)
	inter := []*pki.Certificate{sub.Cert}
	issue := func(o pkitest.LeafOptions) *pki.Certificate { o.Key = pkitest.GOST256; return sub.Issue(t, o).Cert }

	expired := issue(pkitest.LeafOptions{NotBefore: now.Add(-48 * time.Hour), NotAfter: now.Add(-10 * time.Minute)})
	future := issue(pkitest.LeafOptions{NotBefore: now.Add(time.Hour), NotAfter: now.Add(48 * time.Hour)})
	expiring := issue(pkitest.LeafOptions{NotAfter: now.Add(10 * 24 * time.Hour)})
	edge := issue(pkitest.LeafOptions{NotAfter: now.Add(pki.ExpiringWithin)})
	active := issue(pkitest.LeafOptions{NotAfter: now.Add(pki.ExpiringWithin + time.Hour)})
	other := pkitest.NewCA(t, pkitest.Options{Name: "Other CA"}).Issue(t, pkitest.LeafOptions{}).Cert
	tampered := tamper(t, active)

	for _, tc := range []struct {
		name   string
		cert   *pki.Certificate
		inter  []*pki.Certificate
		status pki.Status
		reason pki.Reason
	}{
		{"active", active, inter, pki.StatusActive, ""},
		{"expiring", expiring, inter, pki.StatusExpiring, ""},
		{"30 days left is expiring", edge, inter, pki.StatusExpiring, ""},
		{"expired", expired, inter, pki.StatusInvalid, pki.ReasonExpired},
		{"not yet valid", future, inter, pki.StatusInvalid, pki.ReasonNotYetValid},
		{"no intermediate", active, nil, pki.StatusInvalid, pki.ReasonUntrusted},
		{"other CA", other, inter, pki.StatusInvalid, pki.ReasonUntrusted},
		{"tampered", tampered, inter, pki.StatusInvalid, pki.ReasonBadSignature},
		{"root itself", root.Cert, nil, pki.StatusActive, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			v := mustVerify(t, ts, tc.cert, tc.inter, now, pki.VerifyOptions{})
			st, r := tc.cert.Status(now, v)
			if st != tc.status || r != tc.reason {
				t.Errorf("Status = %s %q, want %s %q (verification: trusted %v, %q: %s)", st, r, tc.status, tc.reason, v.Trusted, v.Reason, v.Detail)
			}
		})
	}

	// Status is derived from the clock: the same Verification reads
	// differently later.
	v := mustVerify(t, ts, active, inter, now, pki.VerifyOptions{})
	if st, _ := active.Status(now.Add(2*time.Hour), v); st != pki.StatusExpiring {
		t.Errorf("two hours later: %s, want expiring", st)
	}
	if st, r := active.Status(now.Add(pki.ExpiringWithin+2*time.Hour), v); st != pki.StatusInvalid || r != pki.ReasonExpired {
		t.Errorf("after NotAfter: %s %s", st, r)
	}
	// Without a Verification only dates are judged.
	if st, r := expired.Status(now, nil); st != pki.StatusInvalid || r != pki.ReasonExpired {
		t.Errorf("nil verification: %s %s", st, r)
	}
	// An intermediate that expires before the leaf bounds the chain.
	shortSub := root.NewIntermediate(t, pkitest.Options{Key: pkitest.GOST256, NotAfter: now.Add(5 * 24 * time.Hour)})
	leaf := shortSub.Issue(t, pkitest.LeafOptions{Key: pkitest.GOST256}).Cert
	v = mustVerify(t, ts, leaf, []*pki.Certificate{shortSub.Cert}, now, pki.VerifyOptions{})
	if st, _ := leaf.Status(now, v); st != pki.StatusExpiring || !v.NotAfter.Equal(shortSub.Cert.NotAfter) {
		t.Errorf("short intermediate: %s, chain NotAfter %s", st, v.NotAfter)
	}
	// A signature made at a past time is judged at that time.
	v = mustVerify(t, ts, expired, inter, now.Add(-30*time.Minute), pki.VerifyOptions{})
	if v.Reason != "" || !v.Trusted {
		t.Errorf("expired, judged while valid: %q %s", v.Reason, v.Detail)
	}
}

// tamper changes the last byte of the serial number, keeping the DER and
// the names valid, so that the signature no longer matches.
func tamper(t *testing.T, c *pki.Certificate) *pki.Certificate {
	t.Helper()
	raw := bytes.Clone(c.Raw)
	// 30 82 LL LL | 30 82 LL LL | A0 03 02 01 02 | 02 len serial...
	if raw[1] != 0x82 || raw[5] != 0x82 || raw[8] != 0xA0 || raw[13] != 0x02 {
		t.Fatal("unexpected certificate layout")
	}
	raw[15+int(raw[14])-1] ^= 0x01
	certs, err := pki.Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	return certs[0]
}

func TestVerifyIssuerRules(t *testing.T) {
	now := time.Now()
	root := pkitest.NewCA(t, pkitest.Options{})
	ts := mustStore(t, root.Cert)
	// A leaf (not a CA) cannot issue, even with the right key.
	notCA := root.Issue(t, pkitest.LeafOptions{Subject: pkitest.Subject{CommonName: "Paraph Test Intermediate CA"}})
	child := root.NewIntermediate(t, pkitest.Options{}).Issue(t, pkitest.LeafOptions{})
	v := mustVerify(t, ts, child.Cert, []*pki.Certificate{notCA.Cert}, now, pki.VerifyOptions{})
	if v.Trusted {
		t.Errorf("a non-CA issuer was accepted")
	}
	if err := ts.AddRoot(tamper(t, root.Cert)); !errors.Is(err, pki.ErrBadSignature) {
		t.Errorf("AddRoot of a root with a broken self-signature: %v", err)
	}
	if _, err := ts.Verify(context.Background(), nil, nil, now, pki.VerifyOptions{}); err == nil {
		t.Error("Verify(nil) gave no error")
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := ts.Verify(ctx, child.Cert, nil, now, pki.VerifyOptions{}); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled context: %v", err)
	}
}

func TestLoadTrustStore(t *testing.T) {
	r1 := pkitest.NewCA(t, pkitest.Options{Name: "Root One"})
	r2 := pkitest.NewCA(t, pkitest.Options{Name: "Root Two", Key: pkitest.GOST512})
	r3 := pkitest.NewCA(t, pkitest.Options{Name: "Root Three", Key: pkitest.RSA})
	dir := t.TempDir()
	must := func(err error) {
		if err != nil {
			t.Fatal(err)
		}
	}
	must(os.WriteFile(filepath.Join(dir, "bundle.pem"), pkitest.PEM(r1.Cert, r2.Cert), 0o644))
	must(os.WriteFile(filepath.Join(dir, "three.cer"), r3.Cert.Raw, 0o644))
	must(os.WriteFile(filepath.Join(dir, "README.txt"), []byte("not a certificate"), 0o644))
	ts, err := pki.LoadTrustStore(dir, filepath.Join(dir, "three.cer"))
	must(err)
	if n := len(ts.Roots()); n != 3 {
		t.Errorf("%d roots, want 3", n)
	}
	must(os.WriteFile(filepath.Join(dir, "bad.pem"), []byte("junk"), 0o644))
	if _, err := pki.LoadTrustStore(dir); err == nil || !strings.Contains(err.Error(), "bad.pem") {
		t.Errorf("bad file: %v", err)
	}
	if _, err := pki.LoadTrustStore(filepath.Join(dir, "missing")); err == nil {
		t.Error("missing path: no error")
	}
}

func TestRevocation(t *testing.T) {
	for _, key := range []pkitest.KeyType{pkitest.ECDSA, pkitest.GOST256} {
		t.Run(string(key), func(t *testing.T) {
			now := time.Now()
			root := pkitest.NewCA(t, pkitest.Options{Key: key, ServeCRL: true})
			sub := root.NewIntermediate(t, pkitest.Options{Key: key, ServeCRL: true})
			good := sub.Issue(t, pkitest.LeafOptions{Key: key})
			bad := sub.Issue(t, pkitest.LeafOptions{Key: key})
			sub.Revoke(bad.Cert, now.Add(-time.Minute))
			ts := mustStore(t, root.Cert)
			inter := []*pki.Certificate{sub.Cert}
			opts := pki.VerifyOptions{CheckRevocation: true}

			v := mustVerify(t, ts, good.Cert, inter, now, opts)
			if v.Reason != "" || !v.RevocationChecked {
				t.Errorf("good: %q %s", v.Reason, v.Detail)
			}
			v = mustVerify(t, ts, bad.Cert, inter, now, opts)
			if st, r := bad.Cert.Status(now, v); st != pki.StatusInvalid || r != pki.ReasonRevoked || v.RevokedAt.IsZero() {
				t.Errorf("revoked: %s %q (%s)", st, r, v.Detail)
			}
			// Without CheckRevocation nothing is fetched.
			requests := sub.CRLRequests()
			if v := mustVerify(t, ts, bad.Cert, inter, now, pki.VerifyOptions{}); v.Reason != "" {
				t.Errorf("no revocation check: %q", v.Reason)
			}
			// The cached CRL is used until its nextUpdate.
			mustVerify(t, ts, good.Cert, inter, now, opts)
			if got := sub.CRLRequests(); got != requests {
				t.Errorf("CRL fetched %d more times despite the cache", got-requests)
			}
			// An unreachable CRL: neither pass nor revoked.
			fresh := mustStore(t, root.Cert)
			sub.SetCRLDown(true)
			v = mustVerify(t, fresh, good.Cert, inter, now, opts)
			if st, r := good.Cert.Status(now, v); st != pki.StatusInvalid || r != pki.ReasonRevocationUnknown || !r.Indeterminate() {
				t.Errorf("CRL down: %s %q (%s)", st, r, v.Detail)
			}
			sub.SetCRLDown(false)
		})
	}
}

func TestRevocationCRLChecks(t *testing.T) {
	now := time.Now()
	root := pkitest.NewCA(t, pkitest.Options{})
	sub := root.NewIntermediate(t, pkitest.Options{})
	other := pkitest.NewCA(t, pkitest.Options{Name: "Paraph Test Intermediate CA"}) // same name as sub
	var serve []byte
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.Write(serve) }))
	t.Cleanup(srv.Close)
	leaf := sub.Issue(t, pkitest.LeafOptions{CRLURLs: []string{"ldap://ldap.example/crl", srv.URL + "/sub.crl"}})
	inter := []*pki.Certificate{sub.Cert}
	opts := pki.VerifyOptions{CheckRevocation: true}
	for _, tc := range []struct {
		name string
		crl  []byte
		want pki.Reason
	}{
		{"signed by another key", other.CRL(t, now.Add(-time.Minute), now.Add(time.Hour)), pki.ReasonRevocationUnknown},
		{"stale", sub.CRL(t, now.Add(-2*time.Hour), now.Add(-time.Hour)), pki.ReasonRevocationUnknown},
		{"garbage", []byte("not a CRL"), pki.ReasonRevocationUnknown},
		{"good", sub.CRL(t, now.Add(-time.Minute), now.Add(time.Hour)), ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			serve = tc.crl
			ts := mustStore(t, root.Cert)
			v := mustVerify(t, ts, leaf.Cert, inter, now, opts)
			// The intermediate has no CRL distribution point: the leaf's
			// own check decides the first reason.
			if v.Reason != tc.want && !(tc.want == "" && v.Reason == pki.ReasonRevocationUnknown && strings.Contains(v.Detail, "Intermediate")) {
				t.Errorf("Reason %q (%s), want %q", v.Reason, v.Detail, tc.want)
			}
		})
	}
	// The cache honours nextUpdate: the store's clock passes it, the CRL is
	// fetched again (once).
	clock := now
	serve = sub.CRL(t, now.Add(-time.Minute), now.Add(10*time.Minute))
	ts := mustStore(t, root.Cert)
	ts.Now = func() time.Time { return clock }
	fetches := 0
	ts.Fetcher = fetcherFunc(func(ctx context.Context, url string) ([]byte, error) {
		fetches++
		return (&pki.HTTPFetcher{}).FetchCRL(ctx, url)
	})
	mustVerify(t, ts, leaf.Cert, inter, now, opts)
	mustVerify(t, ts, leaf.Cert, inter, now, opts)
	clock = now.Add(20 * time.Minute)
	serve = sub.CRL(t, now.Add(15*time.Minute), now.Add(time.Hour))
	mustVerify(t, ts, leaf.Cert, inter, now, opts)
	if v := mustVerify(t, ts, leaf.Cert, inter, now, opts); fetches != 2 || !strings.Contains(v.Detail, "Intermediate") {
		t.Errorf("%d fetches, want 2; %q %s", fetches, v.Reason, v.Detail)
	}

	// Only http and https are fetched, whatever the fetcher.
	f := &pki.HTTPFetcher{}
	if _, err := f.FetchCRL(context.Background(), "file:///etc/passwd"); err == nil {
		t.Error("file:// URL fetched")
	}
	// The size cap holds.
	big := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Write(bytes.Repeat([]byte{0x30}, 2048))
	}))
	t.Cleanup(big.Close)
	if _, err := (&pki.HTTPFetcher{MaxSize: 1024}).FetchCRL(context.Background(), big.URL); err == nil {
		t.Error("oversize CRL accepted")
	}
	_ = x509.KeyUsageCRLSign
}

type fetcherFunc func(ctx context.Context, url string) ([]byte, error)

func (f fetcherFunc) FetchCRL(ctx context.Context, url string) ([]byte, error) { return f(ctx, url) }

// TestDSTU4145 checks that a Ukrainian DSTU 4145 certificate parses, is
// named, and is reported algorithm_unsupported — never a false pass.
func TestDSTU4145(t *testing.T) {
	root := pkitest.NewCA(t, pkitest.Options{})
	leaf := root.Issue(t, pkitest.LeafOptions{Key: pkitest.DSTU4145, Subject: pkitest.PersonUA()})
	c := mustParseOne(t, leaf.PEM())
	if c.KeyAlgorithm != "DSTU 4145" || c.PublicKey != nil || c.EDRPOU != "12345678" {
		t.Fatalf("KeyAlgorithm %q PublicKey %T EDRPOU %q", c.KeyAlgorithm, c.PublicKey, c.EDRPOU)
	}
	v := mustVerify(t, mustStore(t, root.Cert), c, nil, time.Now(), pki.VerifyOptions{})
	st, r := c.Status(time.Now(), v)
	if st != pki.StatusInvalid || r != pki.ReasonAlgorithmUnsupported || !r.Indeterminate() {
		t.Errorf("Status %s %q (%s)", st, r, v.Detail)
	}
	// A DSTU "root" is kept, and what it signs cannot be checked.
	dstuRoot := leaf.Cert
	child := mustParseOne(t, root.Issue(t, pkitest.LeafOptions{}).PEM())
	ts := pki.NewTrustStore()
	if err := ts.AddRoot(dstuRoot); err != nil {
		t.Fatal(err)
	}
	if err := child.CheckSignatureFrom(dstuRoot); !errors.Is(err, pki.ErrUnsupportedAlgorithm) {
		t.Errorf("CheckSignatureFrom a DSTU key: %v", err)
	}
}

func TestSplitChain(t *testing.T) {
	root := pkitest.NewCA(t, pkitest.Options{})
	sub := root.NewIntermediate(t, pkitest.Options{})
	leaf := sub.Issue(t, pkitest.LeafOptions{Subject: pkitest.PersonRU()})
	// A .p7b in root-first order, as some CAs export it.
	certs, err := pki.Parse(pkitest.P7B(t, root.Cert.Raw, leaf.DER(), sub.Cert.Raw))
	if err != nil {
		t.Fatal(err)
	}
	got, others := pki.SplitChain(certs)
	if !bytes.Equal(got.Raw, leaf.DER()) || len(others) != 2 {
		t.Fatalf("leaf %q, %d others", got.CommonName, len(others))
	}
	v := mustVerify(t, mustStore(t, root.Cert), got, others, time.Now(), pki.VerifyOptions{})
	if !v.Trusted || len(v.Chain) != 3 {
		t.Errorf("trusted %v, chain %d: %s", v.Trusted, len(v.Chain), v.Detail)
	}
	if l, o := pki.SplitChain(nil); l != nil || o != nil {
		t.Error("SplitChain(nil)")
	}
	if l, _ := pki.SplitChain([]*pki.Certificate{root.Cert}); l != root.Cert {
		t.Error("a lone root is its own leaf")
	}
}

// TestVerifyConcurrent shares one store between goroutines (run with
// -race): the signature and CRL caches are written concurrently.
func TestVerifyConcurrent(t *testing.T) {
	root := pkitest.NewCA(t, pkitest.Options{ServeCRL: true})
	sub := root.NewIntermediate(t, pkitest.Options{Key: pkitest.GOST256CryptoPro, ServeCRL: true})
	ts := mustStore(t, root.Cert)
	var leaves []*pki.Certificate
	for range 4 {
		leaves = append(leaves, sub.Issue(t, pkitest.LeafOptions{Key: pkitest.GOST256CryptoPro}).Cert)
	}
	sub.Revoke(leaves[3], time.Now().Add(-time.Minute))
	done := make(chan error)
	for g := range 8 {
		go func() {
			leaf := leaves[g%4]
			v, err := ts.Verify(context.Background(), leaf, []*pki.Certificate{sub.Cert}, time.Now(), pki.VerifyOptions{CheckRevocation: true})
			if err == nil && (v.Reason == pki.ReasonRevoked) != (leaf == leaves[3]) {
				err = errors.New("wrong revocation result: " + string(v.Reason) + " " + v.Detail)
			}
			done <- err
		}()
	}
	for range 8 {
		if err := <-done; err != nil {
			t.Error(err)
		}
	}
}
