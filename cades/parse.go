package cades

import (
	"bytes"
	"crypto/x509"
	"encoding/asn1"
	"encoding/base64"
	"encoding/pem"
	"errors"
	"fmt"
	"math/big"
	"time"

	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"
)

// MaxSize caps the size of a signature Parse accepts. A detached CAdES-BES
// signature is a few kilobytes; 16 MiB leaves room for long chains and CRLs
// while keeping a hostile upload from costing memory.
const MaxSize = 16 << 20

// ErrFormat is wrapped by every error Parse returns for input that is not a
// well-formed CMS SignedData.
var ErrFormat = errors.New("cades: not a CMS SignedData")

// SignedData is a parsed CMS SignedData (RFC 5652 section 5).
type SignedData struct {
	Raw         []byte                // the whole ContentInfo, DER (BER input normalised)
	ContentType asn1.ObjectIdentifier // eContentType; id-data for documents
	// Content is the encapsulated content, nil for a detached signature.
	Content []byte
	// Certificates are the certificates of the CMS certificate set that
	// crypto/x509 parses (GOST ones included, with a nil PublicKey), in
	// their order. RawCertificates holds all of them, DER, parsed or not.
	Certificates    []*x509.Certificate
	RawCertificates [][]byte
	Signers         []*Signer
}

// Signer is one SignerInfo with its decoded signed attributes.
type Signer struct {
	// The signer identifier: issuer and serial number, or a subject key
	// identifier (version 3 SignerInfo).
	Issuer       []byte // DER Name, nil when identified by SubjectKeyID
	SerialNumber *big.Int
	SubjectKeyID []byte

	DigestAlgorithm       string // a name such as "SHA-256", or the dotted OID when unknown
	SignatureAlgorithm    string // a name such as "ECDSA", or the dotted OID when unknown
	DigestAlgorithmOID    asn1.ObjectIdentifier
	SignatureAlgorithmOID asn1.ObjectIdentifier
	Signature             []byte

	// SignedAttrs is the DER SET OF the signed attributes, tagged 0x31 as
	// it was signed (CMS stores it [0] IMPLICIT). Nil when absent.
	SignedAttrs []byte
	// Decoded signed attributes; zero when absent.
	ContentType        asn1.ObjectIdentifier
	MessageDigest      []byte
	SigningTime        time.Time
	SigningCertificate *CertID // signingCertificateV2, or signingCertificate (v1) when only that is present

	// Certificate is the signer's certificate from the CMS certificate set,
	// matched by the signer identifier; nil when the set lacks it.
	Certificate *x509.Certificate

	sigParams []byte // raw parameters of the signature AlgorithmIdentifier
	attrErr   error  // a malformed signed attribute: Verify reports format_failure
}

// CertID is an ESSCertIDv2 (RFC 5035) or, with V1 set, an ESSCertID (RFC
// 2634, SHA-1): the hash of the signing certificate, and optionally its
// issuer and serial number.
type CertID struct {
	V1            bool
	HashAlgorithm string // "SHA-256", "Streebog-256", "SHA-1"…, or the dotted OID when unknown
	HashOID       asn1.ObjectIdentifier
	Hash          []byte
	Issuer        []byte // DER Name of the directoryName, nil when issuerSerial is absent
	SerialNumber  *big.Int
}

// Parse parses a CMS SignedData ContentInfo: DER, BER (converted to DER),
// PEM ("CMS", "PKCS7", "PKCS #7 SIGNED DATA") or bare base64 as some tools
// save .sig files. A malformed signed attribute of one signer does not fail
// Parse; Verify reports it for that signer.
func Parse(data []byte) (*SignedData, error) {
	if len(data) > MaxSize {
		return nil, fmt.Errorf("%w: %d bytes, more than %d", ErrFormat, len(data), MaxSize)
	}
	der, err := unarmor(data)
	if err != nil {
		return nil, err
	}
	der, err = berToDER(der)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrFormat, err)
	}
	sd, err := parseContentInfo(der)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrFormat, err)
	}
	return sd, nil
}

