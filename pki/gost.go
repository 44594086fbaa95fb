package pki

import (
	"crypto/x509"
	"encoding/asn1"
	"errors"
	"fmt"

	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"

	"paraph/gost"
)

// Key algorithm OIDs crypto/x509 does not know.
var (
	oidGOST2001Key = asn1.ObjectIdentifier{1, 2, 643, 2, 2, 19}
	// DSTU 4145 (Ukraine): 1.2.804.2.1.1.1.1.3.1.1 (little-endian) and
	// ...3.1.2 (big-endian) share this prefix.
	oidDSTU4145Prefix = asn1.ObjectIdentifier{1, 2, 804, 2, 1, 1, 1, 1, 3, 1}
)

// fillOtherKey handles the keys crypto/x509 leaves nil: GOST R 34.10-2012
// (parsed with package gost), and recognised but unusable ones.
func (c *Certificate) fillOtherKey() error {
	oid, err := spkiAlgorithm(c.X509.RawSubjectPublicKeyInfo)
	if err != nil {
		return fmt.Errorf("public key: %w: %v", ErrMalformed, err)
	}
	switch {
	case oid.Equal(gost.OIDPublicKey256), oid.Equal(gost.OIDPublicKey512):
		pub, err := gost.ParsePKIXPublicKey(c.X509.RawSubjectPublicKeyInfo)
		if err != nil {
			return fmt.Errorf("GOST public key: %w: %v", ErrMalformed, err)
		}
		c.PublicKey = pub
		c.KeyAlgorithm = fmt.Sprintf("GOST R 34.10-2012 %d", pub.Curve.PointSize*8)
		c.KeyParameterSet = pub.Curve.Name
	case oid.Equal(oidGOST2001Key):
		c.KeyAlgorithm = "GOST R 34.10-2001"
	case len(oid) > len(oidDSTU4145Prefix) && oid[:len(oidDSTU4145Prefix)].Equal(oidDSTU4145Prefix):
		c.KeyAlgorithm = "DSTU 4145"
	default:
		c.KeyAlgorithm = "unknown (" + oid.String() + ")"
	}
	return nil
}

// spkiAlgorithm returns the algorithm OID of a SubjectPublicKeyInfo.
func spkiAlgorithm(spki []byte) (asn1.ObjectIdentifier, error) {
	s := cryptobyte.String(spki)
	var body, alg cryptobyte.String
	var oid asn1.ObjectIdentifier
	if !s.ReadASN1(&body, cbasn1.SEQUENCE) || !body.ReadASN1(&alg, cbasn1.SEQUENCE) ||
		!alg.ReadASN1ObjectIdentifier(&oid) {
		return nil, errors.New("malformed SubjectPublicKeyInfo")
	}
	return oid, nil
}

// outerSignatureOID returns the signatureAlgorithm OID of a signed
// structure SEQUENCE { tbs, AlgorithmIdentifier, BIT STRING }: a
// certificate or a CRL. crypto/x509 reports GOST ones only as Unknown.
func outerSignatureOID(raw []byte) (asn1.ObjectIdentifier, error) {
	s := cryptobyte.String(raw)
	var body, alg cryptobyte.String
	var oid asn1.ObjectIdentifier
	if !s.ReadASN1(&body, cbasn1.SEQUENCE) || !body.SkipASN1(cbasn1.SEQUENCE) ||
		!body.ReadASN1(&alg, cbasn1.SEQUENCE) || !alg.ReadASN1ObjectIdentifier(&oid) {
		return nil, errors.New("malformed signed structure")
	}
	return oid, nil
}

// CheckSignatureFrom checks that parent's key made c's signature: with
// crypto/x509 for RSA, ECDSA and Ed25519, and with package gost for
// GOST R 34.10-2012 (Streebog of the DER TBSCertificate, signature s||r).
// It checks the signature only: whether parent may issue certificates is
// the chain's business (TrustStore.Verify). Errors wrap ErrBadSignature or
// ErrUnsupportedAlgorithm.
func (c *Certificate) CheckSignatureFrom(parent *Certificate) error {
	if err := checkSignature(parent, c.X509.SignatureAlgorithm, c.Raw, c.X509.RawTBSCertificate, c.X509.Signature); err != nil {
		return fmt.Errorf("pki: certificate %s signed by %s: %w", c.SerialHex, parent.CommonNameOrSubject(), err)
	}
	return nil
}

// CommonNameOrSubject names the certificate for messages.
func (c *Certificate) CommonNameOrSubject() string {
	if c.CommonName != "" {
		return c.CommonName
	}
	return c.Subject
}

// checkSignature verifies sig over tbs with issuer's key; raw is the whole
// signed structure, read for the algorithm OID when alg is Unknown.
func checkSignature(issuer *Certificate, alg x509.SignatureAlgorithm, raw, tbs, sig []byte) error {
	if alg != x509.UnknownSignatureAlgorithm {
		if issuer.PublicKey == nil {
			return fmt.Errorf("issuer key %s: %w", issuer.KeyAlgorithm, ErrUnsupportedAlgorithm)
		}
		err := issuer.X509.CheckSignature(alg, tbs, sig)
		var insecure x509.InsecureAlgorithmError
		switch {
		case err == nil:
			return nil
		case errors.As(err, &insecure), errors.Is(err, x509.ErrUnsupportedAlgorithm):
			return fmt.Errorf("%v: %w", err, ErrUnsupportedAlgorithm)
		}
		return fmt.Errorf("%v: %w", err, ErrBadSignature)
	}
	oid, err := outerSignatureOID(raw)
	if err != nil {
		return fmt.Errorf("%v: %w", err, ErrBadSignature)
	}
	var size int
	switch {
	case oid.Equal(gost.OIDSignWithDigest256):
		size = gost.Size256
	case oid.Equal(gost.OIDSignWithDigest512):
		size = gost.Size512
	default:
		return fmt.Errorf("signature algorithm %s: %w", oid, ErrUnsupportedAlgorithm)
	}
	pub, ok := issuer.PublicKey.(*gost.PublicKey)
	if !ok {
		return fmt.Errorf("GOST signature, issuer key %s: %w", issuer.KeyAlgorithm, ErrBadSignature)
	}
	if pub.Curve.PointSize != size {
		return fmt.Errorf("GOST %d-bit signature, %d-bit issuer key: %w", size*8, pub.Curve.PointSize*8, ErrBadSignature)
	}
	var digest []byte
	if size == gost.Size256 {
		d := gost.Sum256(tbs)
		digest = d[:]
	} else {
		d := gost.Sum512(tbs)
		digest = d[:]
	}
	if err := gost.Verify(pub, digest, sig); err != nil {
		return fmt.Errorf("%v: %w", err, ErrBadSignature)
	}
	return nil
}
