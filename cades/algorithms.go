package cades

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rsa"
	"crypto/x509"
	"encoding/asn1"
	"errors"
	"fmt"
	"hash"

	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"

	"paraph/gost"
)

// Object identifiers of RFC 5652, RFC 5035, RFC 5754, RFC 8017, RFC 8410 and RFC 9337.
var (
	oidData       = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 7, 1}
	oidSignedData = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 7, 2}

	oidAttrContentType          = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 3}
	oidAttrMessageDigest        = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 4}
	oidAttrSigningTime          = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 5}
	oidAttrSigningCertificate   = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 16, 2, 12}
	oidAttrSigningCertificateV2 = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 16, 2, 47}

	oidSHA1   = asn1.ObjectIdentifier{1, 3, 14, 3, 2, 26}
	oidSHA256 = asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 2, 1}
	oidSHA384 = asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 2, 2}
	oidSHA512 = asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 2, 3}

	oidECPublicKey     = asn1.ObjectIdentifier{1, 2, 840, 10045, 2, 1}
	oidECDSAWithSHA1   = asn1.ObjectIdentifier{1, 2, 840, 10045, 4, 1}
	oidECDSAWithSHA2   = asn1.ObjectIdentifier{1, 2, 840, 10045, 4, 3} // .2 SHA-256, .3 SHA-384, .4 SHA-512
	oidRSAEncryption   = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 1, 1}
	oidRSAPSS          = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 1, 10}
	oidMGF1            = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 1, 8}
	oidSHA256WithRSA   = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 1, 11}
	oidSHA384WithRSA   = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 1, 12}
	oidSHA512WithRSA   = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 1, 13}
	oidEd25519         = asn1.ObjectIdentifier{1, 3, 101, 112}
	oidECDSAWithSHA256 = append(append(asn1.ObjectIdentifier{}, oidECDSAWithSHA2...), 2)
	oidECDSAWithSHA384 = append(append(asn1.ObjectIdentifier{}, oidECDSAWithSHA2...), 3)
	oidECDSAWithSHA512 = append(append(asn1.ObjectIdentifier{}, oidECDSAWithSHA2...), 4)
)

// Names of digest algorithms, as SignedAttributes, Prepared and DigestFor report them.
const (
	SHA256      = "SHA-256"
	SHA384      = "SHA-384"
	SHA512      = "SHA-512"
	Streebog256 = "Streebog-256"
	Streebog512 = "Streebog-512"
)

// Names of signature algorithms, as Prepared and Signer report them.
const (
	AlgECDSA       = "ECDSA"
	AlgRSAPKCS1v15 = "RSA-PKCS1v15"
	AlgRSAPSS      = "RSA-PSS"
	AlgEd25519     = "Ed25519"
	AlgGOST256     = "GOST3410-2012-256"
	AlgGOST512     = "GOST3410-2012-512"
)

// digestAlg is one digest algorithm cades can compute.
type digestAlg struct {
	name string
	oid  asn1.ObjectIdentifier
	// nullParams: the AlgorithmIdentifier carries NULL parameters. RFC 5754
	// says to omit them for SHA-2; OpenSSL's GOST engine writes NULL for
	// Streebog, and we write what the peer that must read it writes.
	nullParams bool
	hash       crypto.Hash // 0 for Streebog: crypto.Hash has no value for it
	size       int
	new        func() hash.Hash
}

var digestAlgs = []*digestAlg{
	{name: SHA256, oid: oidSHA256, hash: crypto.SHA256, size: 32, new: crypto.SHA256.New},
	{name: SHA384, oid: oidSHA384, hash: crypto.SHA384, size: 48, new: crypto.SHA384.New},
	{name: SHA512, oid: oidSHA512, hash: crypto.SHA512, size: 64, new: crypto.SHA512.New},
	{name: Streebog256, oid: gost.OIDStreebog256, nullParams: true, size: 32, new: gost.NewStreebog256},
	{name: Streebog512, oid: gost.OIDStreebog512, nullParams: true, size: 64, new: gost.NewStreebog512},
}

