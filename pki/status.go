package pki

import "time"

// Status is what Paraph shows for a certificate.
type Status string

// Certificate statuses (glossary: active, expiring, invalid).
const (
	StatusActive   Status = "active"   // valid, trusted, more than ExpiringWithin left
	StatusExpiring Status = "expiring" // as active, with ExpiringWithin or less left
	StatusInvalid  Status = "invalid"  // see the Reason
)

// ExpiringWithin is how close to its end a certificate is "expiring".
const ExpiringWithin = 30 * 24 * time.Hour

// Reason says why a certificate is invalid, or that it could not be
// decided (Indeterminate).
type Reason string

// Reasons.
const (
	ReasonExpired              Reason = "expired"
	ReasonNotYetValid          Reason = "not_yet_valid"
	ReasonRevoked              Reason = "revoked"
	ReasonUntrusted            Reason = "untrusted"             // no chain to a root of the trust store
	ReasonBadSignature         Reason = "bad_signature"         // a certificate in the chain does not verify
	ReasonAlgorithmUnsupported Reason = "algorithm_unsupported" // e.g. DSTU 4145: cannot be checked here
	ReasonRevocationUnknown    Reason = "revocation_unknown"    // revocation required but no usable CRL
)

// Indeterminate reports whether r means "could not be decided" rather than
// a proven failure (ETSI EN 319 102-1 INDETERMINATE): the certificate must
// not pass, but it is not known to be bad either.
func (r Reason) Indeterminate() bool {
	return r == ReasonAlgorithmUnsupported || r == ReasonRevocationUnknown
}

// Status derives the certificate's status at now from its validity period
// and from v, the result of TrustStore.Verify for it. It is computed when
// asked, never stored, so it cannot go stale.
//
// The validity period used is the chain's (v.NotBefore, v.NotAfter): a
// leaf is no longer usable once its intermediate has expired. Trust,
// signature and revocation reasons come from v and take precedence over
// time. With v nil, only the certificate's own dates are judged: callers
// that skip Verify must not present the result as trusted.
func (c *Certificate) Status(now time.Time, v *Verification) (Status, Reason) {
	notBefore, notAfter := c.NotBefore, c.NotAfter
	if v != nil {
		switch v.Reason {
		case ReasonBadSignature, ReasonAlgorithmUnsupported, ReasonUntrusted, ReasonRevoked:
			return StatusInvalid, v.Reason
		}
		if !v.NotAfter.IsZero() {
			notBefore, notAfter = v.NotBefore, v.NotAfter
		}
	}
	switch {
	case now.Before(notBefore):
		return StatusInvalid, ReasonNotYetValid
	case now.After(notAfter):
		return StatusInvalid, ReasonExpired
	case v != nil && v.Reason == ReasonRevocationUnknown:
		return StatusInvalid, ReasonRevocationUnknown
	case notAfter.Sub(now) <= ExpiringWithin:
		return StatusExpiring, ""
	}
	return StatusActive, ""
}
