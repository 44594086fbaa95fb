package gost

import (
	"crypto"
	cryptorand "crypto/rand"
	"errors"
	"fmt"
	"io"
	"math/big"
)

// PublicKey is a GOST R 34.10-2012 public key: the point (X, Y) on Curve.
type PublicKey struct {
	Curve *Curve
	X, Y  *big.Int
}

// PrivateKey is a GOST R 34.10-2012 private key: the scalar D, 0 < D < Q.
type PrivateKey struct {
	PublicKey
	D *big.Int
}

// Errors returned by Verify.
var (
	ErrVerification  = errors.New("gost: verification failed")
	ErrSigOutOfRange = errors.New("gost: signature r or s out of range")
)

// Public returns the public key of priv.
func (priv *PrivateKey) Public() crypto.PublicKey { return &priv.PublicKey }

// Equal reports whether pub and x are the same key on the same parameter set.
func (pub *PublicKey) Equal(x crypto.PublicKey) bool {
	o, ok := x.(*PublicKey)
	return ok && pub.Curve == o.Curve && pub.X.Cmp(o.X) == 0 && pub.Y.Cmp(o.Y) == 0
}

// Equal reports whether priv and x are the same key.
func (priv *PrivateKey) Equal(x crypto.PrivateKey) bool {
	o, ok := x.(*PrivateKey)
	return ok && priv.PublicKey.Equal(&o.PublicKey) && priv.D.Cmp(o.D) == 0
}

// GenerateKey makes a key on curve c from rand (crypto/rand.Reader if nil).
func GenerateKey(c *Curve, rand io.Reader) (*PrivateKey, error) {
	if c == nil {
		return nil, errors.New("gost: nil curve")
	}
	if rand == nil {
		rand = cryptorand.Reader
	}
	k, err := randomScalar(c, rand)
	if err != nil {
		return nil, err
	}
	return newPrivateKey(c, &k), nil
}

// NewPrivateKey returns the key with scalar d on curve c, deriving its
// public key. d must satisfy 0 < d < Q.
func NewPrivateKey(c *Curve, d *big.Int) (*PrivateKey, error) {
	if c == nil {
		return nil, errors.New("gost: nil curve")
	}
	if d == nil || d.Sign() <= 0 || d.Cmp(c.Q) >= 0 {
		return nil, errors.New("gost: private key out of range")
	}
	k := limbsOf(d)
	return newPrivateKey(c, &k), nil
}

func newPrivateKey(c *Curve, d *element) *PrivateKey {
	cp := c.init()
	var p point
	c.baseMult(&p, d)
	x, y, _ := cp.affine(&p) // d is in (0, Q), so never the identity
	return &PrivateKey{PublicKey: PublicKey{Curve: c, X: x, Y: y}, D: bigOf(d, cp.fq.n)}
}

// randomScalar returns a uniform k with 0 < k < Q by rejection sampling,
// so no secret-dependent reduction is needed.
func randomScalar(c *Curve, rand io.Reader) (element, error) {
	cp := c.init()
	buf := make([]byte, c.PointSize)
	excess := uint(8*c.PointSize - cp.qBits)
	for i := 0; i < 64; i++ {
		if _, err := io.ReadFull(rand, buf); err != nil {
			return element{}, fmt.Errorf("gost: reading randomness: %w", err)
		}
		buf[0] &= 0xff >> excess
		k := limbsFromBigEndian(buf)
		if lessThan(&k, &cp.fq.m, cp.fq.n)&(1^cp.fq.isZero(&k)) == 1 {
			return k, nil
		}
	}
	return element{}, errors.New("gost: random source keeps returning out-of-range scalars")
}

func limbsFromBigEndian(b []byte) element {
	var e element
	for i, v := range b {
		pos := len(b) - 1 - i
		e[pos/8] |= uint64(v) << (8 * uint(pos%8))
	}
	return e
}

// lessThan returns 1 if x < y (n limbs) and 0 otherwise, without branching.
func lessThan(x, y *element, n int) uint64 {
	var b uint64
	for j := 0; j < n; j++ {
		_, b = subBorrow(x[j], y[j], b)
	}
	return b
}

func subBorrow(x, y, b uint64) (uint64, uint64) {
	d := x - y - b
	return d, ((^x & y) | (^(x ^ y) & d)) >> 63
}

// digestScalar returns e = alpha mod Q, where alpha is the digest read as
// a little-endian integer (GOST R 34.10-2012 section 6.1, step 2: the hash
// vector's bit string is the integer, and Streebog's byte 0 holds its least
// significant bits); e = 1 when that is zero.
func digestScalar(c *Curve, digest []byte) *big.Int {
	be := make([]byte, len(digest))
	for i, v := range digest {
		be[len(digest)-1-i] = v
	}
	e := new(big.Int).SetBytes(be)
	e.Mod(e, c.Q)
	if e.Sign() == 0 {
		e.SetInt64(1)
	}
	return e
}

func checkDigest(c *Curve, digest []byte) error {
	if len(digest) != c.PointSize {
		return fmt.Errorf("gost: digest must be %d bytes for %s, got %d", c.PointSize, c.Name, len(digest))
	}
	return nil
}

