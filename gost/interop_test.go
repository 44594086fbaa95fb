package gost

import (
	"bytes"
	"crypto/rand"
	"crypto/x509"
	"encoding/pem"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// Interoperability with OpenSSL's GOST engine (Debian libengine-gost-openssl)
// as an independent implementation. Skipped when the engine is missing,
// failed instead under CI=true (see requireEngine).

type engineParamSet struct {
	alg, paramset string
	curve         *Curve
}

var engineParamSets = []engineParamSet{
	{"gost2012_256", "A", CurveCryptoProA},
	{"gost2012_256", "B", CurveCryptoProB},
	{"gost2012_256", "C", CurveCryptoProC},
	{"gost2012_256", "XA", CurveCryptoProXchA},
	{"gost2012_256", "XB", CurveCryptoProXchB},
	{"gost2012_256", "TCA", CurveTC26256A},
	{"gost2012_256", "TCB", CurveTC26256B},
	{"gost2012_256", "TCC", CurveTC26256C},
	{"gost2012_256", "TCD", CurveTC26256D},
	{"gost2012_512", "A", CurveTC26512A},
	{"gost2012_512", "B", CurveTC26512B},
	{"gost2012_512", "C", CurveTC26512C},
}

func pemBlock(t *testing.T, data []byte, typ string) []byte {
	t.Helper()
	for {
		var b *pem.Block
		b, data = pem.Decode(data)
		if b == nil {
			t.Fatalf("no %s PEM block", typ)
		}
		if b.Type == typ {
			return b.Bytes
		}
	}
}

func writeFile(t *testing.T, dir, name string, data []byte) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, data, 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func digestFor(c *Curve, msg []byte) []byte {
	if c.PointSize == 32 {
		h := Sum256(msg)
		return h[:]
	}
	h := Sum512(msg)
	return h[:]
}

func mdFlag(c *Curve) string {
	if c.PointSize == 32 {
		return "-md_gost12_256"
	}
	return "-md_gost12_512"
}

// TestOpenSSLKeysAndSignatures: engine-made keys parse in Go, engine
// signatures verify in Go and Go signatures verify in the engine, on every
// parameter set the engine offers; tampered input fails on both sides.
func TestOpenSSLKeysAndSignatures(t *testing.T) {
	requireEngine(t)
	for _, ps := range engineParamSets {
		t.Run(ps.alg+"_"+ps.paramset, func(t *testing.T) {
			dir := t.TempDir()
			c := ps.curve

			// OpenSSL key -> Go.
			keyPEM := openssl(t, nil, "genpkey", "-engine", "gost", "-algorithm", ps.alg, "-pkeyopt", "paramset:"+ps.paramset)
			keyPath := writeFile(t, dir, "ossl.key", keyPEM)
			priv, err := ParsePKCS8PrivateKey(pemBlock(t, keyPEM, "PRIVATE KEY"))
			if err != nil {
				t.Fatalf("ParsePKCS8PrivateKey: %v", err)
			}
			if priv.Curve != c {
				t.Fatalf("parsed curve %s, want %s", priv.Curve.Name, c.Name)
			}
			pubPEM := openssl(t, nil, "pkey", "-engine", "gost", "-in", keyPath, "-pubout")
			pubPath := writeFile(t, dir, "ossl.pub", pubPEM)
			pub, err := ParsePKIXPublicKey(pemBlock(t, pubPEM, "PUBLIC KEY"))
			if err != nil {
				t.Fatalf("ParsePKIXPublicKey: %v", err)
			}
			if !pub.Equal(&priv.PublicKey) {
				t.Fatalf("engine public key differs from the one derived from D")
			}

			msg := make([]byte, 1000)
			rand.Read(msg)
			msgPath := writeFile(t, dir, "msg", msg)
			digest := digestFor(c, msg)
			digestPath := writeFile(t, dir, "digest", digest)

			// OpenSSL signs the raw digest -> Go verifies.
			sig := openssl(t, nil, "pkeyutl", "-engine", "gost", "-sign", "-inkey", keyPath, "-in", digestPath)
			if err := Verify(pub, digest, sig); err != nil {
				t.Fatalf("engine pkeyutl signature: %v", err)
			}
			// OpenSSL hashes and signs the message -> Go verifies: proves
			// the digest byte order end to end.
			sig = openssl(t, nil, "dgst", "-engine", "gost", mdFlag(c), "-sign", keyPath, msgPath)
			if err := Verify(pub, digest, sig); err != nil {
				t.Fatalf("engine dgst signature: %v", err)
			}
			tampered := append([]byte(nil), digest...)
			tampered[5] ^= 0x10
			if err := Verify(pub, tampered, sig); err == nil {
				t.Fatal("engine signature verified over a tampered digest")
			}

			// Go key -> OpenSSL.
			goPriv, err := GenerateKey(c, rand.Reader)
			if err != nil {
				t.Fatal(err)
			}
			der, err := MarshalPKCS8PrivateKey(goPriv)
			if err != nil {
				t.Fatal(err)
			}
			goKeyPath := writeFile(t, dir, "go.key", pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}))
			spki, err := MarshalPKIXPublicKey(&goPriv.PublicKey)
			if err != nil {
				t.Fatal(err)
			}
			goPubPath := writeFile(t, dir, "go.pub", pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: spki}))
			// The engine derives the same public key from the Go private
			// key, encoded byte for byte as Go encodes it.
			enginePub := openssl(t, nil, "pkey", "-engine", "gost", "-in", goKeyPath, "-pubout")
			if !bytes.Equal(pemBlock(t, enginePub, "PUBLIC KEY"), spki) {
				t.Fatalf("engine SPKI for the Go key:\n%x\nGo:\n%x", pemBlock(t, enginePub, "PUBLIC KEY"), spki)
			}
			// And reads the Go private key back to the same PKCS #8.
			engineKey := openssl(t, nil, "pkey", "-engine", "gost", "-in", goKeyPath)
			if !bytes.Equal(pemBlock(t, engineKey, "PRIVATE KEY"), der) {
				t.Fatalf("engine re-encoded the Go private key differently")
			}

			goSig, err := goPriv.Sign(rand.Reader, digest, nil)
			if err != nil {
				t.Fatal(err)
			}
			goSigPath := writeFile(t, dir, "go.sig", goSig)
			out := openssl(t, nil, "pkeyutl", "-engine", "gost", "-verify", "-pubin", "-inkey", goPubPath, "-in", digestPath, "-sigfile", goSigPath)
			if !strings.Contains(string(out), "Signature Verified Successfully") {
				t.Fatalf("engine pkeyutl -verify: %s", out)
			}
			out = openssl(t, nil, "dgst", "-engine", "gost", mdFlag(c), "-verify", goPubPath, "-signature", goSigPath, msgPath)
			if !strings.Contains(string(out), "Verified OK") {
				t.Fatalf("engine dgst -verify: %s", out)
			}
			tamperedPath := writeFile(t, dir, "tampered", tampered)
			if out, err := runOpenSSL(nil, "pkeyutl", "-engine", "gost", "-verify", "-pubin", "-inkey", goPubPath, "-in", tamperedPath, "-sigfile", goSigPath); err == nil || strings.Contains(string(out), "Verified Successfully") {
				t.Fatalf("engine verified a Go signature over a tampered digest: %s", out)
			}
			// A Go signature made with the engine's key verifies in the
			// engine as well.
			goSig2, err := priv.Sign(nil, digest, nil)
			if err != nil {
				t.Fatal(err)
			}
			out = openssl(t, nil, "pkeyutl", "-engine", "gost", "-verify", "-pubin", "-inkey", pubPath, "-in", digestPath, "-sigfile", writeFile(t, dir, "go2.sig", goSig2))
			if !strings.Contains(string(out), "Signature Verified Successfully") {
				t.Fatalf("engine pkeyutl -verify with its own key: %s", out)
			}
		})
	}
}

