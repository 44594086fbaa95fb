package pki

import (
	"encoding/asn1"
	"fmt"

	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"
)

var oidSignedData = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 7, 2}

// parseP7B reads the certificates of a PKCS #7 / CMS SignedData (RFC 5652),
// the "certs-only" .p7b Windows and CAs export chains as. Signatures, if
// any, are ignored: a .p7b is a bag of certificates, each checked on its own.
//
//	ContentInfo ::= SEQUENCE { contentType OID, content [0] EXPLICIT SignedData }
//	SignedData ::= SEQUENCE { version, digestAlgorithms SET, encapContentInfo,
//	    certificates [0] IMPLICIT SET OF CertificateChoices OPTIONAL, crls [1] ..., signerInfos SET }
func parseP7B(der []byte, cache *Cache) ([]*Certificate, error) {
	s := cryptobyte.String(der)
	var ci, content, sd cryptobyte.String
	var oid asn1.ObjectIdentifier
	if !s.ReadASN1(&ci, cbasn1.SEQUENCE) || !ci.ReadASN1ObjectIdentifier(&oid) {
		return nil, fmt.Errorf("p7b: ContentInfo: %w", ErrNotCertificate)
	}
	if !oid.Equal(oidSignedData) {
		return nil, fmt.Errorf("p7b: content type %s is not signedData: %w", oid, ErrNotCertificate)
	}
	if !ci.ReadASN1(&content, cbasn1.Tag(0).ContextSpecific().Constructed()) ||
		!content.ReadASN1(&sd, cbasn1.SEQUENCE) {
		return nil, fmt.Errorf("p7b: SignedData: %w", ErrMalformed)
	}
	if !sd.SkipASN1(cbasn1.INTEGER) || !sd.SkipASN1(cbasn1.SET) || !sd.SkipASN1(cbasn1.SEQUENCE) {
		return nil, fmt.Errorf("p7b: SignedData header: %w", ErrMalformed)
	}
	var certSet cryptobyte.String
	var present bool
	if !sd.ReadOptionalASN1(&certSet, &present, cbasn1.Tag(0).ContextSpecific().Constructed()) {
		return nil, fmt.Errorf("p7b: certificates: %w", ErrMalformed)
	}
	var certs []*Certificate
	for !certSet.Empty() {
		var elem cryptobyte.String
		var tag cbasn1.Tag
		if !certSet.ReadAnyASN1Element(&elem, &tag) {
			return nil, fmt.Errorf("p7b: certificate %d: %w", len(certs)+1, ErrMalformed)
		}
		if tag != cbasn1.SEQUENCE {
			continue // attribute and other certificate choices: not X.509
		}
		c, err := cache.certificate(elem)
		if err != nil {
			return nil, fmt.Errorf("p7b: certificate %d: %w", len(certs)+1, err)
		}
		certs = append(certs, c)
	}
	if len(certs) == 0 {
		return nil, fmt.Errorf("p7b: no certificates inside: %w", ErrNotCertificate)
	}
	return certs, nil
}
