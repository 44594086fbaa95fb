package gost

import (
	"crypto/rand"
	"errors"
	"math/big"
	"strings"
	"testing"
)

// refAdd is a plain affine reference addition used to check the projective
// formulas; nil coordinates stand for the identity.
func refAdd(c *Curve, x1, y1, x2, y2 *big.Int) (*big.Int, *big.Int) {
	if x1 == nil {
		return x2, y2
	}
	if x2 == nil {
		return x1, y1
	}
	p := c.P
	var l *big.Int
	if x1.Cmp(x2) == 0 {
		if new(big.Int).Add(y1, y2).Mod(new(big.Int).Add(y1, y2), p).Sign() == 0 {
			return nil, nil
		}
		num := new(big.Int).Mul(x1, x1)
		num.Mul(num, big.NewInt(3)).Add(num, c.A)
		den := new(big.Int).Lsh(y1, 1)
		l = num.Mul(num, den.ModInverse(den, p))
	} else {
		num := new(big.Int).Sub(y2, y1)
		den := new(big.Int).Sub(x2, x1)
		den.Mod(den, p)
		l = num.Mul(num, den.ModInverse(den, p))
	}
	l.Mod(l, p)
	x3 := new(big.Int).Mul(l, l)
	x3.Sub(x3, x1).Sub(x3, x2).Mod(x3, p)
	y3 := new(big.Int).Sub(x1, x3)
	y3.Mul(y3, l).Sub(y3, y1).Mod(y3, p)
	return x3, y3
}

func refScalarMult(c *Curve, x, y, k *big.Int) (*big.Int, *big.Int) {
	var rx, ry *big.Int
	for i := k.BitLen() - 1; i >= 0; i-- {
		rx, ry = refAdd(c, rx, ry, rx, ry)
		if k.Bit(i) == 1 {
			rx, ry = refAdd(c, rx, ry, x, y)
		}
	}
	return rx, ry
}

func TestCurveConstants(t *testing.T) {
	seen := map[string]bool{}
	for _, c := range Curves() {
		if seen[c.OID.String()] {
			t.Errorf("%s: duplicate OID %s", c.Name, c.OID)
		}
		seen[c.OID.String()] = true
		if !c.P.ProbablyPrime(32) || !c.Q.ProbablyPrime(32) {
			t.Errorf("%s: P or Q not prime", c.Name)
		}
		if c.PointSize != (c.P.BitLen()+63)/64*8 {
			t.Errorf("%s: PointSize %d for a %d-bit P", c.Name, c.PointSize, c.P.BitLen())
		}
		if !c.isOnCurve(c.X, c.Y) {
			t.Errorf("%s: base point not on curve", c.Name)
		}
		// Hasse bound: |P + 1 - cofactor*Q| <= 2*sqrt(P).
		n := new(big.Int).Mul(c.Q, big.NewInt(int64(c.Cofactor)))
		tr := new(big.Int).Sub(new(big.Int).Add(c.P, big.NewInt(1)), n)
		tr.Mul(tr, tr)
		if tr.Cmp(new(big.Int).Mul(c.P, big.NewInt(4))) > 0 {
			t.Errorf("%s: cofactor*Q violates the Hasse bound", c.Name)
		}
		cp := c.init()
		// Q*G = identity, computed with both the reference and the
		// constant-time code.
		if x, _ := refScalarMult(c, c.X, c.Y, c.Q); x != nil {
			t.Errorf("%s: reference Q*G is not the identity", c.Name)
		}
		k := limbsOf(c.Q)
		var r point
		cp.scalarMult(&r, &cp.g, &k)
		if _, _, inf := cp.affine(&r); !inf {
			t.Errorf("%s: Q*G is not the identity", c.Name)
		}
		c.baseMult(&r, &k)
		if _, _, inf := cp.affine(&r); !inf {
			t.Errorf("%s: baseMult(Q) is not the identity", c.Name)
		}
	}
}

