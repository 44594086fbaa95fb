package gost

import (
	"encoding/asn1"
	"errors"
	"fmt"
	"math/big"
	"sync"
)

// Bytes returns the raw public key: X then Y, each little-endian in
// PointSize bytes. This is the content of the OCTET STRING that the
// SubjectPublicKeyInfo BIT STRING wraps (RFC 9215 section 4.3).
func (pub *PublicKey) Bytes() []byte {
	n := pub.Curve.PointSize
	out := make([]byte, 2*n)
	pub.X.FillBytes(out[:n])
	pub.Y.FillBytes(out[n:])
	reverse(out[:n])
	reverse(out[n:])
	return out
}

func reverse(b []byte) {
	for i, j := 0, len(b)-1; i < j; i, j = i+1, j-1 {
		b[i], b[j] = b[j], b[i]
	}
}

func littleEndianInt(b []byte) *big.Int {
	be := append([]byte(nil), b...)
	reverse(be)
	return new(big.Int).SetBytes(be)
}

// ParsePublicKey parses the raw X||Y little-endian form Bytes returns and
// checks that the point lies on the curve (and, on the cofactor-4 curves,
// in the prime-order subgroup).
func ParsePublicKey(c *Curve, raw []byte) (*PublicKey, error) {
	if c == nil {
		return nil, errors.New("gost: nil curve")
	}
	if len(raw) != 2*c.PointSize {
		return nil, fmt.Errorf("gost: public key must be %d bytes for %s, got %d", 2*c.PointSize, c.Name, len(raw))
	}
	x := littleEndianInt(raw[:c.PointSize])
	y := littleEndianInt(raw[c.PointSize:])
	if x.Cmp(c.P) >= 0 || y.Cmp(c.P) >= 0 {
		return nil, errors.New("gost: public key coordinate out of range")
	}
	if !c.isOnCurve(x, y) {
		return nil, errors.New("gost: public key point is not on the curve")
	}
	if c.Cofactor != 1 && !subgroupChecked.has(c, raw) {
		// q·P must be the identity. The point is public, so the fast
		// variable-time multiplication of Verify is fine here; the
		// constant-time one made parsing a tc26-A certificate 8× slower.
		r := c.jacMulVarTime(c.Q, x, y)
		if c.init().fp.isZero(&r.z) != 1 {
			return nil, errors.New("gost: public key point is not in the prime-order subgroup")
		}
		subgroupChecked.add(c, raw)
	}
	return &PublicKey{Curve: c, X: x, Y: y}, nil
}

type algorithmIdentifier struct {
	Algorithm  asn1.ObjectIdentifier
	Parameters asn1.RawValue `asn1:"optional"`
}

type subjectPublicKeyInfo struct {
	Algorithm algorithmIdentifier
	PublicKey asn1.BitString
}

// keyParameters is GostR3410-2012-PublicKeyParameters (RFC 9215 section
// 4.2). The encryption parameter set only occurs in old GOST 2001 keys.
type keyParameters struct {
	PublicKeyParamSet  asn1.ObjectIdentifier
	DigestParamSet     asn1.ObjectIdentifier `asn1:"optional"`
	EncryptionParamSet asn1.ObjectIdentifier `asn1:"optional"`
}

type pkcs8 struct {
	Version    int
	Algorithm  algorithmIdentifier
	PrivateKey []byte
	Attributes asn1.RawValue `asn1:"optional,tag:0"`
}

// algorithmFor returns the AlgorithmIdentifier for keys on c. Byte for byte
// as OpenSSL's GOST engine writes it: the digest parameter set is left out
// for the tc26 256-bit sets and 512-bit paramSetC (RFC 9215 section 4.2)
// and written for the older sets, where earlier software expects it.
func algorithmFor(c *Curve) (algorithmIdentifier, error) {
	params := keyParameters{PublicKeyParamSet: c.OID}
	alg := OIDPublicKey256
	digest := OIDStreebog256
	if c.PointSize == 64 {
		alg, digest = OIDPublicKey512, OIDStreebog512
	}
	tc26256 := asn1.ObjectIdentifier{1, 2, 643, 7, 1, 2, 1, 1}
	isTC26256 := len(c.OID) == len(tc26256)+1 && c.OID[:len(tc26256)].Equal(tc26256)
	if !isTC26256 && c != CurveTC26512C {
		params.DigestParamSet = digest
	}
	der, err := asn1.Marshal(params)
	if err != nil {
		return algorithmIdentifier{}, fmt.Errorf("gost: %w", err)
	}
	return algorithmIdentifier{Algorithm: alg, Parameters: asn1.RawValue{FullBytes: der}}, nil
}

