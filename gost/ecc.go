package gost

import (
	cryptorand "crypto/rand"
	"math/big"
	"sync"
)

// point is a projective point (X:Y:Z) with coordinates in Montgomery form;
// the identity is (0:1:0). The addition formulas are the complete ones of
// Renes, Costello and Batina ("Complete addition formulas for prime order
// elliptic curves", 2016, algorithms 1 and 3, general a): they have no
// special cases, so the same instructions run for doubling, for the
// identity and for distinct points. On the cofactor-4 curves they stay
// exception-free for points of the prime-order subgroup, which is the only
// place this package uses them.
type point struct{ x, y, z element }

// curveParams is what the arithmetic needs, derived once per curve.
type curveParams struct {
	fp, fq    *field
	a, b3     element // a and 3b in Montgomery form
	aIsMinus3 bool
	g         point
	qBits     int
	windows   int         // 4-bit windows per scalar
	gTable    [][16]point // gTable[w][j] = j * 16^w * G
	identity  point
}

func (c *Curve) init() *curveParams {
	c.once.Do(func() {
		n := c.PointSize / 8
		cp := &curveParams{fp: newField(c.P, n), fq: newField(c.Q, n), qBits: c.Q.BitLen()}
		cp.windows = (cp.qBits + 3) / 4
		cp.a = cp.fp.fromBig(new(big.Int).Mod(c.A, c.P))
		cp.aIsMinus3 = new(big.Int).Sub(c.P, c.A).Cmp(big.NewInt(3)) == 0
		cp.b3 = cp.fp.fromBig(new(big.Int).Mod(new(big.Int).Mul(c.B, big.NewInt(3)), c.P))
		cp.identity = point{y: cp.fp.one}
		cp.g = point{x: cp.fp.fromBig(c.X), y: cp.fp.fromBig(c.Y), z: cp.fp.one}
		c.params = cp
	})
	return c.params
}

// baseTable returns the fixed-base table, building it on first use: it is
// large (64 KiB-400 KiB per curve), so curves never used cost nothing.
func (c *Curve) baseTable() [][16]point {
	cp := c.init()
	cp.tableOnce(c)
	return cp.gTable
}

func (cp *curveParams) tableOnce(c *Curve) {
	tableMu.Lock()
	defer tableMu.Unlock()
	if cp.gTable != nil {
		return
	}
	t := make([][16]point, cp.windows)
	base := cp.g
	for w := range t {
		t[w][0] = cp.identity
		t[w][1] = base
		for j := 2; j < 16; j++ {
			cp.add(&t[w][j], &t[w][j-1], &base)
		}
		// base = 16 * base
		for i := 0; i < 4; i++ {
			cp.double(&base, &base)
		}
	}
	cp.gTable = t
}

// add sets r = p + q (RCB algorithm 1).
func (cp *curveParams) add(r, p, q *point) {
	f := cp.fp
	var t0, t1, t2, t3, t4, t5, x3, y3, z3 element
	f.mul(&t0, &p.x, &q.x)
	f.mul(&t1, &p.y, &q.y)
	f.mul(&t2, &p.z, &q.z)
	f.add(&t3, &p.x, &p.y)
	f.add(&t4, &q.x, &q.y)
	f.mul(&t3, &t3, &t4)
	f.add(&t4, &t0, &t1)
	f.sub(&t3, &t3, &t4)
	f.add(&t4, &p.x, &p.z)
	f.add(&t5, &q.x, &q.z)
	f.mul(&t4, &t4, &t5)
	f.add(&t5, &t0, &t2)
	f.sub(&t4, &t4, &t5)
	f.add(&t5, &p.y, &p.z)
	f.add(&x3, &q.y, &q.z)
	f.mul(&t5, &t5, &x3)
	f.add(&x3, &t1, &t2)
	f.sub(&t5, &t5, &x3)
	f.mul(&z3, &cp.a, &t4)
	f.mul(&x3, &cp.b3, &t2)
	f.add(&z3, &x3, &z3)
	f.sub(&x3, &t1, &z3)
	f.add(&z3, &t1, &z3)
	f.mul(&y3, &x3, &z3)
	f.add(&t1, &t0, &t0)
	f.add(&t1, &t1, &t0)
	f.mul(&t2, &cp.a, &t2)
	f.mul(&t4, &cp.b3, &t4)
	f.add(&t1, &t1, &t2)
	f.sub(&t2, &t0, &t2)
	f.mul(&t2, &cp.a, &t2)
	f.add(&t4, &t4, &t2)
	f.mul(&t0, &t1, &t4)
	f.add(&y3, &y3, &t0)
	f.mul(&t0, &t5, &t4)
	f.mul(&x3, &t3, &x3)
	f.sub(&x3, &x3, &t0)
	f.mul(&t0, &t3, &t1)
	f.mul(&z3, &t5, &z3)
	f.add(&z3, &z3, &t0)
	r.x, r.y, r.z = x3, y3, z3
}