func digestByOID(oid asn1.ObjectIdentifier) *digestAlg {
	for _, d := range digestAlgs {
		if d.oid.Equal(oid) {
			return d
		}
	}
	return nil
}

func digestByName(name string) *digestAlg {
	for _, d := range digestAlgs {
		if d.name == name {
			return d
		}
	}
	return nil
}

// ErrUnsupportedKey is returned for certificates whose key cades cannot sign
// or verify with.
var ErrUnsupportedKey = errors.New("cades: unsupported public key")

// signerKey is a certificate's public key with the algorithms cades uses
// with it.
type signerKey struct {
	pub    crypto.PublicKey // *ecdsa.PublicKey, *rsa.PublicKey, ed25519.PublicKey or *gost.PublicKey
	alg    string           // AlgECDSA, AlgRSAPKCS1v15, AlgEd25519, AlgGOST256, AlgGOST512
	digest *digestAlg       // the digest for content and signed attributes
	spki   []byte           // the DER SubjectPublicKeyInfo pub was read from
}

// keyOf returns the public key of cert. GOST keys come from the raw
// SubjectPublicKeyInfo, since crypto/x509 leaves PublicKey nil for them.
func keyOf(cert *x509.Certificate) (*signerKey, error) {
	if cert == nil {
		return nil, errors.New("cades: no certificate")
	}
	k, err := keyOfPublic(cert)
	if err != nil {
		return nil, err
	}
	k.spki = cert.RawSubjectPublicKeyInfo
	return k, nil
}

func keyOfPublic(cert *x509.Certificate) (*signerKey, error) {
	switch pub := cert.PublicKey.(type) {
	case *ecdsa.PublicKey:
		switch pub.Curve {
		case elliptic.P256():
			return &signerKey{pub: pub, alg: AlgECDSA, digest: digestByName(SHA256)}, nil
		case elliptic.P384():
			return &signerKey{pub: pub, alg: AlgECDSA, digest: digestByName(SHA384)}, nil
		case elliptic.P521():
			return &signerKey{pub: pub, alg: AlgECDSA, digest: digestByName(SHA512)}, nil
		}
		return nil, fmt.Errorf("%w: ECDSA curve %s", ErrUnsupportedKey, pub.Curve.Params().Name)
	case *rsa.PublicKey:
		if pub.N.BitLen() < 2048 {
			return nil, fmt.Errorf("%w: RSA key of %d bits, 2048 at least", ErrUnsupportedKey, pub.N.BitLen())
		}
		return &signerKey{pub: pub, alg: AlgRSAPKCS1v15, digest: digestByName(SHA256)}, nil
	case ed25519.PublicKey:
		// RFC 8419 section 3.1: with signed attributes, the message digest is SHA-512.
		return &signerKey{pub: pub, alg: AlgEd25519, digest: digestByName(SHA512)}, nil
	case nil:
		pub2, err := gost.ParsePKIXPublicKey(cert.RawSubjectPublicKeyInfo)
		if err != nil {
			return nil, fmt.Errorf("%w: %v", ErrUnsupportedKey, err)
		}
		if pub2.Curve.PointSize == 64 {
			return &signerKey{pub: pub2, alg: AlgGOST512, digest: digestByName(Streebog512)}, nil
		}
		return &signerKey{pub: pub2, alg: AlgGOST256, digest: digestByName(Streebog256)}, nil
	}
	return nil, fmt.Errorf("%w: %T", ErrUnsupportedKey, cert.PublicKey)
}

// DigestFor returns a fresh hash for the content a signature with cert's
// key covers, and its name: SHA-256 for ECDSA P-256 and RSA, SHA-384 for
// P-384, SHA-512 for P-521 and Ed25519 (RFC 8419), Streebog-256 or -512 for
// GOST R 34.10-2012 256 or 512. Feed it the document as a stream and pass
// the sum to Prepare.
func DigestFor(cert *x509.Certificate) (hash.Hash, string, error) {
	k, err := keyOf(cert)
	if err != nil {
		return nil, "", err
	}
	return k.digest.new(), k.digest.name, nil
}

