package gost

import "math/big"

// Variable-time arithmetic for Verify, where every input is public. It
// uses Jacobian coordinates (x = X/Z^2, y = Y/Z^3), whose doubling costs
// about 10 multiplications against 16 for the complete formulas, and a
// width-5 NAF of the scalar. Nothing here may be used with secrets.

type jacobian struct{ x, y, z element }

// jacDouble sets r = 2p (dbl-2007-bl; dbl-2001-b when a = -3).
func (cp *curveParams) jacDouble(r, p *jacobian) {
	f := cp.fp
	if f.isZero(&p.z) == 1 {
		*r = *p
		return
	}
	var xx, yy, yyyy, zz, s, m, t, u element
	f.sqr(&yy, &p.y)
	f.sqr(&zz, &p.z)
	if cp.aIsMinus3 {
		// M = 3(X - ZZ)(X + ZZ), S = 4*X*YY
		f.sub(&t, &p.x, &zz)
		f.add(&u, &p.x, &zz)
		f.mul(&m, &t, &u)
		f.add(&t, &m, &m)
		f.add(&m, &t, &m)
		f.mul(&s, &p.x, &yy)
		f.add(&s, &s, &s)
		f.add(&s, &s, &s)
	} else {
		f.sqr(&xx, &p.x)
		f.add(&t, &p.x, &yy)
		f.sqr(&t, &t)
		f.sqr(&yyyy, &yy)
		f.sub(&t, &t, &xx)
		f.sub(&t, &t, &yyyy)
		f.add(&s, &t, &t)
		f.sqr(&t, &zz)
		f.mul(&t, &t, &cp.a)
		f.add(&m, &xx, &xx)
		f.add(&m, &m, &xx)
		f.add(&m, &m, &t)
	}
	if cp.aIsMinus3 {
		f.sqr(&yyyy, &yy)
	}
	// Z3 = (Y+Z)^2 - YY - ZZ, computed before X and Y are overwritten.
	var z3 element
	f.add(&z3, &p.y, &p.z)
	f.sqr(&z3, &z3)
	f.sub(&z3, &z3, &yy)
	f.sub(&z3, &z3, &zz)
	// X3 = M^2 - 2S
	f.sqr(&t, &m)
	f.sub(&t, &t, &s)
	f.sub(&t, &t, &s)
	// Y3 = M(S - X3) - 8 YYYY
	f.sub(&u, &s, &t)
	f.mul(&u, &u, &m)
	f.add(&yyyy, &yyyy, &yyyy)
	f.add(&yyyy, &yyyy, &yyyy)
	f.add(&yyyy, &yyyy, &yyyy)
	f.sub(&r.y, &u, &yyyy)
	r.x = t
	r.z = z3
}

// jacAdd sets r = p + q (add-2007-bl), handling the special cases by
// branching.
func (cp *curveParams) jacAdd(r, p, q *jacobian) {
	f := cp.fp
	if f.isZero(&p.z) == 1 {
		*r = *q
		return
	}
	if f.isZero(&q.z) == 1 {
		*r = *p
		return
	}
	var z1z1, z2z2, u1, u2, s1, s2, h, i, j, rr, v, t element
	f.sqr(&z1z1, &p.z)
	f.sqr(&z2z2, &q.z)
	f.mul(&u1, &p.x, &z2z2)
	f.mul(&u2, &q.x, &z1z1)
	f.mul(&s1, &p.y, &q.z)
	f.mul(&s1, &s1, &z2z2)
	f.mul(&s2, &q.y, &p.z)
	f.mul(&s2, &s2, &z1z1)
	f.sub(&h, &u2, &u1)
	f.sub(&rr, &s2, &s1)
	if f.isZero(&h) == 1 {
		if f.isZero(&rr) == 1 {
			cp.jacDouble(r, p)
			return
		}
		*r = jacobian{y: f.one}
		return
	}
	f.add(&rr, &rr, &rr)
	f.add(&i, &h, &h)
	f.sqr(&i, &i)
	f.mul(&j, &h, &i)
	f.mul(&v, &u1, &i)
	var z3 element
	f.add(&z3, &p.z, &q.z)
	f.sqr(&z3, &z3)
	f.sub(&z3, &z3, &z1z1)
	f.sub(&z3, &z3, &z2z2)
	f.mul(&z3, &z3, &h)
	// X3 = rr^2 - J - 2V
	f.sqr(&t, &rr)
	f.sub(&t, &t, &j)
	f.sub(&t, &t, &v)
	f.sub(&t, &t, &v)
	// Y3 = rr(V - X3) - 2 S1 J
	f.sub(&v, &v, &t)
	f.mul(&v, &v, &rr)
	f.mul(&s1, &s1, &j)
	f.add(&s1, &s1, &s1)
	f.sub(&r.y, &v, &s1)
	r.x = t
	r.z = z3
}

