package gost

import (
	"crypto"
	"crypto/rand"
	"errors"
	"math/big"
	"strings"
	"testing"
)

// The examples of GOST R 34.10-2012, RFC 7091 appendix A.1 (256-bit) and
// A.2 (512-bit): private key d, digest integer e, nonce k, and the
// expected public key and signature.
var rfc7091Examples = []struct {
	curve                 *Curve
	d, e, k, qx, qy, r, s string
}{
	{
		curve: CurveTest256,
		d:     "7A929ADE789BB9BE10ED359DD39A72C11B60961F49397EEE1D19CE9891EC3B28",
		e:     "2DFBC1B372D89A1188C09C52E0EEC61FCE52032AB1022E8E67ECE6672B043EE5",
		k:     "77105C9B20BCD3122823C8CF6FCC7B956DE33814E95B7FE64FED924594DCEAB3",
		qx:    "7F2B49E270DB6D90D8595BEC458B50C58585BA1D4E9B788F6689DBD8E56FD80B",
		qy:    "26F1B489D6701DD185C8413A977B3CBBAF64D1C593D26627DFFB101A87FF77DA",
		r:     "41AA28D2F1AB148280CD9ED56FEDA41974053554A42767B83AD043FD39DC0493",
		s:     "01456C64BA4642A1653C235A98A60249BCD6D3F746B631DF928014F6C5BF9C40",
	},
	{
		curve: CurveTest512,
		d:     "0BA6048AADAE241BA40936D47756D7C93091A0E8514669700EE7508E508B102072E8123B2200A0563322DAD2827E2714A2636B7BFD18AADFC62967821FA18DD4",
		e:     "3754F3CFACC9E0615C4F4A7C4D8DAB531B09B6F9C170C533A71D147035B0C5917184EE536593F4414339976C647C5D5A407ADEDB1D560C4FC6777D2972075B8C",
		k:     "0359E7F4B1410FEACC570456C6801496946312120B39D019D455986E364F365886748ED7A44B3E794434006011842286212273A6D14CF70EA3AF71BB1AE679F1",
		qx:    "115DC5BC96760C7B48598D8AB9E740D4C4A85A65BE33C1815B5C320C854621DD5A515856D13314AF69BC5B924C8B4DDFF75C45415C1D9DD9DD33612CD530EFE1",
		qy:    "37C7C90CD40B0F5621DC3AC1B751CFA0E2634FA0503B3D52639F5D7FB72AFD61EA199441D943FFE7F0C70A2759A3CDB84C114E1F9339FDF27F35ECA93677BEEC",
		r:     "2F86FA60A081091A23DD795E1E3C689EE512A3C82EE0DCC2643C78EEA8FCACD35492558486B20F1C9EC197C90699850260C93BCBCD9C5C3317E19344E173AE36",
		s:     "1081B394696FFE8E6585E7A9362D26B6325F56778AADBC081C0BFBE933D52FF5823CE288E8C4F362526080DF7F70CE406A6EEB1F56919CB92A9853BDE73E5B4A",
	},
}

// digestOf returns the digest bytes whose little-endian value is e.
func digestOf(c *Curve, e *big.Int) []byte {
	d := make([]byte, c.PointSize)
	e.FillBytes(d)
	for i, j := 0, len(d)-1; i < j; i, j = i+1, j-1 {
		d[i], d[j] = d[j], d[i]
	}
	return d
}

func TestRFC7091Examples(t *testing.T) {
	for _, ex := range rfc7091Examples {
		c := ex.curve
		priv, err := NewPrivateKey(c, mustHex(ex.d))
		if err != nil {
			t.Fatal(err)
		}
		if priv.X.Cmp(mustHex(ex.qx)) != 0 || priv.Y.Cmp(mustHex(ex.qy)) != 0 {
			t.Fatalf("%s: public key (%X, %X)", c.Name, priv.X, priv.Y)
		}
		e := mustHex(ex.e)
		d, k := limbsOf(priv.D), limbsOf(mustHex(ex.k))
		r, s, ok := signWithNonce(c, &d, e, &k)
		if !ok || r.Cmp(mustHex(ex.r)) != 0 || s.Cmp(mustHex(ex.s)) != 0 {
			t.Fatalf("%s: r = %X, s = %X", c.Name, r, s)
		}
		sig := encodeSignature(c, r, s)
		if err := Verify(&priv.PublicKey, digestOf(c, e), sig); err != nil {
			t.Fatalf("%s: example signature does not verify: %v", c.Name, err)
		}
	}
}

