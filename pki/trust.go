package pki

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"
)

// maxChainLength bounds chain building: real chains have 2 to 4
// certificates, and the bound stops loops and crafted mazes.
const maxChainLength = 8

// TrustStore holds the root certificates chains must end at, and the
// caches that make repeated verification cheap: verified signatures
// (child, issuer) and fetched CRLs. It is safe for concurrent use.
type TrustStore struct {
	// Fetcher fetches CRLs for VerifyOptions.CheckRevocation; nil means an
	// HTTPFetcher with its defaults. Set it before the store is used.
	Fetcher CRLFetcher
	// Now is the clock for CRL freshness (nextUpdate); nil means time.Now.
	Now func() time.Time

	mu        sync.RWMutex
	roots     []*Certificate
	bySubject map[string][]*Certificate // raw subject DER → roots

	sigs sigCache
	crls crlCache
}

// NewTrustStore returns an empty trust store.
func NewTrustStore() *TrustStore {
	return &TrustStore{bySubject: make(map[string][]*Certificate)}
}

// LoadTrustStore makes a trust store from certificate files (PEM, DER or
// .p7b, each possibly holding several roots) and folders (every .pem,
// .crt, .cer, .der, .p7b and .p7c file directly inside). A file that does
// not parse is an error naming it: a silently missing root would make
// every certificate under it "untrusted".
func LoadTrustStore(paths ...string) (*TrustStore, error) {
	ts := NewTrustStore()
	for _, p := range paths {
		info, err := os.Stat(p)
		if err != nil {
			return nil, fmt.Errorf("pki: trust store: %w", err)
		}
		files := []string{p}
		if info.IsDir() {
			entries, err := os.ReadDir(p)
			if err != nil {
				return nil, fmt.Errorf("pki: trust store: %w", err)
			}
			files = files[:0]
			for _, e := range entries {
				// Other files (a README, a key left there) are skipped.
				ext := strings.ToLower(filepath.Ext(e.Name()))
				if e.Type().IsRegular() && slices.Contains([]string{".pem", ".crt", ".cer", ".der", ".p7b", ".p7c"}, ext) {
					files = append(files, filepath.Join(p, e.Name()))
				}
			}
		}
		for _, f := range files {
			data, err := os.ReadFile(f)
			if err != nil {
				return nil, fmt.Errorf("pki: trust store: %w", err)
			}
			certs, err := Parse(data)
			if err != nil {
				return nil, fmt.Errorf("pki: trust store %s: %w", f, err)
			}
			for _, c := range certs {
				if err := ts.AddRoot(c); err != nil {
					return nil, fmt.Errorf("pki: trust store %s: %w", f, err)
				}
			}
		}
	}
	return ts, nil
}

// AddRoot adds a trusted root. A self-signed root whose own signature does
// not verify is refused (a damaged or forged file); one whose algorithm
// cannot be checked here (DSTU 4145) is kept, and chains through it report
// algorithm_unsupported. Adding a root twice is harmless.
func (ts *TrustStore) AddRoot(c *Certificate) error {
	if c == nil {
		return errors.New("pki: add root: nil certificate")
	}
	if bytes.Equal(c.X509.RawSubject, c.X509.RawIssuer) {
		if err := c.CheckSignatureFrom(c); errors.Is(err, ErrBadSignature) {
			return fmt.Errorf("pki: add root %s: self-signature: %w", c.CommonNameOrSubject(), err)
		}
	}
	ts.mu.Lock()
	defer ts.mu.Unlock()
	if ts.bySubject == nil {
		ts.bySubject = make(map[string][]*Certificate)
	}
	key := string(c.X509.RawSubject)
	for _, r := range ts.bySubject[key] {
		if r.fingerprint == c.fingerprint {
			return nil
		}
	}
	ts.roots = append(ts.roots, c)
	ts.bySubject[key] = append(ts.bySubject[key], c)
	return nil
}

// Roots returns the roots, in the order they were added.
func (ts *TrustStore) Roots() []*Certificate {
	ts.mu.RLock()
	defer ts.mu.RUnlock()
	return slices.Clone(ts.roots)
}

func (ts *TrustStore) isRoot(c *Certificate) bool {
	ts.mu.RLock()
	defer ts.mu.RUnlock()
	for _, r := range ts.bySubject[string(c.X509.RawSubject)] {
		if r.fingerprint == c.fingerprint {
			return true
		}
	}
	return false
}

func (ts *TrustStore) rootsFor(rawIssuer []byte) []*Certificate {
	ts.mu.RLock()
	defer ts.mu.RUnlock()
	return ts.bySubject[string(rawIssuer)]
}

func (ts *TrustStore) now() time.Time {
	if ts.Now != nil {
		return ts.Now()
	}
	return time.Now()
}

