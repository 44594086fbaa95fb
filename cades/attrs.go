package cades

import (
	"bytes"
	"crypto/sha1"
	"crypto/x509"
	"encoding/asn1"
	"errors"
	"fmt"
	"math/big"
	"slices"
	"time"

	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"
)

var tagDirectoryName = cbasn1.Tag(4).ContextSpecific().Constructed()

// decodeAttributes decodes the signed attributes cades checks. Attributes
// it does not know are kept in SignedAttrs (they are signed) and ignored.
func (sg *Signer) decodeAttributes() error {
	s := cryptobyte.String(sg.SignedAttrs)
	var set cryptobyte.String
	if !s.ReadASN1(&set, cbasn1.SET) || !s.Empty() {
		return errors.New("cades: signed attributes are not a SET")
	}
	seen := map[string]bool{}
	var v1 *CertID
	for !set.Empty() {
		var attr, values, value cryptobyte.String
		var oid asn1.ObjectIdentifier
		if !set.ReadASN1(&attr, cbasn1.SEQUENCE) || !attr.ReadASN1ObjectIdentifier(&oid) ||
			!attr.ReadASN1(&values, cbasn1.SET) || !attr.Empty() {
			return errors.New("cades: malformed signed attribute")
		}
		if seen[oid.String()] {
			return fmt.Errorf("cades: signed attribute %s appears twice", oid)
		}
		seen[oid.String()] = true
		var tag cbasn1.Tag
		if !values.ReadAnyASN1Element(&value, &tag) {
			return fmt.Errorf("cades: signed attribute %s has no value", oid)
		}
		known := true
		var err error
		switch {
		case oid.Equal(oidAttrContentType):
			if !value.ReadASN1ObjectIdentifier(&sg.ContentType) {
				err = errors.New("bad contentType")
			}
		case oid.Equal(oidAttrMessageDigest):
			var d cryptobyte.String
			if !value.ReadASN1(&d, cbasn1.OCTET_STRING) {
				err = errors.New("bad messageDigest")
			}
			sg.MessageDigest = append([]byte{}, d...)
		case oid.Equal(oidAttrSigningTime):
			sg.SigningTime, err = readTime(value, tag)
		case oid.Equal(oidAttrSigningCertificateV2):
			sg.SigningCertificate, err = readSigningCertificate(value, false)
		case oid.Equal(oidAttrSigningCertificate):
			v1, err = readSigningCertificate(value, true)
		default:
			known = false
		}
		if err != nil {
			return fmt.Errorf("cades: signed attribute %s: %v", oid, err)
		}
		if known && !values.Empty() {
			return fmt.Errorf("cades: signed attribute %s has more than one value", oid)
		}
	}
	if sg.SigningCertificate == nil {
		sg.SigningCertificate = v1
	}
	return nil
}

func readTime(value cryptobyte.String, tag cbasn1.Tag) (time.Time, error) {
	var t time.Time
	ok := false
	switch tag {
	case cbasn1.UTCTime:
		ok = value.ReadASN1UTCTime(&t)
	case cbasn1.GeneralizedTime:
		ok = value.ReadASN1GeneralizedTime(&t)
	}
	if !ok || !value.Empty() {
		return time.Time{}, errors.New("bad signingTime")
	}
	return t, nil
}

// readSigningCertificate reads the first ESSCertID(v2) of a
// SigningCertificate(V2): RFC 5035 says it identifies the signing
// certificate; the rest are for chain building and not checked.
func readSigningCertificate(value cryptobyte.String, v1 bool) (*CertID, error) {
	var sc, certs, id cryptobyte.String
	if !value.ReadASN1(&sc, cbasn1.SEQUENCE) || !sc.ReadASN1(&certs, cbasn1.SEQUENCE) ||
		!certs.ReadASN1(&id, cbasn1.SEQUENCE) {
		return nil, errors.New("bad SigningCertificate")
	}
	c := &CertID{V1: v1, HashOID: oidSHA256}
	if v1 {
		c.HashOID = oidSHA1
	} else if id.PeekASN1Tag(cbasn1.SEQUENCE) {
		var err error
		if c.HashOID, _, err = readAlgorithm(&id); err != nil {
			return nil, err
		}
	}
	c.HashAlgorithm = c.HashOID.String()
	if d := digestByOID(c.HashOID); d != nil {
		c.HashAlgorithm = d.name
	} else if c.HashOID.Equal(oidSHA1) {
		c.HashAlgorithm = "SHA-1"
	}
	var h cryptobyte.String
	if !id.ReadASN1(&h, cbasn1.OCTET_STRING) {
		return nil, errors.New("bad certHash")
	}
	c.Hash = append([]byte{}, h...)
	if id.Empty() {
		return c, nil
	}
	var is, names cryptobyte.String
	c.SerialNumber = new(big.Int)
	if !id.ReadASN1(&is, cbasn1.SEQUENCE) || !is.ReadASN1(&names, cbasn1.SEQUENCE) ||
		!is.ReadASN1Integer(c.SerialNumber) || !is.Empty() || !id.Empty() {
		return nil, errors.New("bad issuerSerial")
	}
	for !names.Empty() {
		var gn cryptobyte.String
		var tag cbasn1.Tag
		if !names.ReadAnyASN1(&gn, &tag) {
			return nil, errors.New("bad GeneralNames")
		}
		if tag == tagDirectoryName && c.Issuer == nil {
			var name cryptobyte.String
			if !gn.ReadASN1Element(&name, cbasn1.SEQUENCE) {
				return nil, errors.New("bad directoryName")
			}
			c.Issuer = append([]byte{}, name...)
		}
	}
	if c.Issuer == nil {
		return nil, errors.New("issuerSerial without a directoryName")
	}
	return c, nil
}

