package pki

import (
	"bytes"
	"context"
	"crypto/sha256"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"sync"
	"time"
)

// MaxCRLSize caps a fetched CRL: big CAs publish CRLs of a few MiB, and
// the cap keeps a hostile server from exhausting memory.
const MaxCRLSize = 20 << 20

// crlCacheFor is how long a CRL without nextUpdate is kept.
const crlCacheFor = time.Hour

// CRLFetcher gets the bytes of a CRL (DER or PEM) from a URL. Tests can
// serve CRLs from an httptest server through HTTPFetcher, or plug in
// another implementation.
type CRLFetcher interface {
	FetchCRL(ctx context.Context, url string) ([]byte, error)
}

// HTTPFetcher fetches CRLs over http and https, honouring ctx, with a
// timeout and a size cap.
type HTTPFetcher struct {
	Client  *http.Client  // nil: http.DefaultClient's transport with Timeout
	Timeout time.Duration // per fetch; 15 s when zero
	MaxSize int64         // MaxCRLSize when zero
}

// FetchCRL gets url, which must be http:// or https://.
func (f *HTTPFetcher) FetchCRL(ctx context.Context, rawURL string) ([]byte, error) {
	if !isHTTPURL(rawURL) {
		return nil, fmt.Errorf("pki: fetch CRL %q: only http and https URLs", rawURL)
	}
	timeout, max := f.Timeout, f.MaxSize
	if timeout <= 0 {
		timeout = 15 * time.Second
	}
	if max <= 0 {
		max = MaxCRLSize
	}
	client := f.Client
	if client == nil {
		client = &http.Client{Timeout: timeout}
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, rawURL, nil)
	if err != nil {
		return nil, fmt.Errorf("pki: fetch CRL: %w", err)
	}
	resp, err := client.Do(req)
	if err != nil {
		return nil, fmt.Errorf("pki: fetch CRL: %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("pki: fetch CRL %s: HTTP %s", rawURL, resp.Status)
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, max+1))
	if err != nil {
		return nil, fmt.Errorf("pki: fetch CRL %s: %w", rawURL, err)
	}
	if int64(len(body)) > max {
		return nil, fmt.Errorf("pki: fetch CRL %s: larger than %d bytes", rawURL, max)
	}
	return body, nil
}

func isHTTPURL(s string) bool {
	u, err := url.Parse(s)
	return err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != ""
}

// crlCache keeps parsed CRLs by URL until their nextUpdate.
type crlCache struct {
	mu      sync.Mutex
	entries map[string]*cachedCRL
}

type cachedCRL struct {
	list       *x509.RevocationList
	revoked    map[string]time.Time // serial bytes → revocation time
	freshUntil time.Time
	// verifiedBy holds fingerprints of issuers whose key verified this
	// CRL, so that the signature is checked once per fetch.
	mu         sync.Mutex
	verifiedBy map[[sha256.Size]byte]bool
}

// fetchCRL returns the CRL at url from the cache while fresh, fetching and
// parsing it otherwise.
func (ts *TrustStore) fetchCRL(ctx context.Context, url string) (*cachedCRL, error) {
	now := ts.now()
	ts.crls.mu.Lock()
	e := ts.crls.entries[url]
	ts.crls.mu.Unlock()
	if e != nil && now.Before(e.freshUntil) {
		return e, nil
	}
	fetcher := ts.Fetcher
	if fetcher == nil {
		fetcher = &HTTPFetcher{}
	}
	data, err := fetcher.FetchCRL(ctx, url)
	if err != nil {
		return nil, err
	}
	if bytes.HasPrefix(bytes.TrimSpace(data), []byte("-----BEGIN")) {
		block, _ := pem.Decode(bytes.TrimSpace(data))
		if block == nil || block.Type != "X509 CRL" {
			return nil, fmt.Errorf("pki: CRL %s: PEM without an X509 CRL block", url)
		}
		data = block.Bytes
	}
	list, err := x509.ParseRevocationList(data)
	if err != nil {
		return nil, fmt.Errorf("pki: CRL %s: %w", url, err)
	}
	e = &cachedCRL{list: list, revoked: make(map[string]time.Time, len(list.RevokedCertificateEntries)),
		verifiedBy: make(map[[sha256.Size]byte]bool)}
	for _, r := range list.RevokedCertificateEntries {
		if r.SerialNumber != nil {
			e.revoked[serialKey(r.SerialNumber.Bytes(), r.SerialNumber.Sign())] = r.RevocationTime
		}
	}
	e.freshUntil = list.NextUpdate
	if e.freshUntil.IsZero() {
		e.freshUntil = now.Add(crlCacheFor)
	}
	ts.crls.mu.Lock()
	if ts.crls.entries == nil {
		ts.crls.entries = make(map[string]*cachedCRL)
	}
	ts.crls.entries[url] = e
	ts.crls.mu.Unlock()
	return e, nil
}

