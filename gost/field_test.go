package gost

import (
	"crypto/rand"
	"math/big"
	"testing"
)

func TestFieldAgainstBig(t *testing.T) {
	moduli := []struct {
		hex string
		n   int
	}{
		{"FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFD97", 4},
		{"8000000000000000000000000000000000000000000000000000000000000C99", 4},
		{"400000000000000000000000000000000FD8CDDFC87B6635C115AF556C360C67", 4},
		{"FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFDC7", 8},
		{"4531ACD1FE0023C7550D267B6B2FEE80922B14B2FFB90F04D4EB7C09B5D2D15DF1D852741AF4704A0458047E80E4546D35B8336FAC224DD81664BBF528BE6373", 8},
	}
	for _, mod := range moduli {
		m, _ := new(big.Int).SetString(mod.hex, 16)
		f := newField(m, mod.n)
		edge := []*big.Int{big.NewInt(0), big.NewInt(1), new(big.Int).Sub(m, big.NewInt(1)), new(big.Int).Rsh(m, 1)}
		for i := 0; i < 300; i++ {
			var a, b *big.Int
			if i < len(edge)*len(edge) {
				a, b = edge[i/len(edge)], edge[i%len(edge)]
			} else {
				a, _ = rand.Int(rand.Reader, m)
				b, _ = rand.Int(rand.Reader, m)
			}
			x, y := f.fromBig(a), f.fromBig(b)
			var z element
			check := func(op string, want *big.Int) {
				t.Helper()
				if got := f.toBig(&z); got.Cmp(want.Mod(want, m)) != 0 {
					t.Fatalf("mod %s: %s(%x, %x) = %x, want %x", mod.hex, op, a, b, got, want)
				}
			}
			f.mul(&z, &x, &y)
			check("mul", new(big.Int).Mul(a, b))
			f.add(&z, &x, &y)
			check("add", new(big.Int).Add(a, b))
			f.sub(&z, &x, &y)
			check("sub", new(big.Int).Sub(a, b))
			if a.Sign() != 0 {
				f.inv(&z, &x)
				check("inv", new(big.Int).ModInverse(a, m))
			}
		}
	}
}