// curveFor resolves an AlgorithmIdentifier of a GOST R 34.10-2012 key.
func curveFor(alg algorithmIdentifier) (*Curve, error) {
	var size int
	switch {
	case alg.Algorithm.Equal(OIDPublicKey256):
		size = 32
	case alg.Algorithm.Equal(OIDPublicKey512):
		size = 64
	default:
		return nil, fmt.Errorf("gost: unsupported key algorithm OID %s", alg.Algorithm)
	}
	if len(alg.Parameters.FullBytes) == 0 {
		return nil, errors.New("gost: key algorithm parameters missing")
	}
	var params keyParameters
	rest, err := asn1.Unmarshal(alg.Parameters.FullBytes, &params)
	if err != nil {
		return nil, fmt.Errorf("gost: malformed key parameters: %w", err)
	}
	if len(rest) != 0 {
		return nil, errors.New("gost: trailing data after key parameters")
	}
	c, err := CurveByOID(params.PublicKeyParamSet)
	if err != nil {
		return nil, err
	}
	if c.PointSize != size {
		return nil, fmt.Errorf("gost: parameter set %s does not fit key algorithm %s", c.Name, alg.Algorithm)
	}
	return c, nil
}

// MarshalPKIXPublicKey returns the DER SubjectPublicKeyInfo of pub
// (RFC 9215 section 4): algorithm id-tc26-gost3410-12-256 or -512 with the
// parameter set, and a BIT STRING holding an OCTET STRING of X||Y, both
// little-endian.
func MarshalPKIXPublicKey(pub *PublicKey) ([]byte, error) {
	if pub == nil || pub.Curve == nil || pub.X == nil || pub.Y == nil {
		return nil, errors.New("gost: incomplete public key")
	}
	if !pub.Curve.isOnCurve(pub.X, pub.Y) {
		return nil, errors.New("gost: public key point is not on the curve")
	}
	alg, err := algorithmFor(pub.Curve)
	if err != nil {
		return nil, err
	}
	key, err := asn1.Marshal(pub.Bytes())
	if err != nil {
		return nil, fmt.Errorf("gost: %w", err)
	}
	return asn1.Marshal(subjectPublicKeyInfo{Algorithm: alg, PublicKey: asn1.BitString{Bytes: key, BitLength: 8 * len(key)}})
}

// ParsePKIXPublicKey parses a DER SubjectPublicKeyInfo holding a GOST R
// 34.10-2012 key, rejecting unknown algorithms and parameter sets, wrong
// lengths and points not on the curve.
func ParsePKIXPublicKey(der []byte) (*PublicKey, error) {
	var spki subjectPublicKeyInfo
	rest, err := asn1.Unmarshal(der, &spki)
	if err != nil {
		return nil, fmt.Errorf("gost: malformed SubjectPublicKeyInfo: %w", err)
	}
	if len(rest) != 0 {
		return nil, errors.New("gost: trailing data after SubjectPublicKeyInfo")
	}
	c, err := curveFor(spki.Algorithm)
	if err != nil {
		return nil, err
	}
	if spki.PublicKey.BitLength%8 != 0 {
		return nil, errors.New("gost: public key BIT STRING is not whole bytes")
	}
	var raw []byte
	rest, err = asn1.Unmarshal(spki.PublicKey.Bytes, &raw)
	if err != nil {
		return nil, fmt.Errorf("gost: public key is not an OCTET STRING: %w", err)
	}
	if len(rest) != 0 {
		return nil, errors.New("gost: trailing data after public key OCTET STRING")
	}
	return ParsePublicKey(c, raw)
}

