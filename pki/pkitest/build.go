package pkitest

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"fmt"
	"testing"
	"unicode/utf16"

	"paraph/gost"
)

// Object identifiers written into test certificates.
var (
	oidINN                = asn1.ObjectIdentifier{1, 2, 643, 3, 131, 1, 1}
	oidOGRN               = asn1.ObjectIdentifier{1, 2, 643, 100, 1}
	oidSNILS              = asn1.ObjectIdentifier{1, 2, 643, 100, 3}
	oidINNLE              = asn1.ObjectIdentifier{1, 2, 643, 100, 4}
	oidOGRNIP             = asn1.ObjectIdentifier{1, 2, 643, 100, 5}
	oidSubjectDirAttrs    = asn1.ObjectIdentifier{2, 5, 29, 9}
	oidUAEDRPOU           = asn1.ObjectIdentifier{1, 2, 804, 2, 1, 1, 1, 11, 1, 4, 2, 1}
	oidUADRFO             = asn1.ObjectIdentifier{1, 2, 804, 2, 1, 1, 1, 11, 1, 4, 1, 1}
	oidSignedData         = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 7, 2}
	oidData               = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 7, 1}
	oidSHA256WithRSA      = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 1, 11}
	oidECDSAWithSHA256    = asn1.ObjectIdentifier{1, 2, 840, 10045, 4, 3, 2}
	oidEd25519            = asn1.ObjectIdentifier{1, 3, 101, 112}
	oidEmailAddress       = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 1}
	oidOrganizationID     = asn1.ObjectIdentifier{2, 5, 4, 97}
	oidSerialNumberAttr   = asn1.ObjectIdentifier{2, 5, 4, 5}
	oidGivenName          = asn1.ObjectIdentifier{2, 5, 4, 42}
	oidSurname            = asn1.ObjectIdentifier{2, 5, 4, 4}
	oidTitle              = asn1.ObjectIdentifier{2, 5, 4, 12}
	oidStreet             = asn1.ObjectIdentifier{2, 5, 4, 9}
	oidCommonName         = asn1.ObjectIdentifier{2, 5, 4, 3}
	oidCountry            = asn1.ObjectIdentifier{2, 5, 4, 6}
	oidProvince           = asn1.ObjectIdentifier{2, 5, 4, 8}
	oidLocality           = asn1.ObjectIdentifier{2, 5, 4, 7}
	oidOrganization       = asn1.ObjectIdentifier{2, 5, 4, 10}
	oidOrganizationalUnit = asn1.ObjectIdentifier{2, 5, 4, 11}
)

// ASN.1 string tags.
const (
	tagNumeric   = 18
	tagPrintable = 19
	tagIA5       = 22
	tagUTF8      = 12
	tagBMP       = 30
)

// encodeSubject writes the subject with the string types RU certificates
// use (NumericString identifiers, PrintableString country, IA5String
// email), one attribute per RDN, and the UA subjectDirectoryAttributes
// extension when needed.
func encodeSubject(tb testing.TB, s Subject) ([]byte, []pkix.Extension) {
	tb.Helper()
	text := tagUTF8
	if s.BMP {
		text = tagBMP
	}
	var rdns pkix.RDNSequence
	add := func(oid asn1.ObjectIdentifier, tag int, v string) {
		if v == "" {
			return
		}
		b := []byte(v)
		if tag == tagBMP {
			u := utf16.Encode([]rune(v))
			b = make([]byte, 2*len(u))
			for i, c := range u {
				b[2*i], b[2*i+1] = byte(c>>8), byte(c)
			}
		}
		rdns = append(rdns, []pkix.AttributeTypeAndValue{{Type: oid, Value: asn1.RawValue{Tag: tag, Bytes: b}}})
	}
	add(oidCountry, tagPrintable, s.Country)
	add(oidProvince, text, s.Province)
	add(oidLocality, text, s.Locality)
	add(oidStreet, text, s.Street)
	add(oidOrganization, text, s.Organization)
	add(oidOrganizationalUnit, text, s.OrganizationalUnit)
	add(oidTitle, text, s.Title)
	add(oidCommonName, text, s.CommonName)
	add(oidSurname, text, s.Surname)
	add(oidGivenName, text, s.GivenName)
	add(oidEmailAddress, tagIA5, s.Email)
	add(oidINN, tagNumeric, s.INN)
	add(oidINNLE, tagNumeric, s.INNLE)
	add(oidOGRN, tagNumeric, s.OGRN)
	add(oidOGRNIP, tagNumeric, s.OGRNIP)
	add(oidSNILS, tagNumeric, s.SNILS)
	var exts []pkix.Extension
	if s.UAInSubject {
		if s.EDRPOU != "" {
			add(oidOrganizationID, tagUTF8, "NTRUA-"+s.EDRPOU)
		}
		if s.RNOKPP != "" {
			add(oidSerialNumberAttr, tagPrintable, "TINUA-"+s.RNOKPP)
		}
	} else if s.EDRPOU != "" || s.RNOKPP != "" {
		type attribute struct {
			Type   asn1.ObjectIdentifier
			Values []asn1.RawValue `asn1:"set"`
		}
		var attrs []attribute
		if s.EDRPOU != "" {
			attrs = append(attrs, attribute{oidUAEDRPOU, []asn1.RawValue{{Tag: tagPrintable, Bytes: []byte(s.EDRPOU)}}})
		}
		if s.RNOKPP != "" {
			attrs = append(attrs, attribute{oidUADRFO, []asn1.RawValue{{Tag: tagPrintable, Bytes: []byte(s.RNOKPP)}}})
		}
		v, err := asn1.Marshal(attrs)
		if err != nil {
			tb.Fatalf("pkitest: subjectDirectoryAttributes: %v", err)
		}
		exts = append(exts, pkix.Extension{Id: oidSubjectDirAttrs, Value: v})
	}
	if len(rdns) == 0 {
		add(oidCommonName, text, "Paraph Test Subject")
	}
	raw, err := asn1.Marshal(rdns)
	if err != nil {
		tb.Fatalf("pkitest: subject: %v", err)
	}
	return raw, exts
}