// VerifyOptions tune TrustStore.Verify.
type VerifyOptions struct {
	// CheckRevocation fetches the CRLs named in the chain's certificates
	// (http and https only) and checks every certificate but the root.
	// A CRL that cannot be fetched, verified or is past its nextUpdate, and
	// a certificate without an http(s) distribution point, give
	// revocation_unknown: revocation was required and is not known.
	CheckRevocation bool
}

// Verification is the result of TrustStore.Verify.
type Verification struct {
	// Chain is the leaf first, then its issuers; it ends at a root of the
	// store when Trusted, and where building stopped otherwise.
	Chain []*Certificate
	// Trusted reports a chain to a root with every signature valid and
	// every issuer allowed to issue. Dates and revocation are judged
	// separately, in Reason.
	Trusted bool
	// Reason is "" when everything passed at At; otherwise the first of:
	// bad_signature, algorithm_unsupported, untrusted, revoked, expired,
	// not_yet_valid, revocation_unknown.
	Reason Reason
	// Detail says which certificate failed and why, for logs and tooltips.
	Detail string
	// At is the time the chain was judged at.
	At time.Time
	// NotBefore and NotAfter bound the chain's common validity period
	// (latest NotBefore, earliest NotAfter); Certificate.Status uses them.
	NotBefore, NotAfter time.Time
	// RevocationChecked reports that every certificate below the root was
	// found on a valid CRL; RevokedAt is set when one was revoked.
	RevocationChecked bool
	RevokedAt         time.Time
}

// Verify builds a chain from leaf through intermediates (the upload's, in
// any order) to a root of the store and checks it at time at: every
// signature (GOST R 34.10-2012 included), that each issuer is a CA allowed
// to sign certificates, path length limits, the validity periods, and,
// with opts.CheckRevocation, the CRLs. It returns an error only when the
// check could not run (nil leaf, ctx done); an untrusted or revoked
// certificate is a Verification with a Reason.
func (ts *TrustStore) Verify(ctx context.Context, leaf *Certificate, intermediates []*Certificate, at time.Time, opts VerifyOptions) (*Verification, error) {
	if leaf == nil {
		return nil, errors.New("pki: verify: nil certificate")
	}
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("pki: verify: %w", err)
	}
	v := &Verification{At: at}
	b := chainBuilder{ts: ts, pool: make(map[string][]*Certificate, len(intermediates))}
	for _, c := range intermediates {
		if c != nil {
			k := string(c.X509.RawSubject)
			b.pool[k] = append(b.pool[k], c)
		}
	}
	chain, ok := b.build([]*Certificate{leaf})
	if !ok {
		v.Chain = b.longest
		if len(v.Chain) == 0 {
			v.Chain = []*Certificate{leaf}
		}
		v.Reason, v.Detail = b.failReason, b.failDetail
		if v.Reason == "" {
			v.Reason = ReasonUntrusted
			v.Detail = fmt.Sprintf("no issuer of %q among the roots and intermediates (issuer %q)", chainName(v.Chain[len(v.Chain)-1]), v.Chain[len(v.Chain)-1].Issuer)
		}
		v.NotBefore, v.NotAfter = chainValidity(v.Chain)
		return v, nil
	}
	v.Chain, v.Trusted = chain, true
	v.NotBefore, v.NotAfter = chainValidity(chain)
	if leaf.PublicKey == nil {
		v.Reason = ReasonAlgorithmUnsupported
		v.Detail = fmt.Sprintf("key algorithm %s of %q cannot be used here", leaf.KeyAlgorithm, chainName(leaf))
		return v, nil
	}
	if opts.CheckRevocation {
		if err := ts.checkChainRevocation(ctx, v); err != nil {
			return nil, err
		}
		if v.Reason == ReasonRevoked {
			return v, nil
		}
	}
	for _, c := range chain {
		switch {
		case at.Before(c.NotBefore):
			v.Reason, v.Detail = ReasonNotYetValid, fmt.Sprintf("%q is valid from %s", chainName(c), c.NotBefore.UTC().Format(time.RFC3339))
			return v, nil
		case at.After(c.NotAfter):
			v.Reason, v.Detail = ReasonExpired, fmt.Sprintf("%q expired %s", chainName(c), c.NotAfter.UTC().Format(time.RFC3339))
			return v, nil
		}
	}
	return v, nil
}

func chainName(c *Certificate) string {
	return c.CommonNameOrSubject()
}

func chainValidity(chain []*Certificate) (notBefore, notAfter time.Time) {
	for i, c := range chain {
		if i == 0 || c.NotBefore.After(notBefore) {
			notBefore = c.NotBefore
		}
		if i == 0 || c.NotAfter.Before(notAfter) {
			notAfter = c.NotAfter
		}
	}
	return notBefore, notAfter
}