func TestSignVerifyAllCurves(t *testing.T) {
	for _, c := range Curves() {
		priv, err := GenerateKey(c, rand.Reader)
		if err != nil {
			t.Fatal(err)
		}
		if !c.isOnCurve(priv.X, priv.Y) {
			t.Fatalf("%s: generated public key not on curve", c.Name)
		}
		var digest []byte
		if c.PointSize == 32 {
			h := Sum256([]byte("paraph " + c.Name))
			digest = h[:]
		} else {
			h := Sum512([]byte("paraph " + c.Name))
			digest = h[:]
		}
		var signer crypto.Signer = priv
		sig, err := signer.Sign(nil, digest, crypto.Hash(0))
		if err != nil {
			t.Fatal(err)
		}
		if err := Verify(&priv.PublicKey, digest, sig); err != nil {
			t.Fatalf("%s: %v", c.Name, err)
		}
		digest[0] ^= 1
		if err := Verify(&priv.PublicKey, digest, sig); !errors.Is(err, ErrVerification) {
			t.Fatalf("%s: tampered digest: %v", c.Name, err)
		}
		digest[0] ^= 1
		sig[len(sig)-1] ^= 1
		if err := Verify(&priv.PublicKey, digest, sig); err == nil {
			t.Fatalf("%s: tampered signature verified", c.Name)
		}
	}
}

func TestVerifyRejectsBadInput(t *testing.T) {
	c := CurveTC26256A
	priv, _ := GenerateKey(c, nil)
	h := Sum256([]byte("x"))
	sig, _ := priv.Sign(nil, h[:], nil)
	q := c.Q.Bytes()
	rOnly := func(sv, rv []byte) []byte {
		b := make([]byte, 64)
		copy(b[32-len(sv):32], sv)
		copy(b[64-len(rv):], rv)
		return b
	}
	one := []byte{1}
	offCurve := &PublicKey{Curve: c, X: priv.X, Y: new(big.Int).Add(priv.Y, big.NewInt(1))}
	cases := []struct {
		name   string
		pub    *PublicKey
		digest []byte
		sig    []byte
		want   string
	}{
		{"short sig", &priv.PublicKey, h[:], sig[:63], "signature must be 64 bytes"},
		{"long sig", &priv.PublicKey, h[:], append(sig, 0), "signature must be 64 bytes"},
		{"zero r", &priv.PublicKey, h[:], rOnly(one, nil), "out of range"},
		{"zero s", &priv.PublicKey, h[:], rOnly(nil, one), "out of range"},
		{"r = q", &priv.PublicKey, h[:], rOnly(one, q), "out of range"},
		{"s = q", &priv.PublicKey, h[:], rOnly(q, one), "out of range"},
		{"short digest", &priv.PublicKey, h[:31], sig, "digest must be 32 bytes"},
		{"nil key", nil, h[:], sig, "incomplete public key"},
		{"off-curve key", offCurve, h[:], sig, "not on the curve"},
	}
	for _, tc := range cases {
		err := Verify(tc.pub, tc.digest, tc.sig)
		if err == nil || !strings.Contains(err.Error(), tc.want) || !strings.HasPrefix(err.Error(), "gost: ") {
			t.Errorf("%s: got %v, want %q", tc.name, err, tc.want)
		}
	}
	if _, err := priv.Sign(nil, h[:20], nil); err == nil {
		t.Error("Sign accepted a 20-byte digest")
	}
	if _, err := NewPrivateKey(c, c.Q); err == nil {
		t.Error("NewPrivateKey accepted d = Q")
	}
}

// TestConcurrentFirstUse signs on a fresh curve value from many
// goroutines at once, for the race detector: the lazily built curve
// parameters and fixed-base table must be safe to share.
func TestConcurrentFirstUse(t *testing.T) {
	c := newCurve("concurrency copy of tc26 256 A", CurveTC26256A.OID, tc26A256, 4, 32)
	digest := digestFor(c, []byte("race"))
	errs := make(chan error, 8)
	for i := 0; i < 8; i++ {
		go func() {
			priv, err := GenerateKey(c, nil)
			if err == nil {
				var sig []byte
				if sig, err = priv.Sign(nil, digest, nil); err == nil {
					err = Verify(&priv.PublicKey, digest, sig)
				}
			}
			errs <- err
		}()
	}
	for i := 0; i < 8; i++ {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
}
