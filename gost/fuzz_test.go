package gost

import (
	"bytes"
	"math/big"
	"testing"
)

// Seed inputs beyond these f.Add calls live in testdata/fuzz/<FuzzName>.

func FuzzParsePKIXPublicKey(f *testing.F) {
	for _, c := range []*Curve{CurveTC26256A, CurveCryptoProA, CurveTC26512A} {
		priv, _ := NewPrivateKey(c, big.NewInt(12345))
		der, _ := MarshalPKIXPublicKey(&priv.PublicKey)
		f.Add(der)
	}
	f.Fuzz(func(t *testing.T, der []byte) {
		pub, err := ParsePKIXPublicKey(der)
		if err != nil {
			return
		}
		if !pub.Curve.isOnCurve(pub.X, pub.Y) {
			t.Fatal("accepted a point off the curve")
		}
		again, err := MarshalPKIXPublicKey(pub)
		if err != nil {
			t.Fatal(err)
		}
		back, err := ParsePKIXPublicKey(again)
		if err != nil || !back.Equal(pub) {
			t.Fatalf("re-encoded key does not parse back: %v", err)
		}
	})
}

func FuzzParsePKCS8PrivateKey(f *testing.F) {
	for _, c := range []*Curve{CurveTC26256A, CurveTC26512B} {
		priv, _ := NewPrivateKey(c, big.NewInt(777))
		der, _ := MarshalPKCS8PrivateKey(priv)
		f.Add(der)
	}
	f.Fuzz(func(t *testing.T, der []byte) {
		priv, err := ParsePKCS8PrivateKey(der)
		if err != nil {
			return
		}
		if priv.D.Sign() <= 0 || priv.D.Cmp(priv.Curve.Q) >= 0 {
			t.Fatal("accepted an out-of-range private key")
		}
		again, err := MarshalPKCS8PrivateKey(priv)
		if err != nil {
			t.Fatal(err)
		}
		back, err := ParsePKCS8PrivateKey(again)
		if err != nil || !back.Equal(priv) {
			t.Fatalf("re-encoded key does not parse back: %v", err)
		}
	})
}

var fuzzVerifyCurves = []*Curve{CurveTC26256A, CurveCryptoProA, CurveTC26512A}

func FuzzVerify(f *testing.F) {
	for i, c := range fuzzVerifyCurves {
		priv, _ := NewPrivateKey(c, big.NewInt(4242))
		digest := digestFor(c, []byte("fuzz"))
		sig, _ := priv.Sign(nil, digest, nil)
		f.Add(uint8(i), digest, sig)
	}
	f.Fuzz(func(t *testing.T, which uint8, digest, sig []byte) {
		c := fuzzVerifyCurves[int(which)%len(fuzzVerifyCurves)]
		priv, _ := NewPrivateKey(c, big.NewInt(4242))
		err := Verify(&priv.PublicKey, digest, sig)
		if err == nil && (len(sig) != 2*c.PointSize || len(digest) != c.PointSize) {
			t.Fatal("accepted a signature or digest of the wrong length")
		}
	})
}

func FuzzStreebog(f *testing.F) {
	f.Add([]byte(""), uint16(1))
	f.Add([]byte("012345678901234567890123456789012345678901234567890123456789012"), uint16(7))
	f.Add(bytes.Repeat([]byte{0xff}, 200), uint16(64))
	f.Fuzz(func(t *testing.T, data []byte, chunk uint16) {
		step := int(chunk)%130 + 1
		h256, h512 := NewStreebog256(), NewStreebog512()
		for i := 0; i < len(data); i += step {
			end := min(i+step, len(data))
			h256.Write(data[i:end])
			h512.Write(data[i:end])
		}
		want256, want512 := Sum256(data), Sum512(data)
		if !bytes.Equal(h256.Sum(nil), want256[:]) || !bytes.Equal(h512.Sum(nil), want512[:]) {
			t.Fatalf("chunked (step %d) and one-shot digests differ", step)
		}
	})
}