// chainBuilder searches depth-first for a path to a root, roots tried
// before intermediates, remembering the most telling failure for when no
// path exists.
type chainBuilder struct {
	ts         *TrustStore
	pool       map[string][]*Certificate
	longest    []*Certificate
	failReason Reason
	failDetail string
}

// failRank orders failures by how much they say: a found issuer whose
// signature fails says more than no issuer at all.
func failRank(r Reason) int {
	switch r {
	case ReasonBadSignature:
		return 3
	case ReasonAlgorithmUnsupported:
		return 2
	case ReasonUntrusted:
		return 1
	}
	return 0
}

func (b *chainBuilder) fail(r Reason, detail string) {
	if failRank(r) > failRank(b.failReason) {
		b.failReason, b.failDetail = r, detail
	}
}

func (b *chainBuilder) build(path []*Certificate) ([]*Certificate, bool) {
	cur := path[len(path)-1]
	if len(path) > len(b.longest) {
		b.longest = slices.Clone(path)
	}
	if b.ts.isRoot(cur) {
		return path, true
	}
	if len(path) >= maxChainLength {
		return nil, false
	}
	for _, fromStore := range []bool{true, false} {
		cands := b.pool[string(cur.X509.RawIssuer)]
		if fromStore {
			cands = b.ts.rootsFor(cur.X509.RawIssuer)
		}
		for _, cand := range cands {
			if slices.ContainsFunc(path, func(c *Certificate) bool { return c.fingerprint == cand.fingerprint }) {
				continue
			}
			if len(cur.X509.AuthorityKeyId) > 0 && len(cand.X509.SubjectKeyId) > 0 &&
				!bytes.Equal(cur.X509.AuthorityKeyId, cand.X509.SubjectKeyId) {
				continue // same name, another key (a renewed CA)
			}
			if reason, detail := canIssue(cand, path, fromStore); reason != "" {
				b.fail(reason, detail)
				continue
			}
			if err := b.ts.checkSignatureCached(cur, cand); err != nil {
				r := ReasonBadSignature
				if errors.Is(err, ErrUnsupportedAlgorithm) {
					r = ReasonAlgorithmUnsupported
				}
				b.fail(r, err.Error())
				continue
			}
			if chain, ok := b.build(append(slices.Clip(path), cand)); ok {
				return chain, true
			}
		}
	}
	return nil, false
}

// canIssue checks that issuer may sign the last certificate of path: a CA
// (basicConstraints; a store root may be an old v1 certificate without
// them), keyCertSign if KeyUsage is present, and its path length limit.
func canIssue(issuer *Certificate, path []*Certificate, isRoot bool) (Reason, string) {
	x := issuer.X509
	if !(x.BasicConstraintsValid && x.IsCA) && !(isRoot && !x.BasicConstraintsValid) {
		return ReasonUntrusted, fmt.Sprintf("%q is not a CA certificate", chainName(issuer))
	}
	if x.KeyUsage != 0 && x.KeyUsage&keyUsageCertSign == 0 {
		return ReasonUntrusted, fmt.Sprintf("%q may not sign certificates (keyUsage)", chainName(issuer))
	}
	if x.BasicConstraintsValid && (x.MaxPathLen > 0 || x.MaxPathLenZero) {
		// Intermediates below issuer: path minus the leaf, not counting
		// self-issued ones (RFC 5280 section 6.1.4 (l)).
		n := 0
		for _, c := range path[1:] {
			if !bytes.Equal(c.X509.RawSubject, c.X509.RawIssuer) {
				n++
			}
		}
		if n > x.MaxPathLen {
			return ReasonUntrusted, fmt.Sprintf("%q allows %d intermediates below it, the chain has %d", chainName(issuer), x.MaxPathLen, n)
		}
	}
	return "", ""
}

// SplitChain picks the end-entity certificate out of an upload — a .p7b
// lists its certificates in any order — and returns it with the rest, to
// pass to Verify as intermediates. The leaf is a certificate that issued
// none of the others, a non-CA one preferred; failing that, the first.
func SplitChain(certs []*Certificate) (leaf *Certificate, others []*Certificate) {
	if len(certs) == 0 {
		return nil, nil
	}
	issuedOther := func(c *Certificate) bool {
		for _, d := range certs {
			if d != c && d.fingerprint != c.fingerprint && bytes.Equal(d.X509.RawIssuer, c.X509.RawSubject) {
				return true
			}
		}
		return false
	}
	pick := -1
	for i, c := range certs {
		if issuedOther(c) {
			continue
		}
		if pick < 0 || (certs[pick].IsCA && !c.IsCA) {
			pick = i
		}
	}
	if pick < 0 {
		pick = 0
	}
	others = make([]*Certificate, 0, len(certs)-1)
	others = append(others, certs[:pick]...)
	others = append(others, certs[pick+1:]...)
	return certs[pick], others
}
