package gost

import (
	"bytes"
	"crypto/rand"
	"encoding/asn1"
	"math/big"
	"strings"
	"testing"
)

func TestKeyEncodingRoundTrip(t *testing.T) {
	for _, c := range Curves() {
		priv, err := GenerateKey(c, rand.Reader)
		if err != nil {
			t.Fatal(err)
		}
		raw := priv.PublicKey.Bytes()
		if len(raw) != 2*c.PointSize {
			t.Fatalf("%s: Bytes() is %d bytes", c.Name, len(raw))
		}
		pub, err := ParsePublicKey(c, raw)
		if err != nil || !pub.Equal(&priv.PublicKey) {
			t.Fatalf("%s: ParsePublicKey: %v", c.Name, err)
		}
		spki, err := MarshalPKIXPublicKey(&priv.PublicKey)
		if err != nil {
			t.Fatal(err)
		}
		pub, err = ParsePKIXPublicKey(spki)
		if err != nil || !pub.Equal(&priv.PublicKey) {
			t.Fatalf("%s: ParsePKIXPublicKey: %v", c.Name, err)
		}
		der, err := MarshalPKCS8PrivateKey(priv)
		if err != nil {
			t.Fatal(err)
		}
		back, err := ParsePKCS8PrivateKey(der)
		if err != nil || !back.Equal(priv) {
			t.Fatalf("%s: ParsePKCS8PrivateKey: %v", c.Name, err)
		}
	}
}

// TestPKCS8PrivateKeyForms: besides the engine's raw little-endian
// octets, D may come as a nested OCTET STRING or as an INTEGER.
func TestPKCS8PrivateKeyForms(t *testing.T) {
	priv, _ := GenerateKey(CurveTC26256A, rand.Reader)
	alg, _ := algorithmFor(priv.Curve)
	le := make([]byte, 32)
	priv.D.FillBytes(le)
	reverse(le)
	nested, _ := asn1.Marshal(le)
	integer, _ := asn1.Marshal(priv.D)
	for name, content := range map[string][]byte{"raw": le, "octet string": nested, "integer": integer} {
		der, _ := asn1.Marshal(pkcs8{Algorithm: alg, PrivateKey: content})
		got, err := ParsePKCS8PrivateKey(der)
		if err != nil || !got.Equal(priv) {
			t.Errorf("%s form: %v", name, err)
		}
	}
}

// pointOutsideSubgroup finds a point on a cofactor-4 curve whose order is
// not Q.
func pointOutsideSubgroup(t *testing.T, c *Curve) (x, y *big.Int) {
	cp := c.init()
	for i := int64(1); i < 1000; i++ {
		x := big.NewInt(i)
		rhs := new(big.Int).Mul(x, x)
		rhs.Add(rhs, c.A).Mul(rhs, x).Add(rhs, c.B).Mod(rhs, c.P)
		y := new(big.Int).ModSqrt(rhs, c.P)
		if y == nil {
			continue
		}
		p := cp.toPoint(x, y)
		q := limbsOf(c.Q)
		var r point
		cp.scalarMult(&r, &p, &q)
		if _, _, inf := cp.affine(&r); !inf {
			return x, y
		}
	}
	t.Fatal("no point outside the subgroup found")
	return nil, nil
}

func TestKeyParsingRejectsBadInput(t *testing.T) {
	c := CurveTC26256A
	priv, _ := GenerateKey(c, rand.Reader)
	raw := priv.PublicKey.Bytes()
	offCurve := append([]byte(nil), raw...)
	offCurve[40] ^= 1
	bigX := append([]byte(nil), raw...)
	for i := 0; i < 32; i++ {
		bigX[i] = 0xff
	}
	ox, oy := pointOutsideSubgroup(t, c)
	outside := (&PublicKey{Curve: c, X: ox, Y: oy}).Bytes()

	rawCases := []struct {
		name string
		raw  []byte
		want string
	}{
		{"short", raw[:63], "must be 64 bytes"},
		{"long", append(raw, 0), "must be 64 bytes"},
		{"off curve", offCurve, "not on the curve"},
		{"x >= p", bigX, "out of range"},
		{"small subgroup", outside, "prime-order subgroup"},
	}
	for _, tc := range rawCases {
		if _, err := ParsePublicKey(c, tc.raw); err == nil || !strings.Contains(err.Error(), tc.want) || !strings.HasPrefix(err.Error(), "gost: ") {
			t.Errorf("ParsePublicKey %s: %v, want %q", tc.name, err, tc.want)
		}
	}

	spkiWith := func(alg asn1.ObjectIdentifier, params any, key []byte) []byte {
		p, _ := asn1.Marshal(params)
		k, _ := asn1.Marshal(key)
		der, _ := asn1.Marshal(subjectPublicKeyInfo{
			Algorithm: algorithmIdentifier{Algorithm: alg, Parameters: asn1.RawValue{FullBytes: p}},
			PublicKey: asn1.BitString{Bytes: k, BitLength: 8 * len(k)},
		})
		return der
	}
	good := keyParameters{PublicKeyParamSet: c.OID}
	spkiCases := []struct {
		name string
		der  []byte
		want string
	}{
		{"unknown param set", spkiWith(OIDPublicKey256, keyParameters{PublicKeyParamSet: asn1.ObjectIdentifier{1, 2, 3}}, raw), "gost: unknown parameter set OID 1.2.3"},
		{"unknown algorithm", spkiWith(asn1.ObjectIdentifier{1, 2, 840, 10045, 2, 1}, good, raw), "unsupported key algorithm OID 1.2.840.10045.2.1"},
		{"512 algorithm, 256 curve", spkiWith(OIDPublicKey512, good, raw), "does not fit"},
		{"short key", spkiWith(OIDPublicKey256, good, raw[:32]), "must be 64 bytes"},
		{"off curve", spkiWith(OIDPublicKey256, good, offCurve), "not on the curve"},
		{"garbage", []byte{0x30, 0x03, 0x01}, "malformed"},
		{"empty", nil, "malformed"},
	}
	for _, tc := range spkiCases {
		if _, err := ParsePKIXPublicKey(tc.der); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("ParsePKIXPublicKey %s: %v, want %q", tc.name, err, tc.want)
		}
	}

	alg, _ := algorithmFor(c)
	pkcs8With := func(content []byte) []byte {
		der, _ := asn1.Marshal(pkcs8{Algorithm: alg, PrivateKey: content})
		return der
	}
	qLE := make([]byte, 32)
	c.Q.FillBytes(qLE)
	reverse(qLE)
	pkcs8Cases := []struct {
		name string
		der  []byte
		want string
	}{
		{"zero D", pkcs8With(make([]byte, 32)), "out of range"},
		{"D = Q", pkcs8With(qLE), "out of range"},
		{"short D", pkcs8With(make([]byte, 31)), "must be 32 bytes"},
		{"garbage", []byte{0x30, 0x00}, "malformed"},
	}
	for _, tc := range pkcs8Cases {
		if _, err := ParsePKCS8PrivateKey(tc.der); err == nil || !strings.Contains(err.Error(), tc.want) || !strings.HasPrefix(err.Error(), "gost: ") {
			t.Errorf("ParsePKCS8PrivateKey %s: %v, want %q", tc.name, err, tc.want)
		}
	}
	if !bytes.Equal(raw, priv.PublicKey.Bytes()) {
		t.Fatal("Bytes() not stable")
	}
}