// double sets r = 2p (RCB algorithm 3).
func (cp *curveParams) double(r, p *point) {
	f := cp.fp
	var t0, t1, t2, t3, x3, y3, z3 element
	f.sqr(&t0, &p.x)
	f.sqr(&t1, &p.y)
	f.sqr(&t2, &p.z)
	f.mul(&t3, &p.x, &p.y)
	f.add(&t3, &t3, &t3)
	f.mul(&z3, &p.x, &p.z)
	f.add(&z3, &z3, &z3)
	f.mul(&x3, &cp.a, &z3)
	f.mul(&y3, &cp.b3, &t2)
	f.add(&y3, &x3, &y3)
	f.sub(&x3, &t1, &y3)
	f.add(&y3, &t1, &y3)
	f.mul(&y3, &x3, &y3)
	f.mul(&x3, &t3, &x3)
	f.mul(&z3, &cp.b3, &z3)
	f.mul(&t2, &cp.a, &t2)
	f.sub(&t3, &t0, &t2)
	f.mul(&t3, &cp.a, &t3)
	f.add(&t3, &t3, &z3)
	f.add(&z3, &t0, &t0)
	f.add(&t0, &z3, &t0)
	f.add(&t0, &t0, &t2)
	f.mul(&t0, &t0, &t3)
	f.add(&y3, &y3, &t0)
	f.mul(&t2, &p.y, &p.z)
	f.add(&t2, &t2, &t2)
	f.mul(&t0, &t2, &t3)
	f.sub(&x3, &x3, &t0)
	f.mul(&z3, &t2, &t1)
	f.add(&z3, &z3, &z3)
	f.add(&z3, &z3, &z3)
	r.x, r.y, r.z = x3, y3, z3
}

// ctEqual returns 1 if a == b and 0 otherwise, without branching.
func ctEqual(a, b uint64) uint64 {
	x := a ^ b
	return 1 ^ (x|-x)>>63
}

// lookup sets r = table[idx], touching every entry so the memory access
// pattern does not depend on the secret index.
func lookup(r *point, table *[16]point, idx uint64, n int) {
	*r = point{}
	for j := range table {
		mask := -ctEqual(uint64(j), idx)
		t := &table[j]
		for i := 0; i < n; i++ {
			r.x[i] |= t.x[i] & mask
			r.y[i] |= t.y[i] & mask
			r.z[i] |= t.z[i] & mask
		}
	}
}

// window returns the w-th 4-bit digit of the little-endian scalar k.
func window(k *element, w int) uint64 {
	return k[w/16] >> (4 * uint(w%16)) & 15
}

// scalarMult sets r = k*p for a scalar k < 2^(4*windows), in constant
// time: a fixed sequence of 4 doublings and one addition per window, with
// the addend chosen by lookup.
func (cp *curveParams) scalarMult(r, p *point, k *element) {
	var table [16]point
	table[0] = cp.identity
	table[1] = *p
	for j := 2; j < 16; j++ {
		if j%2 == 0 {
			cp.double(&table[j], &table[j/2])
		} else {
			cp.add(&table[j], &table[j-1], p)
		}
	}
	acc := cp.identity
	var sel point
	for w := cp.windows - 1; w >= 0; w-- {
		if w != cp.windows-1 {
			for i := 0; i < 4; i++ {
				cp.double(&acc, &acc)
			}
		}
		lookup(&sel, &table, window(k, w), cp.fp.n)
		cp.add(&acc, &acc, &sel)
	}
	*r = acc
}

// baseMult sets r = k*G using the fixed-base table: one constant-time
// lookup and one addition per window, no doublings.
func (c *Curve) baseMult(r *point, k *element) {
	cp := c.init()
	table := c.baseTable()
	acc := cp.identity
	var sel point
	for w := 0; w < cp.windows; w++ {
		lookup(&sel, &table[w], window(k, w), cp.fp.n)
		cp.add(&acc, &acc, &sel)
	}
	*r = acc
}

// affine returns the affine coordinates of p and whether p is the
// identity. Callers only pass points whose coordinates become public (r in
// a signature, a public key), but Z still depends on secrets, so Z is
// blinded by a random factor before the fast variable-time inversion:
// 1/Z = b/(Z*b), and Z*b is uniformly random whatever Z is.
func (cp *curveParams) affine(p *point) (x, y *big.Int, infinity bool) {
	f := cp.fp
	if f.isZero(&p.z) == 1 {
		return nil, nil, true
	}
	var b, w, zInv, ax, ay element
	b = cp.randomElement()
	f.mul(&w, &p.z, &b)
	wInv := new(big.Int).ModInverse(f.toBig(&w), f.mBig)
	zInv = f.fromBig(wInv)
	f.mul(&zInv, &zInv, &b)
	f.mul(&ax, &p.x, &zInv)
	f.mul(&ay, &p.y, &zInv)
	return f.toBig(&ax), f.toBig(&ay), false
}

// randomElement returns a uniformly random non-zero element of GF(p) in
// Montgomery form, for blinding.
func (cp *curveParams) randomElement() element {
	f := cp.fp
	buf := make([]byte, f.bytes+16)
	for {
		if _, err := cryptorand.Read(buf); err != nil {
			panic("gost: crypto/rand failed: " + err.Error())
		}
		v := new(big.Int).SetBytes(buf)
		v.Mod(v, f.mBig)
		if v.Sign() != 0 {
			return f.fromBig(v)
		}
	}
}

// isOnCurve reports whether (x, y) is a point of the curve with
// coordinates in [0, P).
func (c *Curve) isOnCurve(x, y *big.Int) bool {
	if x == nil || y == nil || x.Sign() < 0 || y.Sign() < 0 || x.Cmp(c.P) >= 0 || y.Cmp(c.P) >= 0 {
		return false
	}
	lhs := new(big.Int).Mul(y, y)
	lhs.Mod(lhs, c.P)
	rhs := new(big.Int).Mul(x, x)
	rhs.Add(rhs, c.A)
	rhs.Mul(rhs, x)
	rhs.Add(rhs, c.B)
	rhs.Mod(rhs, c.P)
	return lhs.Cmp(rhs) == 0
}

// toPoint converts affine coordinates to the internal form.
func (cp *curveParams) toPoint(x, y *big.Int) point {
	return point{x: cp.fp.fromBig(x), y: cp.fp.fromBig(y), z: cp.fp.one}
}

// tableMu guards lazy construction of the fixed-base tables.
var tableMu sync.Mutex