// matches reports why c does not identify cert, or nil when it does.
func (c *CertID) matches(cert *x509.Certificate) error {
	var sum []byte
	switch {
	case c.V1:
		s := sha1.Sum(cert.Raw) // ESSCertID (v1) is SHA-1 by definition; it only names a certificate
		sum = s[:]
	default:
		d := digestByOID(c.HashOID)
		if d == nil {
			return fmt.Errorf("%w: certificate hash %s", errUnsupportedAlg, c.HashOID)
		}
		h := d.new()
		h.Write(cert.Raw)
		sum = h.Sum(nil)
	}
	if !bytes.Equal(sum, c.Hash) {
		return errors.New("cades: the signing certificate attribute names another certificate (hash differs)")
	}
	if c.Issuer != nil && (!bytes.Equal(c.Issuer, cert.RawIssuer) || c.SerialNumber.Cmp(cert.SerialNumber) != 0) {
		return errors.New("cades: the signing certificate attribute names another issuer and serial number")
	}
	return nil
}

// buildSignedAttrs returns the DER SET OF the CAdES-BES signed attributes:
// contentType id-data, signingTime, messageDigest, signingCertificateV2.
func buildSignedAttrs(contentDigest []byte, signingTime time.Time, cert *x509.Certificate, certHash *digestAlg) ([]byte, error) {
	h := certHash.new()
	h.Write(cert.Raw)
	sum := h.Sum(nil)
	t := signingTime.UTC().Truncate(time.Second)

	attrs := [][]byte{
		attribute(oidAttrContentType, func(b *cryptobyte.Builder) { b.AddASN1ObjectIdentifier(oidData) }),
		attribute(oidAttrSigningTime, func(b *cryptobyte.Builder) {
			// RFC 5652 section 11.3: UTCTime for 1950-2049, GeneralizedTime otherwise.
			if y := t.Year(); y >= 1950 && y < 2050 {
				b.AddASN1UTCTime(t)
			} else {
				b.AddASN1GeneralizedTime(t)
			}
		}),
		attribute(oidAttrMessageDigest, func(b *cryptobyte.Builder) { b.AddASN1OctetString(contentDigest) }),
		attribute(oidAttrSigningCertificateV2, func(b *cryptobyte.Builder) {
			b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) { // SigningCertificateV2
				b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) { // certs
					b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) { // ESSCertIDv2
						// DER: hashAlgorithm is omitted when it is the default, SHA-256.
						if !certHash.oid.Equal(oidSHA256) {
							addAlgorithm(b, certHash.oid, certHash.nullParams)
						}
						b.AddASN1OctetString(sum)
						b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) { // IssuerSerial
							b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) { // GeneralNames
								b.AddASN1(tagDirectoryName, func(b *cryptobyte.Builder) {
									b.AddBytes(cert.RawIssuer)
								})
							})
							b.AddASN1BigInt(cert.SerialNumber)
						})
					})
				})
			})
		}),
	}
	for _, a := range attrs {
		if a == nil {
			return nil, errors.New("cades: cannot encode signed attributes")
		}
	}
	// DER orders a SET OF by the encodings of its elements (X.690 11.6).
	slices.SortFunc(attrs, bytes.Compare)
	size := 4
	for _, a := range attrs {
		size += len(a)
	}
	b := cryptobyte.NewBuilder(make([]byte, 0, size))
	b.AddASN1(cbasn1.SET, func(b *cryptobyte.Builder) {
		for _, a := range attrs {
			b.AddBytes(a)
		}
	})
	return b.Bytes()
}

// attribute encodes an Attribute with one value.
func attribute(oid asn1.ObjectIdentifier, value cryptobyte.BuilderContinuation) []byte {
	b := cryptobyte.NewBuilder(make([]byte, 0, 128)) // most attributes fit: one allocation
	b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
		b.AddASN1ObjectIdentifier(oid)
		b.AddASN1(cbasn1.SET, value)
	})
	out, err := b.Bytes()
	if err != nil {
		return nil
	}
	return out
}

func addAlgorithm(b *cryptobyte.Builder, oid asn1.ObjectIdentifier, null bool) {
	b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
		b.AddASN1ObjectIdentifier(oid)
		if null {
			b.AddASN1NULL()
		}
	})
}