func unarmor(data []byte) ([]byte, error) {
	trimmed := bytes.TrimSpace(data)
	if len(trimmed) == 0 {
		return nil, fmt.Errorf("%w: empty", ErrFormat)
	}
	if trimmed[0] == 0x30 {
		return data, nil
	}
	if bytes.HasPrefix(trimmed, []byte("-----BEGIN")) {
		block, _ := pem.Decode(trimmed)
		if block == nil {
			return nil, fmt.Errorf("%w: bad PEM", ErrFormat)
		}
		switch block.Type {
		case "CMS", "PKCS7", "PKCS #7 SIGNED DATA":
			return block.Bytes, nil
		}
		return nil, fmt.Errorf("%w: PEM block %q", ErrFormat, block.Type)
	}
	// Bare base64, as CryptoPro tools and some portals save signatures.
	clean := bytes.Map(func(r rune) rune {
		switch r {
		case ' ', '\t', '\r', '\n':
			return -1
		}
		return r
	}, trimmed)
	raw := make([]byte, base64.StdEncoding.DecodedLen(len(clean)))
	n, err := base64.StdEncoding.Decode(raw, clean)
	if err != nil || n == 0 || raw[0] != 0x30 {
		return nil, fmt.Errorf("%w: neither DER, PEM nor base64", ErrFormat)
	}
	return raw[:n], nil
}

var (
	tagContext0 = cbasn1.Tag(0).ContextSpecific().Constructed()
	tagContext1 = cbasn1.Tag(1).ContextSpecific().Constructed()
	tagSKI      = cbasn1.Tag(0).ContextSpecific() // [0] IMPLICIT SubjectKeyIdentifier
)

func parseContentInfo(der []byte) (*SignedData, error) {
	input := cryptobyte.String(der)
	var ci, content cryptobyte.String
	var ct asn1.ObjectIdentifier
	if !input.ReadASN1(&ci, cbasn1.SEQUENCE) || !input.Empty() {
		return nil, errors.New("ContentInfo is not one SEQUENCE")
	}
	if !ci.ReadASN1ObjectIdentifier(&ct) {
		return nil, errors.New("bad ContentInfo contentType")
	}
	if !ct.Equal(oidSignedData) {
		return nil, fmt.Errorf("content type %s", ct)
	}
	if !ci.ReadASN1(&content, tagContext0) || !ci.Empty() {
		return nil, errors.New("bad ContentInfo content")
	}
	var s cryptobyte.String
	if !content.ReadASN1(&s, cbasn1.SEQUENCE) || !content.Empty() {
		return nil, errors.New("SignedData is not a SEQUENCE")
	}
	sd := &SignedData{Raw: der}
	var version int64
	var digestAlgs, encap, signerInfos cryptobyte.String
	if !s.ReadASN1Int64WithTag(&version, cbasn1.INTEGER) || version < 1 || version > 5 {
		return nil, errors.New("bad SignedData version")
	}
	if !s.ReadASN1(&digestAlgs, cbasn1.SET) {
		return nil, errors.New("bad digestAlgorithms")
	}
	if !s.ReadASN1(&encap, cbasn1.SEQUENCE) || !encap.ReadASN1ObjectIdentifier(&sd.ContentType) {
		return nil, errors.New("bad encapContentInfo")
	}
	if encap.PeekASN1Tag(tagContext0) {
		var ec, octets cryptobyte.String
		if !encap.ReadASN1(&ec, tagContext0) || !ec.ReadASN1(&octets, cbasn1.OCTET_STRING) || !ec.Empty() {
			return nil, errors.New("bad eContent")
		}
		sd.Content = append([]byte{}, octets...)
	}
	if !encap.Empty() {
		return nil, errors.New("trailing data in encapContentInfo")
	}
	if s.PeekASN1Tag(tagContext0) {
		var certs cryptobyte.String
		if !s.ReadASN1(&certs, tagContext0) {
			return nil, errors.New("bad certificates")
		}
		for !certs.Empty() {
			var el cryptobyte.String
			var tag cbasn1.Tag
			if !certs.ReadAnyASN1Element(&el, &tag) {
				return nil, errors.New("bad certificate")
			}
			if tag != cbasn1.SEQUENCE {
				continue // attribute or other certificate formats: not ours to use
			}
			raw := append([]byte{}, el...)
			sd.RawCertificates = append(sd.RawCertificates, raw)
			if c, err := x509.ParseCertificate(raw); err == nil {
				sd.Certificates = append(sd.Certificates, c)
			}
		}
	}
	if s.PeekASN1Tag(tagContext1) {
		s.SkipASN1(tagContext1) // CRLs: revocation is the caller's business
	}
	if !s.ReadASN1(&signerInfos, cbasn1.SET) || !s.Empty() {
		return nil, errors.New("bad signerInfos")
	}
	for !signerInfos.Empty() {
		var si cryptobyte.String
		if !signerInfos.ReadASN1(&si, cbasn1.SEQUENCE) {
			return nil, errors.New("bad SignerInfo")
		}
		sg, err := parseSignerInfo(si)
		if err != nil {
			return nil, fmt.Errorf("SignerInfo %d: %v", len(sd.Signers), err)
		}
		sg.Certificate = sd.findCertificate(sg)
		sd.Signers = append(sd.Signers, sg)
	}
	if len(sd.Signers) == 0 {
		return nil, errors.New("no signers")
	}
	return sd, nil
}

