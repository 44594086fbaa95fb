package pkitest

import (
	"crypto/rand"
	"crypto/x509"
	"math/big"
	"net/http"
	"testing"
	"time"

	"paraph/pki"
)

// Revoke adds cert to the CA's revocation list, revoked at the given time.
func (ca *CA) Revoke(cert *pki.Certificate, at time.Time) {
	ca.mu.Lock()
	defer ca.mu.Unlock()
	ca.revoked = append(ca.revoked, x509.RevocationListEntry{
		SerialNumber:   new(big.Int).Set(cert.X509.SerialNumber),
		RevocationTime: at.UTC().Truncate(time.Second),
	})
}

// SetCRLDown makes the CA's CRL server answer 503 (down is true) or serve
// again, to test an unreachable CRL.
func (ca *CA) SetCRLDown(down bool) {
	ca.mu.Lock()
	defer ca.mu.Unlock()
	ca.crlDown = down
}

// CRLRequests counts the requests the CA's CRL server has answered.
func (ca *CA) CRLRequests() int {
	ca.mu.Lock()
	defer ca.mu.Unlock()
	return ca.crlRequests
}

// CRL returns the CA's current CRL in DER, with thisUpdate and nextUpdate
// as given, signed by the CA's key (GOST included).
func (ca *CA) CRL(tb testing.TB, thisUpdate, nextUpdate time.Time) []byte {
	tb.Helper()
	der, err := ca.makeCRL(thisUpdate, nextUpdate)
	if err != nil {
		tb.Fatalf("pkitest: CRL: %v", err)
	}
	return der
}

// makeCRL is CRL without a testing.TB, for the HTTP handler.
func (ca *CA) makeCRL(thisUpdate, nextUpdate time.Time) ([]byte, error) {
	ca.mu.Lock()
	entries := append([]x509.RevocationListEntry(nil), ca.revoked...)
	ca.mu.Unlock()
	tmpl := &x509.RevocationList{
		Number:                    big.NewInt(time.Now().UnixNano()),
		ThisUpdate:                thisUpdate,
		NextUpdate:                nextUpdate,
		RevokedCertificateEntries: entries,
	}
	if !isGOST(ca.Key) {
		return x509.CreateRevocationList(rand.Reader, tmpl, ca.tmpl, ca.Key)
	}
	// As for certificates: let x509 encode, then re-sign with GOST.
	dummy, err := generateKey(ECDSA)
	if err != nil {
		return nil, err
	}
	issuer := *ca.tmpl
	issuer.PublicKey = dummy.Public()
	raw, err := x509.CreateRevocationList(rand.Reader, tmpl, &issuer, dummy)
	if err != nil {
		return nil, err
	}
	crl, err := x509.ParseRevocationList(raw)
	if err != nil {
		return nil, err
	}
	// TBSCertList: version, signature, issuer, thisUpdate, ...
	elems, err := sequenceElements(crl.RawTBSRevocationList)
	if err != nil {
		return nil, err
	}
	alg, err := algorithmFor(ca.Key)
	if err != nil {
		return nil, err
	}
	elems[1] = alg
	tbs, err := sequence(elems)
	if err != nil {
		return nil, err
	}
	return signed(tbs, alg, ca.Key)
}

// serveCRL answers the CA's CRL server: a fresh CRL valid for an hour.
func (ca *CA) serveCRL(w http.ResponseWriter, r *http.Request) {
	ca.mu.Lock()
	ca.crlRequests++
	down := ca.crlDown
	ca.mu.Unlock()
	if down {
		http.Error(w, "CRL server down (test)", http.StatusServiceUnavailable)
		return
	}
	now := time.Now()
	der, err := ca.makeCRL(now.Add(-time.Minute), now.Add(time.Hour))
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/pkix-crl")
	w.Write(der)
}