func TestScalarMultAgainstReference(t *testing.T) {
	for _, c := range []*Curve{CurveTC26256A, CurveCryptoProA, CurveCryptoProC, CurveTC26512A, CurveTC26512C} {
		cp := c.init()
		ks := []*big.Int{big.NewInt(1), big.NewInt(2), big.NewInt(3), big.NewInt(16), new(big.Int).Sub(c.Q, big.NewInt(1))}
		for i := 0; i < 4; i++ {
			k, _ := rand.Int(rand.Reader, c.Q)
			ks = append(ks, k)
		}
		for _, k := range ks {
			wx, wy := refScalarMult(c, c.X, c.Y, k)
			kl := limbsOf(k)
			var r point
			cp.scalarMult(&r, &cp.g, &kl)
			gx, gy, _ := cp.affine(&r)
			if gx.Cmp(wx) != 0 || gy.Cmp(wy) != 0 {
				t.Fatalf("%s: scalarMult(%x) = (%x, %x), want (%x, %x)", c.Name, k, gx, gy, wx, wy)
			}
			c.baseMult(&r, &kl)
			gx, gy, _ = cp.affine(&r)
			if gx.Cmp(wx) != 0 || gy.Cmp(wy) != 0 {
				t.Fatalf("%s: baseMult(%x) wrong", c.Name, k)
			}
		}
	}
}

func TestCurveByOID(t *testing.T) {
	for _, c := range Curves() {
		got, err := CurveByOID(c.OID)
		if err != nil || got != c {
			t.Errorf("CurveByOID(%s) = %v, %v", c.OID, got, err)
		}
	}
	_, err := CurveByOID([]int{1, 2, 3})
	if err == nil || err.Error() != "gost: unknown parameter set OID 1.2.3" || !errors.Is(err, ErrUnknownCurve) {
		t.Errorf("unknown OID: %v", err)
	}
	if !strings.HasPrefix(CurveTC26512A.String(), "id-tc26") {
		t.Errorf("String() = %q", CurveTC26512A.String())
	}
}

func TestVerifyCombinationAgainstReference(t *testing.T) {
	for _, c := range []*Curve{CurveTC26256A, CurveCryptoProA, CurveTC26512A, CurveTC26512C} {
		cp := c.init()
		priv, _ := GenerateKey(c, rand.Reader)
		for i := 0; i < 6; i++ {
			z1, _ := rand.Int(rand.Reader, c.Q)
			z2, _ := rand.Int(rand.Reader, c.Q)
			switch i {
			case 0:
				z2 = new(big.Int).Sub(c.Q, big.NewInt(1))
			case 1:
				z1, z2 = big.NewInt(1), big.NewInt(31)
			}
			ax, ay := refScalarMult(c, c.X, c.Y, z1)
			bx, by := refScalarMult(c, priv.X, priv.Y, z2)
			wx, wy := refAdd(c, ax, ay, bx, by)
			p := c.verifyCombination(z1, z2, priv.X, priv.Y)
			gx, gy, _ := cp.affine(&p)
			if gx.Cmp(wx) != 0 || gy.Cmp(wy) != 0 {
				t.Fatalf("%s: z1*G + z2*Q wrong for z1=%x z2=%x", c.Name, z1, z2)
			}
		}
	}
}

func TestWNAF(t *testing.T) {
	for i := 0; i < 200; i++ {
		k, _ := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 512))
		if i < 3 {
			k = big.NewInt(int64(i))
		}
		sum := new(big.Int)
		for j, d := range wnaf(k) {
			if d != 0 && (d%2 == 0 || d > 15 || d < -15) {
				t.Fatalf("bad digit %d", d)
			}
			sum.Add(sum, new(big.Int).Lsh(big.NewInt(int64(d)), uint(j)))
		}
		if sum.Cmp(k) != 0 {
			t.Fatalf("wnaf(%x) sums to %x", k, sum)
		}
	}
}