func serialKey(b []byte, sign int) string {
	if sign < 0 {
		return "-" + string(b)
	}
	return string(b)
}

// checkChainRevocation checks every certificate of v.Chain but the root
// against its issuer's CRL, setting v.Reason to revoked or
// revocation_unknown. It fails only when ctx is done.
func (ts *TrustStore) checkChainRevocation(ctx context.Context, v *Verification) error {
	for i := 0; i+1 < len(v.Chain); i++ {
		revokedAt, revoked, err := ts.checkRevocation(ctx, v.Chain[i], v.Chain[i+1])
		if ctxErr := ctx.Err(); ctxErr != nil {
			return fmt.Errorf("pki: verify: revocation: %w", ctxErr)
		}
		switch {
		case revoked:
			v.Reason, v.RevokedAt = ReasonRevoked, revokedAt
			v.Detail = fmt.Sprintf("%q revoked %s", chainName(v.Chain[i]), revokedAt.UTC().Format(time.RFC3339))
			return nil
		case err != nil && v.Reason == "":
			v.Reason, v.Detail = ReasonRevocationUnknown, err.Error()
		}
	}
	v.RevocationChecked = v.Reason == ""
	return nil
}

// checkRevocation looks cert up on the first usable CRL among its
// distribution points, verified with issuer's key.
func (ts *TrustStore) checkRevocation(ctx context.Context, cert, issuer *Certificate) (time.Time, bool, error) {
	var errs []error
	tried := 0
	for _, u := range cert.X509.CRLDistributionPoints {
		if !isHTTPURL(u) {
			continue // ldap:// and file:// are not fetched
		}
		tried++
		e, err := ts.fetchCRL(ctx, u)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		if err := e.usableFor(issuer, ts.now()); err != nil {
			errs = append(errs, fmt.Errorf("pki: CRL %s: %w", u, err))
			continue
		}
		at, revoked := e.revoked[serialKey(cert.X509.SerialNumber.Bytes(), cert.X509.SerialNumber.Sign())]
		return at, revoked, nil
	}
	if tried == 0 {
		return time.Time{}, false, fmt.Errorf("pki: %q has no http CRL distribution point", chainName(cert))
	}
	return time.Time{}, false, errors.Join(errs...)
}

// usableFor checks that the CRL was issued and signed by issuer and is not
// past its nextUpdate.
func (e *cachedCRL) usableFor(issuer *Certificate, now time.Time) error {
	if !bytes.Equal(e.list.RawIssuer, issuer.X509.RawSubject) {
		return errors.New("issued by another name than the certificate's issuer (indirect CRLs are not supported)")
	}
	if ku := issuer.X509.KeyUsage; ku != 0 && ku&x509.KeyUsageCRLSign == 0 {
		return fmt.Errorf("issuer %q may not sign CRLs (keyUsage)", chainName(issuer))
	}
	if !e.list.NextUpdate.IsZero() && now.After(e.list.NextUpdate) {
		return fmt.Errorf("stale: nextUpdate %s has passed", e.list.NextUpdate.UTC().Format(time.RFC3339))
	}
	e.mu.Lock()
	ok := e.verifiedBy[issuer.fingerprint]
	e.mu.Unlock()
	if ok {
		return nil
	}
	if err := checkSignature(issuer, e.list.SignatureAlgorithm, e.list.Raw, e.list.RawTBSRevocationList, e.list.Signature); err != nil {
		return fmt.Errorf("signature: %w", err)
	}
	e.mu.Lock()
	e.verifiedBy[issuer.fingerprint] = true
	e.mu.Unlock()
	return nil
}