func parseSignerInfo(si cryptobyte.String) (*Signer, error) {
	sg := &Signer{}
	var version int64
	if !si.ReadASN1Int64WithTag(&version, cbasn1.INTEGER) || (version != 1 && version != 3) {
		return nil, errors.New("bad version")
	}
	switch {
	case si.PeekASN1Tag(cbasn1.SEQUENCE):
		var ias, issuer cryptobyte.String
		sg.SerialNumber = new(big.Int)
		if !si.ReadASN1(&ias, cbasn1.SEQUENCE) || !ias.ReadASN1Element(&issuer, cbasn1.SEQUENCE) ||
			!ias.ReadASN1Integer(sg.SerialNumber) || !ias.Empty() {
			return nil, errors.New("bad IssuerAndSerialNumber")
		}
		sg.Issuer = append([]byte{}, issuer...)
	case si.PeekASN1Tag(tagSKI):
		var ski cryptobyte.String
		if !si.ReadASN1(&ski, tagSKI) {
			return nil, errors.New("bad SubjectKeyIdentifier")
		}
		sg.SubjectKeyID = append([]byte{}, ski...)
	default:
		return nil, errors.New("bad signer identifier")
	}
	var err error
	if sg.DigestAlgorithmOID, _, err = readAlgorithm(&si); err != nil {
		return nil, fmt.Errorf("digestAlgorithm: %v", err)
	}
	sg.DigestAlgorithm = sg.DigestAlgorithmOID.String()
	if d := digestByOID(sg.DigestAlgorithmOID); d != nil {
		sg.DigestAlgorithm = d.name
	}
	if si.PeekASN1Tag(tagContext0) {
		var el cryptobyte.String
		if !si.ReadASN1Element(&el, tagContext0) {
			return nil, errors.New("bad signedAttrs")
		}
		// The signature covers the DER SET OF, tag 0x31, not the [0]
		// IMPLICIT form it is stored in (RFC 5652 section 5.4). After
		// berToDER the rest of the encoding is already DER.
		sg.SignedAttrs = append([]byte{0x31}, el[1:]...)
		sg.attrErr = sg.decodeAttributes()
	}
	if sg.SignatureAlgorithmOID, sg.sigParams, err = readAlgorithm(&si); err != nil {
		return nil, fmt.Errorf("signatureAlgorithm: %v", err)
	}
	sg.SignatureAlgorithm = signatureName(sg.SignatureAlgorithmOID)
	var sig cryptobyte.String
	if !si.ReadASN1(&sig, cbasn1.OCTET_STRING) {
		return nil, errors.New("bad signature")
	}
	sg.Signature = append([]byte{}, sig...)
	if si.PeekASN1Tag(tagContext1) {
		si.SkipASN1(tagContext1) // unsigned attributes (timestamps of CAdES-T): not checked here
	}
	if !si.Empty() {
		return nil, errors.New("trailing data")
	}
	return sg, nil
}

// readAlgorithm reads an AlgorithmIdentifier and returns its OID and the
// raw parameters element (nil when absent).
func readAlgorithm(s *cryptobyte.String) (asn1.ObjectIdentifier, []byte, error) {
	var ai cryptobyte.String
	var oid asn1.ObjectIdentifier
	if !s.ReadASN1(&ai, cbasn1.SEQUENCE) || !ai.ReadASN1ObjectIdentifier(&oid) {
		return nil, nil, errors.New("bad AlgorithmIdentifier")
	}
	if ai.Empty() {
		return oid, nil, nil
	}
	var params cryptobyte.String
	var tag cbasn1.Tag
	if !ai.ReadAnyASN1Element(&params, &tag) || !ai.Empty() {
		return nil, nil, errors.New("bad AlgorithmIdentifier parameters")
	}
	if tag == cbasn1.NULL {
		return oid, nil, nil
	}
	return oid, []byte(params), nil
}

// findCertificate returns the certificate the signer identifier names.
func (sd *SignedData) findCertificate(sg *Signer) *x509.Certificate {
	for _, c := range sd.Certificates {
		if sg.identifies(c) {
			return c
		}
	}
	return nil
}

// identifies reports whether the signer identifier names c.
func (sg *Signer) identifies(c *x509.Certificate) bool {
	if sg.Issuer != nil {
		return c.SerialNumber != nil && c.SerialNumber.Cmp(sg.SerialNumber) == 0 && bytes.Equal(c.RawIssuer, sg.Issuer)
	}
	return len(sg.SubjectKeyID) > 0 && bytes.Equal(c.SubjectKeyId, sg.SubjectKeyID)
}
