package gost

import "testing"

func BenchmarkStreebog256(b *testing.B) {
	buf := make([]byte, 8192)
	h := NewStreebog256()
	b.SetBytes(int64(len(buf)))
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		h.Reset()
		h.Write(buf)
		h.Sum(nil)
	}
}

func BenchmarkStreebog512(b *testing.B) {
	buf := make([]byte, 8192)
	h := NewStreebog512()
	b.SetBytes(int64(len(buf)))
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		h.Reset()
		h.Write(buf)
		h.Sum(nil)
	}
}

func benchmarkSign(b *testing.B, c *Curve) {
	priv, err := GenerateKey(c, nil)
	if err != nil {
		b.Fatal(err)
	}
	digest := digestFor(c, []byte("benchmark"))
	priv.Sign(nil, digest, nil) // build the fixed-base table outside the timing
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := priv.Sign(nil, digest, nil); err != nil {
			b.Fatal(err)
		}
	}
}

func benchmarkVerify(b *testing.B, c *Curve) {
	priv, err := GenerateKey(c, nil)
	if err != nil {
		b.Fatal(err)
	}
	digest := digestFor(c, []byte("benchmark"))
	sig, err := priv.Sign(nil, digest, nil)
	if err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if err := Verify(&priv.PublicKey, digest, sig); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkSign256TC26A(b *testing.B)        { benchmarkSign(b, CurveTC26256A) }
func BenchmarkVerify256TC26A(b *testing.B)      { benchmarkVerify(b, CurveTC26256A) }
func BenchmarkSign256CryptoProA(b *testing.B)   { benchmarkSign(b, CurveCryptoProA) }
func BenchmarkVerify256CryptoProA(b *testing.B) { benchmarkVerify(b, CurveCryptoProA) }
func BenchmarkSign512TC26A(b *testing.B)        { benchmarkSign(b, CurveTC26512A) }
func BenchmarkVerify512TC26A(b *testing.B)      { benchmarkVerify(b, CurveTC26512A) }