// MarshalPKCS8PrivateKey returns the DER PKCS #8 PrivateKeyInfo of priv in
// the form OpenSSL's GOST engine writes and reads: the privateKey OCTET
// STRING holds D directly, little-endian in PointSize bytes.
func MarshalPKCS8PrivateKey(priv *PrivateKey) ([]byte, error) {
	if priv == nil || priv.Curve == nil || priv.D == nil {
		return nil, errors.New("gost: incomplete private key")
	}
	c := priv.Curve
	if priv.D.Sign() <= 0 || priv.D.Cmp(c.Q) >= 0 {
		return nil, errors.New("gost: private key out of range")
	}
	alg, err := algorithmFor(c)
	if err != nil {
		return nil, err
	}
	d := make([]byte, c.PointSize)
	priv.D.FillBytes(d)
	reverse(d)
	return asn1.Marshal(pkcs8{Algorithm: alg, PrivateKey: d})
}

// ParsePKCS8PrivateKey parses a DER PKCS #8 PrivateKeyInfo holding a GOST
// R 34.10-2012 key. The privateKey OCTET STRING may hold D as raw
// little-endian bytes (OpenSSL's GOST engine), as a nested little-endian
// OCTET STRING, or as a DER INTEGER (both seen in other software).
func ParsePKCS8PrivateKey(der []byte) (*PrivateKey, error) {
	var info pkcs8
	rest, err := asn1.Unmarshal(der, &info)
	if err != nil {
		return nil, fmt.Errorf("gost: malformed PKCS #8 private key: %w", err)
	}
	if len(rest) != 0 {
		return nil, errors.New("gost: trailing data after PKCS #8 private key")
	}
	if info.Version != 0 && info.Version != 1 {
		return nil, fmt.Errorf("gost: unsupported PKCS #8 version %d", info.Version)
	}
	c, err := curveFor(info.Algorithm)
	if err != nil {
		return nil, err
	}
	d, err := privateScalar(c, info.PrivateKey)
	if err != nil {
		return nil, err
	}
	return NewPrivateKey(c, d)
}

func privateScalar(c *Curve, b []byte) (*big.Int, error) {
	if len(b) == c.PointSize {
		return littleEndianInt(b), nil
	}
	var raw asn1.RawValue
	rest, err := asn1.Unmarshal(b, &raw)
	if err != nil || len(rest) != 0 || raw.Class != asn1.ClassUniversal {
		return nil, fmt.Errorf("gost: private key must be %d bytes for %s, got %d", c.PointSize, c.Name, len(b))
	}
	switch raw.Tag {
	case asn1.TagOctetString:
		if len(raw.Bytes) != c.PointSize {
			return nil, fmt.Errorf("gost: private key must be %d bytes for %s, got %d", c.PointSize, c.Name, len(raw.Bytes))
		}
		return littleEndianInt(raw.Bytes), nil
	case asn1.TagInteger:
		var d *big.Int
		if _, err := asn1.Unmarshal(b, &d); err != nil {
			return nil, fmt.Errorf("gost: malformed private key INTEGER: %w", err)
		}
		return d, nil
	}
	return nil, fmt.Errorf("gost: unsupported private key encoding (tag %d)", raw.Tag)
}

// subgroupChecked remembers public keys that passed the subgroup check: a
// service parses the same few certificates over and over, and the check
// costs a full scalar multiplication. Keys are public; the set is bounded
// and simply emptied when full.
var subgroupChecked = &keySet{m: map[string]struct{}{}}

type keySet struct {
	mu sync.Mutex
	m  map[string]struct{}
}

const keySetMax = 4096

func (s *keySet) has(c *Curve, raw []byte) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	_, ok := s.m[c.Name+string(raw)]
	return ok
}

func (s *keySet) add(c *Curve, raw []byte) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.m) >= keySetMax {
		clear(s.m)
	}
	s.m[c.Name+string(raw)] = struct{}{}
}