// isGOST reports keys crypto/x509 cannot handle: GOST ones, and the raw
// SubjectPublicKeyInfo of DSTU4145.
func isGOST(k any) bool {
	switch k.(type) {
	case *gost.PublicKey, *gost.PrivateKey, rawSPKI:
		return true
	}
	return false
}

// rawSPKI is a ready-made DER SubjectPublicKeyInfo.
type rawSPKI []byte

// dstuPublicKey is a DSTU 4145 SubjectPublicKeyInfo: algorithm
// 1.2.804.2.1.1.1.1.3.1.1 with the named curve M257 (…3.1.1.2.6), and 33
// bytes of compressed point. The point is random: nothing verifies with it.
func dstuPublicKey(tb testing.TB) rawSPKI {
	tb.Helper()
	point := make([]byte, 33)
	rand.Read(point)
	inner, err := asn1.Marshal(point)
	if err != nil {
		tb.Fatal(err)
	}
	spki, err := asn1.Marshal(struct {
		Algorithm struct {
			OID    asn1.ObjectIdentifier
			Params struct{ Curve asn1.ObjectIdentifier }
		}
		Key asn1.BitString
	}{
		Algorithm: struct {
			OID    asn1.ObjectIdentifier
			Params struct{ Curve asn1.ObjectIdentifier }
		}{
			asn1.ObjectIdentifier{1, 2, 804, 2, 1, 1, 1, 1, 3, 1, 1},
			struct{ Curve asn1.ObjectIdentifier }{asn1.ObjectIdentifier{1, 2, 804, 2, 1, 1, 1, 1, 3, 1, 1, 2, 6}},
		},
		Key: asn1.BitString{Bytes: inner, BitLength: 8 * len(inner)},
	})
	if err != nil {
		tb.Fatalf("pkitest: DSTU key: %v", err)
	}
	return spki
}

// createCertificate issues tmpl for pub, signed by signer under parent.
// Without GOST anywhere it is x509.CreateCertificate. With GOST, x509 is
// asked to encode the certificate around a throw-away ECDSA key (so that
// extensions, names and times are written by the standard library); then
// the SubjectPublicKeyInfo and signature algorithm are replaced in the
// TBSCertificate, which is signed again with the real key.
func createCertificate(tb testing.TB, tmpl, parent *x509.Certificate, pub crypto.PublicKey, signer crypto.Signer) []byte {
	tb.Helper()
	der, err := createCertificateErr(tmpl, parent, pub, signer)
	if err != nil {
		tb.Fatalf("pkitest: create certificate: %v", err)
	}
	return der
}

func createCertificateErr(tmpl, parent *x509.Certificate, pub crypto.PublicKey, signer crypto.Signer) ([]byte, error) {
	if !isGOST(pub) && !isGOST(signer) {
		return x509.CreateCertificate(rand.Reader, tmpl, parent, pub, signer)
	}
	dummy, err := generateKey(ECDSA)
	if err != nil {
		return nil, err
	}
	p := *parent
	p.PublicKey = nil
	der, err := x509.CreateCertificate(rand.Reader, tmpl, &p, dummy.Public(), dummy)
	if err != nil {
		return nil, err
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		return nil, err
	}
	elems, err := sequenceElements(cert.RawTBSCertificate)
	if err != nil {
		return nil, err
	}
	// TBSCertificate: [0] version, serial, signature, issuer, validity,
	// subject, subjectPublicKeyInfo, ... (version is always present: v3).
	alg, err := algorithmFor(signer)
	if err != nil {
		return nil, err
	}
	spki, err := marshalPublicKey(pub)
	if err != nil {
		return nil, err
	}
	elems[2] = alg
	elems[6] = spki
	tbs, err := sequence(elems)
	if err != nil {
		return nil, err
	}
	return signed(tbs, alg, signer)
}