// errUnsupportedAlg marks an algorithm cades does not implement: Verify
// reports it as indeterminate/algorithm_unsupported, never as a pass.
var errUnsupportedAlg = errors.New("cades: unsupported algorithm")

// signatureName names a SignerInfo signatureAlgorithm OID, or returns it
// dotted when cades does not know it.
func signatureName(oid asn1.ObjectIdentifier) string {
	switch {
	case oid.Equal(oidECPublicKey), oid.Equal(oidECDSAWithSHA256), oid.Equal(oidECDSAWithSHA384), oid.Equal(oidECDSAWithSHA512):
		return AlgECDSA
	case oid.Equal(oidRSAEncryption), oid.Equal(oidSHA256WithRSA), oid.Equal(oidSHA384WithRSA), oid.Equal(oidSHA512WithRSA):
		return AlgRSAPKCS1v15
	case oid.Equal(oidRSAPSS):
		return AlgRSAPSS
	case oid.Equal(oidEd25519):
		return AlgEd25519
	case oid.Equal(gost.OIDPublicKey256), oid.Equal(gost.OIDSignWithDigest256):
		return AlgGOST256
	case oid.Equal(gost.OIDPublicKey512), oid.Equal(gost.OIDSignWithDigest512):
		return AlgGOST512
	}
	return oid.String()
}

// hashInSignatureOID returns the digest an OID such as ecdsa-with-SHA384
// names, or nil for OIDs that name none (rsaEncryption, id-ecPublicKey).
func hashInSignatureOID(oid asn1.ObjectIdentifier) *digestAlg {
	switch {
	case oid.Equal(oidECDSAWithSHA256), oid.Equal(oidSHA256WithRSA):
		return digestByName(SHA256)
	case oid.Equal(oidECDSAWithSHA384), oid.Equal(oidSHA384WithRSA):
		return digestByName(SHA384)
	case oid.Equal(oidECDSAWithSHA512), oid.Equal(oidSHA512WithRSA):
		return digestByName(SHA512)
	}
	return nil
}

// verifySignature checks sig over the signed attributes attrs with the
// signer's key, for the signature algorithm oid (with params) and the
// SignerInfo digest algorithm d. It returns an error wrapping
// errUnsupportedAlg when the combination is unknown, and another error when
// the signature is wrong. A value sc remembers is not verified again; one
// that verifies is added to it. sc may be nil.
func verifySignature(k *signerKey, oid asn1.ObjectIdentifier, params []byte, d *digestAlg, attrs, sig []byte, sc *SignatureCache) error {
	name := signatureName(oid)
	if h := hashInSignatureOID(oid); h != nil && h != d {
		return fmt.Errorf("cades: signature algorithm %s with digest %s", oid, d.name)
	}
	switch name {
	case AlgECDSA, AlgRSAPKCS1v15, AlgRSAPSS, AlgEd25519, AlgGOST256, AlgGOST512:
	default:
		return fmt.Errorf("%w: signature algorithm %s", errUnsupportedAlg, oid)
	}
	keyAlg := k.alg
	if keyAlg == AlgRSAPKCS1v15 && name == AlgRSAPSS {
		keyAlg = AlgRSAPSS // one RSA key signs either way
	}
	if name != keyAlg {
		return fmt.Errorf("cades: signature algorithm %s does not fit the certificate's %s key", name, k.alg)
	}
	salt := 0
	switch name {
	case AlgECDSA:
		if d.hash == 0 {
			return fmt.Errorf("%w: ECDSA with %s", errUnsupportedAlg, d.name)
		}
	case AlgRSAPKCS1v15:
		if d.hash == 0 {
			return fmt.Errorf("%w: RSA with %s", errUnsupportedAlg, d.name)
		}
	case AlgRSAPSS:
		var err error
		if salt, err = parsePSSParams(params, d); err != nil {
			return err
		}
	case AlgEd25519:
		// Pure Ed25519 signs the attributes themselves (RFC 8419 section
		// 3.1); the digest algorithm only made messageDigest.
		if d.hash == 0 {
			return fmt.Errorf("%w: Ed25519 with %s", errUnsupportedAlg, d.name)
		}
	case AlgGOST256, AlgGOST512:
		if d != k.digest {
			return fmt.Errorf("%w: %s with %s (RFC 9337 pairs it with %s)", errUnsupportedAlg, name, d.name, k.digest.name)
		}
	}
	if sc == nil {
		return verifyValue(k, name, salt, d, attrs, sig)
	}
	key := signatureKey(k, name, salt, d, attrs, sig)
	if sc.verified(key) {
		return nil
	}
	if err := verifyValue(k, name, salt, d, attrs, sig); err != nil {
		return err
	}
	sc.add(key)
	return nil
}