// TestOpenSSLCertificate checks a self-signed certificate made by
// `openssl req -x509 -engine gost`: its SubjectPublicKeyInfo parses, and
// its signature verifies over the Streebog hash of the DER TBSCertificate.
//
// Byte order found: the signatureValue BIT STRING holds exactly the 2n
// bytes Sign produces, s then r, each big-endian — no reversal — and the
// hash is used as Sum256/Sum512 return it.
func TestOpenSSLCertificate(t *testing.T) {
	requireEngine(t)
	for _, tc := range []struct {
		alg, paramset string
		curve         *Curve
	}{
		{"gost2012_256", "TCA", CurveTC26256A},
		{"gost2012_256", "A", CurveCryptoProA},
		{"gost2012_512", "A", CurveTC26512A},
		{"gost2012_512", "C", CurveTC26512C},
	} {
		t.Run(tc.alg+"_"+tc.paramset, func(t *testing.T) {
			dir := t.TempDir()
			keyPath := filepath.Join(dir, "key.pem")
			certPEM := openssl(t, nil, "req", "-x509", "-engine", "gost", "-newkey", tc.alg,
				"-pkeyopt", "paramset:"+tc.paramset, "-nodes", "-keyout", keyPath,
				"-subj", "/CN=Paraph GOST test", "-days", "1", mdFlag(tc.curve))
			cert, err := x509.ParseCertificate(pemBlock(t, certPEM, "CERTIFICATE"))
			if err != nil {
				t.Fatalf("crypto/x509 cannot parse the certificate: %v", err)
			}
			pub, err := ParsePKIXPublicKey(cert.RawSubjectPublicKeyInfo)
			if err != nil {
				t.Fatal(err)
			}
			if pub.Curve != tc.curve {
				t.Fatalf("curve %s, want %s", pub.Curve.Name, tc.curve.Name)
			}
			digest := digestFor(pub.Curve, cert.RawTBSCertificate)
			if err := Verify(pub, digest, cert.Signature); err != nil {
				t.Fatalf("certificate signature: %v", err)
			}
			tbs := append([]byte(nil), cert.RawTBSCertificate...)
			tbs[len(tbs)-1] ^= 1
			if err := Verify(pub, digestFor(pub.Curve, tbs), cert.Signature); err == nil {
				t.Fatal("signature verified over a modified TBSCertificate")
			}
		})
	}
}