// sequenceElements splits a DER SEQUENCE into its elements' encodings.
func sequenceElements(der []byte) ([][]byte, error) {
	var seq asn1.RawValue
	if _, err := asn1.Unmarshal(der, &seq); err != nil {
		return nil, fmt.Errorf("split SEQUENCE: %w", err)
	}
	var elems [][]byte
	for rest := seq.Bytes; len(rest) > 0; {
		var e asn1.RawValue
		var err error
		if rest, err = asn1.Unmarshal(rest, &e); err != nil {
			return nil, fmt.Errorf("split SEQUENCE: %w", err)
		}
		elems = append(elems, e.FullBytes)
	}
	return elems, nil
}

func sequence(elems [][]byte) ([]byte, error) {
	var body []byte
	for _, e := range elems {
		body = append(body, e...)
	}
	return asn1.Marshal(asn1.RawValue{Tag: asn1.TagSequence, IsCompound: true, Bytes: body})
}

// algorithmFor is the DER AlgorithmIdentifier signer signs with here.
func algorithmFor(signer crypto.Signer) ([]byte, error) {
	var alg pkix.AlgorithmIdentifier
	switch k := signer.(type) {
	case *rsa.PrivateKey:
		alg = pkix.AlgorithmIdentifier{Algorithm: oidSHA256WithRSA, Parameters: asn1.NullRawValue}
	case *ecdsa.PrivateKey:
		alg = pkix.AlgorithmIdentifier{Algorithm: oidECDSAWithSHA256}
	case ed25519.PrivateKey:
		alg = pkix.AlgorithmIdentifier{Algorithm: oidEd25519}
	case *gost.PrivateKey:
		// RFC 9215 section 3.1: parameters absent.
		alg = pkix.AlgorithmIdentifier{Algorithm: gost.OIDSignWithDigest256}
		if k.Curve.PointSize == gost.Size512 {
			alg.Algorithm = gost.OIDSignWithDigest512
		}
	default:
		return nil, fmt.Errorf("unsupported signer %T", signer)
	}
	return asn1.Marshal(alg)
}

// signed returns SEQUENCE { tbs, alg, BIT STRING signature }.
func signed(tbs, alg []byte, signer crypto.Signer) ([]byte, error) {
	var sig []byte
	var err error
	switch k := signer.(type) {
	case *gost.PrivateKey:
		var digest []byte
		if k.Curve.PointSize == gost.Size512 {
			d := gost.Sum512(tbs)
			digest = d[:]
		} else {
			d := gost.Sum256(tbs)
			digest = d[:]
		}
		sig, err = k.Sign(rand.Reader, digest, nil)
	case ed25519.PrivateKey:
		sig, err = k.Sign(rand.Reader, tbs, crypto.Hash(0))
	default:
		d := sha256.Sum256(tbs)
		sig, err = k.Sign(rand.Reader, d[:], crypto.SHA256)
	}
	if err != nil {
		return nil, fmt.Errorf("sign: %w", err)
	}
	bits, err := asn1.Marshal(asn1.BitString{Bytes: sig, BitLength: 8 * len(sig)})
	if err != nil {
		return nil, err
	}
	return sequence([][]byte{tbs, alg, bits})
}

func marshalPublicKey(pub crypto.PublicKey) ([]byte, error) {
	switch k := pub.(type) {
	case *gost.PublicKey:
		return gost.MarshalPKIXPublicKey(k)
	case rawSPKI:
		return k, nil
	}
	return x509.MarshalPKIXPublicKey(pub)
}

// P7B returns a PKCS #7 certs-only SignedData (a .p7b file, DER) holding
// certs, as Windows and CAs export chains.
func P7B(tb testing.TB, certs ...[]byte) []byte {
	tb.Helper()
	var set []byte
	for _, c := range certs {
		set = append(set, c...)
	}
	type encapContentInfo struct {
		ContentType asn1.ObjectIdentifier
	}
	type signedData struct {
		Version          int
		DigestAlgorithms []pkix.AlgorithmIdentifier `asn1:"set"`
		EncapContentInfo encapContentInfo
		Certificates     asn1.RawValue
		SignerInfos      []asn1.RawValue `asn1:"set"`
	}
	sd := signedData{
		Version:          1,
		DigestAlgorithms: []pkix.AlgorithmIdentifier{},
		EncapContentInfo: encapContentInfo{ContentType: oidData},
		Certificates:     asn1.RawValue{Class: asn1.ClassContextSpecific, Tag: 0, IsCompound: true, Bytes: set},
		SignerInfos:      []asn1.RawValue{},
	}
	sdDER, err := asn1.Marshal(sd)
	if err != nil {
		tb.Fatalf("pkitest: p7b SignedData: %v", err)
	}
	ci := struct {
		ContentType asn1.ObjectIdentifier
		Content     asn1.RawValue // [0] EXPLICIT, written by hand
	}{oidSignedData, asn1.RawValue{Class: asn1.ClassContextSpecific, Tag: 0, IsCompound: true, Bytes: sdDER}}
	der, err := asn1.Marshal(ci)
	if err != nil {
		tb.Fatalf("pkitest: p7b ContentInfo: %v", err)
	}
	return der
}