// verifyValue runs the signature primitive of verifySignature, once the
// algorithm, the digest and the PSS salt length are known to fit.
func verifyValue(k *signerKey, name string, salt int, d *digestAlg, attrs, sig []byte) error {
	switch name {
	case AlgECDSA:
		if !ecdsa.VerifyASN1(k.pub.(*ecdsa.PublicKey), digestOf(d, attrs), sig) {
			return errors.New("cades: ECDSA signature does not verify")
		}
		return nil
	case AlgRSAPKCS1v15:
		if err := rsa.VerifyPKCS1v15(k.pub.(*rsa.PublicKey), d.hash, digestOf(d, attrs), sig); err != nil {
			return errors.New("cades: RSA PKCS#1 v1.5 signature does not verify")
		}
		return nil
	case AlgRSAPSS:
		if err := rsa.VerifyPSS(k.pub.(*rsa.PublicKey), d.hash, digestOf(d, attrs), sig, &rsa.PSSOptions{SaltLength: salt, Hash: d.hash}); err != nil {
			return errors.New("cades: RSA-PSS signature does not verify")
		}
		return nil
	case AlgEd25519:
		if !ed25519.Verify(k.pub.(ed25519.PublicKey), attrs, sig) {
			return errors.New("cades: Ed25519 signature does not verify")
		}
		return nil
	case AlgGOST256, AlgGOST512:
		if err := gost.Verify(k.pub.(*gost.PublicKey), digestOf(d, attrs), sig); err != nil {
			return fmt.Errorf("cades: GOST signature does not verify: %v", err)
		}
		return nil
	}
	return fmt.Errorf("%w: signature algorithm %s", errUnsupportedAlg, name)
}

var (
	tagPSSHash = cbasn1.Tag(0).ContextSpecific().Constructed()
	tagPSSMGF  = cbasn1.Tag(1).ContextSpecific().Constructed()
	tagPSSSalt = cbasn1.Tag(2).ContextSpecific().Constructed()
	tagPSSTrl  = cbasn1.Tag(3).ContextSpecific().Constructed()
)