// Sign signs digest, the Streebog hash of the message (32 bytes for a
// 256-bit key, 64 for a 512-bit key, as Sum256/Sum512 return it), with
// randomness from rand (crypto/rand.Reader if nil). opts may be nil;
// opts.HashFunc() is ignored, since crypto.Hash has no Streebog value and
// callers usually pass crypto.Hash(0).
//
// The result is the encoding CMS and X.509 use for GOST R 34.10-2012
// (RFC 9215 section 4, RFC 4491 section 2.2.2): 2*PointSize bytes, s then
// r, each big-endian and left-padded with zeros to PointSize bytes. It is
// what `openssl pkeyutl -engine gost -sign` writes and -verify accepts.
func (priv *PrivateKey) Sign(rand io.Reader, digest []byte, opts crypto.SignerOpts) ([]byte, error) {
	c := priv.Curve
	if c == nil || priv.D == nil {
		return nil, errors.New("gost: incomplete private key")
	}
	if err := checkDigest(c, digest); err != nil {
		return nil, err
	}
	if priv.D.Sign() <= 0 || priv.D.Cmp(c.Q) >= 0 {
		return nil, errors.New("gost: private key out of range")
	}
	if rand == nil {
		rand = cryptorand.Reader
	}
	e := digestScalar(c, digest)
	d := limbsOf(priv.D)
	for i := 0; i < 64; i++ {
		k, err := randomScalar(c, rand)
		if err != nil {
			return nil, err
		}
		if r, s, ok := signWithNonce(c, &d, e, &k); ok {
			return encodeSignature(c, r, s), nil
		}
	}
	return nil, errors.New("gost: could not produce a signature")
}

// signWithNonce is steps 3-5 of GOST R 34.10-2012 section 6.1 for a
// given nonce k: C = kG, r = x_C mod Q, s = (r*d + k*e) mod Q. ok is false
// when r or s is zero and another k must be tried. The secret-dependent
// work (kG, r*d + k*e) is constant time; r and s are public outputs.
func signWithNonce(c *Curve, d *element, e *big.Int, k *element) (r, s *big.Int, ok bool) {
	cp := c.init()
	var p point
	c.baseMult(&p, k)
	x, _, inf := cp.affine(&p)
	if inf {
		return nil, nil, false
	}
	r = new(big.Int).Mod(x, c.Q)
	if r.Sign() == 0 {
		return nil, nil, false
	}
	fq := cp.fq
	var rm, dm, km, em, sm element
	rm = fq.fromBig(r)
	em = fq.fromBig(e)
	fq.toMont(&dm, d)
	fq.toMont(&km, k)
	fq.mul(&dm, &rm, &dm)
	fq.mul(&km, &km, &em)
	fq.add(&sm, &dm, &km)
	s = fq.toBig(&sm)
	if s.Sign() == 0 {
		return nil, nil, false
	}
	return r, s, true
}

func encodeSignature(c *Curve, r, s *big.Int) []byte {
	sig := make([]byte, 2*c.PointSize)
	s.FillBytes(sig[:c.PointSize])
	r.FillBytes(sig[c.PointSize:])
	return sig
}

// Verify checks sig, a signature in the s||r form Sign produces, over
// digest (the Streebog hash, byte order as Sum256/Sum512 return it) with
// pub. It returns nil when the signature is valid. It runs in variable
// time: everything it handles is public.
func Verify(pub *PublicKey, digest, sig []byte) error {
	if pub == nil || pub.Curve == nil || pub.X == nil || pub.Y == nil {
		return errors.New("gost: incomplete public key")
	}
	c := pub.Curve
	if err := checkDigest(c, digest); err != nil {
		return err
	}
	if len(sig) != 2*c.PointSize {
		return fmt.Errorf("gost: signature must be %d bytes for %s, got %d", 2*c.PointSize, c.Name, len(sig))
	}
	if !c.isOnCurve(pub.X, pub.Y) {
		return errors.New("gost: public key point is not on the curve")
	}
	s := new(big.Int).SetBytes(sig[:c.PointSize])
	r := new(big.Int).SetBytes(sig[c.PointSize:])
	if r.Sign() == 0 || s.Sign() == 0 || r.Cmp(c.Q) >= 0 || s.Cmp(c.Q) >= 0 {
		return ErrSigOutOfRange
	}
	e := digestScalar(c, digest)
	v := new(big.Int).ModInverse(e, c.Q)
	z1 := new(big.Int).Mul(s, v)
	z1.Mod(z1, c.Q)
	z2 := new(big.Int).Sub(c.Q, r)
	z2.Mul(z2, v).Mod(z2, c.Q)

	cp := c.init()
	sum := c.verifyCombination(z1, z2, pub.X, pub.Y)
	if cp.fp.isZero(&sum.z) == 1 {
		return ErrVerification
	}
	// Public values only: a plain inversion will do.
	zInv := cp.fp.fromBig(new(big.Int).ModInverse(cp.fp.toBig(&sum.z), c.P))
	var ax element
	cp.fp.mul(&ax, &sum.x, &zInv)
	x := cp.fp.toBig(&ax)
	if x.Mod(x, c.Q).Cmp(r) != 0 {
		return ErrVerification
	}
	return nil
}