func (cp *curveParams) jacNeg(r, p *jacobian) {
	var zero element
	r.x, r.z = p.x, p.z
	cp.fp.sub(&r.y, &zero, &p.y)
}

// wnaf returns the width-5 non-adjacent form of k, least significant
// digit first: odd digits in [-15, 15], at most one non-zero in any five
// consecutive positions.
func wnaf(k *big.Int) []int8 {
	const w = 5
	var limbs [maxLimbs + 1]uint64
	e := limbsOf(k)
	copy(limbs[:], e[:])
	digits := make([]int8, 0, k.BitLen()+1)
	nonZero := func() bool {
		for _, l := range limbs {
			if l != 0 {
				return true
			}
		}
		return false
	}
	for nonZero() {
		var d int8
		if limbs[0]&1 == 1 {
			d = int8(limbs[0] & (1<<w - 1))
			if d >= 1<<(w-1) {
				d -= 1 << w
			}
			// limbs -= d
			if d > 0 {
				sub := uint64(d)
				for i := range limbs {
					old := limbs[i]
					limbs[i] -= sub
					if old >= sub {
						break
					}
					sub = 1
				}
			} else {
				add := uint64(-d)
				for i := range limbs {
					limbs[i] += add
					if limbs[i] >= add {
						break
					}
					add = 1
				}
			}
		}
		digits = append(digits, d)
		for i := 0; i < len(limbs)-1; i++ {
			limbs[i] = limbs[i]>>1 | limbs[i+1]<<63
		}
		limbs[len(limbs)-1] >>= 1
	}
	return digits
}

// jacMulVarTime returns k*Q in Jacobian coordinates, in variable time: for
// public scalars and points only.
func (c *Curve) jacMulVarTime(k *big.Int, qx, qy *big.Int) jacobian {
	cp := c.init()
	f := cp.fp
	// Odd multiples Q, 3Q, ..., 15Q.
	var odd [8]jacobian
	odd[0] = jacobian{x: f.fromBig(qx), y: f.fromBig(qy), z: f.one}
	var q2 jacobian
	cp.jacDouble(&q2, &odd[0])
	for i := 1; i < 8; i++ {
		cp.jacAdd(&odd[i], &odd[i-1], &q2)
	}
	acc := jacobian{y: f.one}
	var neg jacobian
	digits := wnaf(k)
	for i := len(digits) - 1; i >= 0; i-- {
		cp.jacDouble(&acc, &acc)
		switch d := digits[i]; {
		case d > 0:
			cp.jacAdd(&acc, &acc, &odd[d/2])
		case d < 0:
			cp.jacNeg(&neg, &odd[-d/2])
			cp.jacAdd(&acc, &acc, &neg)
		}
	}
	return acc
}

// verifyCombination returns z1*G + z2*Q in projective form, in variable
// time.
func (c *Curve) verifyCombination(z1, z2 *big.Int, qx, qy *big.Int) point {
	cp := c.init()
	f := cp.fp
	acc := c.jacMulVarTime(z2, qx, qy)
	// Jacobian (X, Y, Z) is projective (X*Z : Y : Z^3).
	var r point
	if f.isZero(&acc.z) == 1 {
		r = cp.identity
	} else {
		var zz element
		f.mul(&r.x, &acc.x, &acc.z)
		r.y = acc.y
		f.sqr(&zz, &acc.z)
		f.mul(&r.z, &zz, &acc.z)
	}
	k1 := limbsOf(z1)
	var g point
	c.baseMult(&g, &k1)
	cp.add(&r, &r, &g)
	return r
}