// parsePSSParams reads RSASSA-PSS-params (RFC 8017 A.2.3) and returns the
// salt length, insisting that the hash and the MGF1 hash are the digest
// algorithm of the SignerInfo: mixed hashes are legal but nobody makes them.
func parsePSSParams(params []byte, d *digestAlg) (int, error) {
	s := cryptobyte.String(params)
	var seq cryptobyte.String
	if !s.ReadASN1(&seq, cbasn1.SEQUENCE) || !s.Empty() {
		return 0, fmt.Errorf("%w: RSA-PSS without parameters", errUnsupportedAlg)
	}
	hashOID, mgfHashOID := oidSHA1, oidSHA1
	salt := int64(20)
	if seq.PeekASN1Tag(tagPSSHash) {
		var h cryptobyte.String
		var err error
		if !seq.ReadASN1(&h, tagPSSHash) {
			return 0, errors.New("cades: bad RSA-PSS hashAlgorithm")
		}
		if hashOID, _, err = readAlgorithm(&h); err != nil {
			return 0, err
		}
	}
	if seq.PeekASN1Tag(tagPSSMGF) {
		var m, mgf cryptobyte.String
		var mgfOID asn1.ObjectIdentifier
		if !seq.ReadASN1(&m, tagPSSMGF) || !m.ReadASN1(&mgf, cbasn1.SEQUENCE) || !mgf.ReadASN1ObjectIdentifier(&mgfOID) {
			return 0, errors.New("cades: bad RSA-PSS maskGenAlgorithm")
		}
		if !mgfOID.Equal(oidMGF1) {
			return 0, fmt.Errorf("%w: RSA-PSS mask generation %s", errUnsupportedAlg, mgfOID)
		}
		var err error
		if mgfHashOID, _, err = readAlgorithm(&mgf); err != nil {
			return 0, err
		}
	}
	if seq.PeekASN1Tag(tagPSSSalt) {
		var sl cryptobyte.String
		if !seq.ReadASN1(&sl, tagPSSSalt) || !sl.ReadASN1Int64WithTag(&salt, cbasn1.INTEGER) || salt < 0 || salt > 1024 {
			return 0, errors.New("cades: bad RSA-PSS saltLength")
		}
	}
	if seq.PeekASN1Tag(tagPSSTrl) {
		var tr cryptobyte.String
		var trailer int64
		if !seq.ReadASN1(&tr, tagPSSTrl) || !tr.ReadASN1Int64WithTag(&trailer, cbasn1.INTEGER) || trailer != 1 {
			return 0, errors.New("cades: bad RSA-PSS trailerField")
		}
	}
	if !hashOID.Equal(d.oid) || !mgfHashOID.Equal(d.oid) || d.hash == 0 {
		return 0, fmt.Errorf("%w: RSA-PSS with hash %s, MGF1 %s and digest %s", errUnsupportedAlg, hashOID, mgfHashOID, d.name)
	}
	return int(salt), nil
}

// signatureAlgorithm encodes the SignerInfo signatureAlgorithm cades writes
// for alg and digest d:
//   - ECDSA: ecdsa-with-SHA256/384/512, no parameters (RFC 5758);
//   - RSA PKCS#1 v1.5: rsaEncryption with NULL, as OpenSSL writes and every
//     reader accepts (RFC 3370 section 3.2);
//   - RSA-PSS: id-RSASSA-PSS with the hash, MGF1 with the same hash and a
//     salt as long as the hash (RFC 4056);
//   - Ed25519: id-Ed25519, no parameters (RFC 8419);
//   - GOST: the public key OID id-tc26-gost3410-12-256/512 with NULL, as
//     OpenSSL's GOST engine and CryptoPro write (RFC 4490 section 3.2 and
//     its successor RFC 9337 name the key algorithm here).
func signatureAlgorithm(b *cryptobyte.Builder, alg string, d *digestAlg) {
	switch alg {
	case AlgECDSA:
		oid := oidECDSAWithSHA256
		switch d.name {
		case SHA384:
			oid = oidECDSAWithSHA384
		case SHA512:
			oid = oidECDSAWithSHA512
		}
		addAlgorithm(b, oid, false)
	case AlgRSAPKCS1v15:
		addAlgorithm(b, oidRSAEncryption, true)
	case AlgRSAPSS:
		b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
			b.AddASN1ObjectIdentifier(oidRSAPSS)
			b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
				b.AddASN1(tagPSSHash, func(b *cryptobyte.Builder) { addAlgorithm(b, d.oid, false) })
				b.AddASN1(tagPSSMGF, func(b *cryptobyte.Builder) {
					b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
						b.AddASN1ObjectIdentifier(oidMGF1)
						addAlgorithm(b, d.oid, false)
					})
				})
				b.AddASN1(tagPSSSalt, func(b *cryptobyte.Builder) { b.AddASN1Int64(int64(d.size)) })
			})
		})
	case AlgEd25519:
		addAlgorithm(b, oidEd25519, false)
	case AlgGOST256:
		addAlgorithm(b, gost.OIDPublicKey256, true)
	case AlgGOST512:
		addAlgorithm(b, gost.OIDPublicKey512, true)
	}
}
