package gost

import (
	"math/big"
)

// maxLimbs is the number of 64-bit limbs of the largest supported modulus.
const maxLimbs = 8

// element is a residue in Montgomery form, little-endian 64-bit limbs; only
// the first field.n limbs are used. All arithmetic below runs in time that
// depends on the limb count only, never on the values: there are no early
// exits and reductions use masked selects instead of branches.
type element [maxLimbs]uint64

// field is arithmetic modulo an odd prime m with R = 2^(64n), n = 4 or 8.
// The limb-level code is generated, unrolled, in field_limbs.go.
//
//go:generate go run gen_field.go
type field struct {
	n     int
	m     element // the modulus
	mInv  uint64  // -m^-1 mod 2^64
	rr    element // R^2 mod m, to enter Montgomery form
	one   element // R mod m, i.e. 1 in Montgomery form
	mBig  *big.Int
	exp   []uint64 // m-2, the Fermat inversion exponent (public)
	bytes int      // byte length of a reduced value
}

func newField(m *big.Int, n int) *field {
	f := &field{n: n, mBig: new(big.Int).Set(m), bytes: 8 * n}
	f.m = limbsOf(m)
	// Newton iteration for m^-1 mod 2^64, then negate.
	inv := uint64(1)
	for i := 0; i < 6; i++ {
		inv *= 2 - f.m[0]*inv
	}
	f.mInv = -inv
	r := new(big.Int).Lsh(big.NewInt(1), uint(64*n))
	f.one = limbsOf(new(big.Int).Mod(r, m))
	f.rr = limbsOf(new(big.Int).Mod(new(big.Int).Mul(r, r), m))
	e := limbsOf(new(big.Int).Sub(m, big.NewInt(2)))
	f.exp = e[:n]
	return f
}

// limbsOf converts a non-negative integer below 2^512 to limbs.
func limbsOf(x *big.Int) element {
	var e element
	var buf [8 * maxLimbs]byte
	x.FillBytes(buf[:])
	for i := 0; i < maxLimbs; i++ {
		for j := 0; j < 8; j++ {
			e[i] |= uint64(buf[len(buf)-1-8*i-j]) << (8 * j)
		}
	}
	return e
}

// bigOf converts limbs to an integer.
func bigOf(e *element, n int) *big.Int {
	buf := make([]byte, 8*n)
	for i := 0; i < n; i++ {
		for j := 0; j < 8; j++ {
			buf[len(buf)-1-8*i-j] = byte(e[i] >> (8 * j))
		}
	}
	return new(big.Int).SetBytes(buf)
}

// mul sets z = x*y/R mod m (Montgomery multiplication). Inputs must be
// reduced; the output is reduced.
func (f *field) mul(z, x, y *element) {
	if f.n == 4 {
		mul4(z, x, y, &f.m, f.mInv)
	} else {
		mul8(z, x, y, &f.m, f.mInv)
	}
}

func (f *field) sqr(z, x *element) { f.mul(z, x, x) }

// add sets z = x + y mod m.
func (f *field) add(z, x, y *element) {
	if f.n == 4 {
		add4(z, x, y, &f.m)
	} else {
		add8(z, x, y, &f.m)
	}
}

// sub sets z = x - y mod m.
func (f *field) sub(z, x, y *element) {
	if f.n == 4 {
		sub4(z, x, y, &f.m)
	} else {
		sub8(z, x, y, &f.m)
	}
}

// toMont sets z = x*R mod m for any x below R.
func (f *field) toMont(z, x *element) { f.mul(z, x, &f.rr) }

// fromMont sets z = x/R mod m, leaving Montgomery form.
func (f *field) fromMont(z, x *element) {
	one := element{1}
	f.mul(z, x, &one)
}

// fromBig returns x (0 <= x < R) in Montgomery form.
func (f *field) fromBig(x *big.Int) element {
	e := limbsOf(x)
	f.toMont(&e, &e)
	return e
}

// toBig returns the integer value of a Montgomery-form element.
func (f *field) toBig(x *element) *big.Int {
	var e element
	f.fromMont(&e, x)
	return bigOf(&e, f.n)
}

// inv sets z = x^(m-2) = x^-1 mod m (0 for x = 0). The exponent is public,
// so the square-and-multiply schedule depends only on m.
func (f *field) inv(z, x *element) {
	r := f.one
	for i := f.n - 1; i >= 0; i-- {
		for b := 63; b >= 0; b-- {
			f.sqr(&r, &r)
			if f.exp[i]>>uint(b)&1 == 1 {
				f.mul(&r, &r, x)
			}
		}
	}
	*z = r
}

// isZero returns 1 if x is zero and 0 otherwise, in constant time.
func (f *field) isZero(x *element) uint64 {
	var acc uint64
	for j := 0; j < f.n; j++ {
		acc |= x[j]
	}
	return 1 ^ (acc|-acc)>>63
}

// equal returns 1 if x == y and 0 otherwise, in constant time.
func (f *field) equal(x, y *element) uint64 {
	var acc uint64
	for j := 0; j < f.n; j++ {
		acc |= x[j] ^ y[j]
	}
	return 1 ^ (acc|-acc)>>63
}

// selectElement sets z = x if bit == 1 and leaves z unchanged if bit == 0.
func selectElement(z, x *element, bit uint64) {
	mask := -bit
	for j := range z {
		z[j] = z[j]&^mask | x[j]&mask
	}
}
