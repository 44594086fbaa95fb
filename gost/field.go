package gost

import (
	"math/big"
	"math/bits"
)

// maxLimbs is the number of 64-bit limbs of the largest supported modulus.
const maxLimbs = 8

// element is a residue in Montgomery form, little-endian 64-bit limbs; only
// the first field.n limbs are used. All arithmetic below runs in time that
// depends on the limb count only, never on the values: there are no early
// exits and reductions use masked selects instead of branches.
type element [maxLimbs]uint64

// field is arithmetic modulo an odd prime m with R = 2^(64n).
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

// mul sets z = x*y/R mod m (CIOS Montgomery multiplication). Inputs must be
// reduced; the output is reduced.
func (f *field) mul(z, x, y *element) {
	if f.n == 4 {
		f.mul4(z, x, y)
		return
	}
	n := f.n
	var t [maxLimbs + 2]uint64
	for i := 0; i < n; i++ {
		yi := y[i]
		var c, cc uint64
		for j := 0; j < n; j++ {
			hi, lo := bits.Mul64(x[j], yi)
			lo, cc = bits.Add64(lo, t[j], 0)
			hi += cc
			lo, cc = bits.Add64(lo, c, 0)
			hi += cc
			t[j], c = lo, hi
		}
		t[n], cc = bits.Add64(t[n], c, 0)
		t[n+1] = cc

		q := t[0] * f.mInv
		hi, lo := bits.Mul64(q, f.m[0])
		_, cc = bits.Add64(lo, t[0], 0)
		c = hi + cc
		for j := 1; j < n; j++ {
			hi, lo = bits.Mul64(q, f.m[j])
			lo, cc = bits.Add64(lo, t[j], 0)
			hi += cc
			lo, cc = bits.Add64(lo, c, 0)
			hi += cc
			t[j-1], c = lo, hi
		}
		t[n-1], cc = bits.Add64(t[n], c, 0)
		t[n] = t[n+1] + cc
	}
	f.reduceOnce(z, &t, t[n])
}

// reduceOnce sets z = t - m if t (n limbs plus the extra word hi) is at
// least m, else z = t, without branching.
func (f *field) reduceOnce(z *element, t *[maxLimbs + 2]uint64, hi uint64) {
	n := f.n
	var d element
	var b uint64
	for j := 0; j < n; j++ {
		d[j], b = bits.Sub64(t[j], f.m[j], b)
	}
	_, b = bits.Sub64(hi, 0, b)
	keep := -b // all ones when t < m
	for j := 0; j < n; j++ {
		z[j] = t[j]&keep | d[j]&^keep
	}
}

// mul4 is mul unrolled by the compiler-friendly fixed bound of 4 limbs,
// the size of every 256-bit parameter set.
func (f *field) mul4(z, x, y *element) {
	var t [maxLimbs + 2]uint64
	m0, m1, m2, m3 := f.m[0], f.m[1], f.m[2], f.m[3]
	x0, x1, x2, x3 := x[0], x[1], x[2], x[3]
	var t0, t1, t2, t3, t4 uint64
	for i := 0; i < 4; i++ {
		yi := y[i]
		var c, cc, hi, lo, t5 uint64
		hi, lo = bits.Mul64(x0, yi)
		t0, cc = bits.Add64(lo, t0, 0)
		c = hi + cc
		hi, lo = bits.Mul64(x1, yi)
		lo, cc = bits.Add64(lo, t1, 0)
		hi += cc
		t1, cc = bits.Add64(lo, c, 0)
		c = hi + cc
		hi, lo = bits.Mul64(x2, yi)
		lo, cc = bits.Add64(lo, t2, 0)
		hi += cc
		t2, cc = bits.Add64(lo, c, 0)
		c = hi + cc
		hi, lo = bits.Mul64(x3, yi)
		lo, cc = bits.Add64(lo, t3, 0)
		hi += cc
		t3, cc = bits.Add64(lo, c, 0)
		c = hi + cc
		t4, t5 = bits.Add64(t4, c, 0)

		q := t0 * f.mInv
		hi, lo = bits.Mul64(q, m0)
		_, cc = bits.Add64(lo, t0, 0)
		c = hi + cc
		hi, lo = bits.Mul64(q, m1)
		lo, cc = bits.Add64(lo, t1, 0)
		hi += cc
		t0, cc = bits.Add64(lo, c, 0)
		c = hi + cc
		hi, lo = bits.Mul64(q, m2)
		lo, cc = bits.Add64(lo, t2, 0)
		hi += cc
		t1, cc = bits.Add64(lo, c, 0)
		c = hi + cc
		hi, lo = bits.Mul64(q, m3)
		lo, cc = bits.Add64(lo, t3, 0)
		hi += cc
		t2, cc = bits.Add64(lo, c, 0)
		c = hi + cc
		t3, cc = bits.Add64(t4, c, 0)
		t4 = t5 + cc
	}
	t[0], t[1], t[2], t[3] = t0, t1, t2, t3
	f.reduceOnce(z, &t, t4)
}

func (f *field) sqr(z, x *element) { f.mul(z, x, x) }

// add sets z = x + y mod m.
func (f *field) add(z, x, y *element) {
	var t [maxLimbs + 2]uint64
	var c uint64
	for j := 0; j < f.n; j++ {
		t[j], c = bits.Add64(x[j], y[j], c)
	}
	f.reduceOnce(z, &t, c)
}

// sub sets z = x - y mod m.
func (f *field) sub(z, x, y *element) {
	var t element
	var b uint64
	for j := 0; j < f.n; j++ {
		t[j], b = bits.Sub64(x[j], y[j], b)
	}
	mask := -b // add m back when the subtraction borrowed
	var c uint64
	for j := 0; j < f.n; j++ {
		z[j], c = bits.Add64(t[j], f.m[j]&mask, c)
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
