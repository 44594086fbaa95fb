package seal

import (
	"bytes"
	"crypto"
	"crypto/x509"
	"encoding/asn1"
	"errors"
	"fmt"
	"time"

	"github.com/digitorus/pkcs7"
	"github.com/digitorus/timestamp"
	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"
)

var (
	oidTimestampToken = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 16, 2, 14} // id-aa-timeStampToken
	oidTSTInfo        = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 16, 1, 4}  // id-ct-TSTInfo
)

// signatureTimestamp returns the RFC 3161 token among the unsigned
// attributes of the first SignerInfo of a DER ContentInfo, nil when there is
// none. package cades skips unsigned attributes, so they are read here.
func signatureTimestamp(der []byte) ([]byte, error) {
	s := cryptobyte.String(der)
	var ci, content, sd, signerInfos, si cryptobyte.String
	if !s.ReadASN1(&ci, cbasn1.SEQUENCE) || !ci.SkipASN1(cbasn1.OBJECT_IDENTIFIER) ||
		!ci.ReadASN1(&content, cbasn1.Tag(0).ContextSpecific().Constructed()) ||
		!content.ReadASN1(&sd, cbasn1.SEQUENCE) {
		return nil, errors.New("not a SignedData")
	}
	// version, digestAlgorithms, encapContentInfo, [0] certificates, [1] crls
	if !sd.SkipASN1(cbasn1.INTEGER) || !sd.SkipASN1(cbasn1.SET) || !sd.SkipASN1(cbasn1.SEQUENCE) ||
		!sd.SkipOptionalASN1(cbasn1.Tag(0).ContextSpecific().Constructed()) ||
		!sd.SkipOptionalASN1(cbasn1.Tag(1).ContextSpecific().Constructed()) ||
		!sd.ReadASN1(&signerInfos, cbasn1.SET) || !signerInfos.ReadASN1(&si, cbasn1.SEQUENCE) {
		return nil, errors.New("bad SignedData")
	}
	// version, sid, digestAlgorithm, [0] signedAttrs, signatureAlgorithm, signature
	var sid cryptobyte.String
	var tag cbasn1.Tag
	if !si.SkipASN1(cbasn1.INTEGER) || !si.ReadAnyASN1(&sid, &tag) || !si.SkipASN1(cbasn1.SEQUENCE) ||
		!si.SkipOptionalASN1(cbasn1.Tag(0).ContextSpecific().Constructed()) ||
		!si.SkipASN1(cbasn1.SEQUENCE) || !si.SkipASN1(cbasn1.OCTET_STRING) {
		return nil, errors.New("bad SignerInfo")
	}
	var unsigned cryptobyte.String
	var present bool
	if !si.ReadOptionalASN1(&unsigned, &present, cbasn1.Tag(1).ContextSpecific().Constructed()) {
		return nil, errors.New("bad unsigned attributes")
	}
	for !unsigned.Empty() {
		var attr, values cryptobyte.String
		var oid asn1.ObjectIdentifier
		if !unsigned.ReadASN1(&attr, cbasn1.SEQUENCE) || !attr.ReadASN1ObjectIdentifier(&oid) ||
			!attr.ReadASN1(&values, cbasn1.SET) {
			return nil, errors.New("bad unsigned attribute")
		}
		if oid.Equal(oidTimestampToken) {
			var token cryptobyte.String
			if !values.ReadASN1Element(&token, cbasn1.SEQUENCE) {
				return nil, errors.New("bad timestamp token")
			}
			return token, nil
		}
	}
	return nil, nil
}

// tokenCheck is what a timestamp token proves.
type tokenCheck struct {
	time    time.Time
	valid   bool // the TSA's signature verifies and the imprint is the hash of what was stamped
	trusted bool // the TSA's certificate chains to the roots, for time stamping
	tsa     *x509.Certificate
	problem string // why it is not valid or not trusted
}

// checkToken checks an RFC 3161 token over stamped (the signature value of
// a signature timestamp, the covered bytes' digest source of a document
// timestamp: digestOf hashes it with the token's algorithm).
func checkToken(token []byte, digestOf func(crypto.Hash) []byte, roots *x509.CertPool) (tc tokenCheck) {
	defer func() {
		if r := recover(); r != nil { // the PKCS #7 parser is not hardened against every input
			tc = tokenCheck{problem: fmt.Sprintf("the timestamp token is malformed (%v)", r)}
		}
	}()
	ts, err := timestamp.Parse(token)
	if err != nil {
		return tokenCheck{problem: "the timestamp token does not verify: " + err.Error()}
	}
	tc.time = ts.Time
	if !ts.AddTSACertificate {
		tc.problem = "the timestamp token carries no TSA certificate to check it with"
		return tc
	}
	if !ts.HashAlgorithm.Available() || !bytes.Equal(digestOf(ts.HashAlgorithm), ts.HashedMessage) {
		tc.problem = "the timestamp token is for other data"
		return tc
	}
	tc.valid = true
	p7, err := pkcs7.Parse(token)
	if err != nil {
		tc.problem = "the timestamp token: " + err.Error()
		return tc
	}
	tc.tsa = p7.GetOnlySigner()
	if tc.tsa == nil {
		tc.problem = "the timestamp token has no single signer"
		return tc
	}
	if roots == nil {
		tc.problem = "no trusted roots to check the TSA's certificate against"
		return tc
	}
	inter := x509.NewCertPool()
	for _, c := range p7.Certificates {
		inter.AddCert(c)
	}
	if _, err := tc.tsa.Verify(x509.VerifyOptions{Roots: roots, Intermediates: inter, CurrentTime: ts.Time,
		KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageTimeStamping}}); err != nil {
		tc.problem = "the TSA's certificate is not trusted: " + err.Error()
		return tc
	}
	tc.trusted = true
	return tc
}
