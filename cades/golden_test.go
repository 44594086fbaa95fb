package cades

import (
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/hex"
	"encoding/pem"
	"flag"
	"fmt"
	"math/big"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata")

// goldenCert returns a certificate that is the same on every run: Ed25519
// signatures are deterministic, so a root with a fixed Ed25519 key signs a
// leaf with a fixed key and fixed fields.
func goldenCert(tb testing.TB, leafPub any) *x509.Certificate {
	tb.Helper()
	rootKey := ed25519.NewKeyFromSeed(make([]byte, 32))
	notBefore := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	root := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "Golden root"},
		NotBefore: notBefore, NotAfter: notBefore.AddDate(10, 0, 0), IsCA: true, BasicConstraintsValid: true,
	}
	leaf := &x509.Certificate{
		SerialNumber: big.NewInt(0x0102030405), Subject: pkix.Name{CommonName: "Golden signer", Organization: []string{"ООО Ромашка"}},
		NotBefore: notBefore, NotAfter: notBefore.AddDate(1, 0, 0), KeyUsage: x509.KeyUsageDigitalSignature,
	}
	der, err := x509.CreateCertificate(nil, leaf, root, leafPub, rootKey)
	if err != nil {
		tb.Fatal(err)
	}
	c, err := x509.ParseCertificate(der)
	if err != nil {
		tb.Fatal(err)
	}
	return c
}

// The signed attributes Prepare builds from fixed inputs must not drift:
// they are what clients sign, and what OpenSSL and CryptoPro re-hash.
func TestPrepareGolden(t *testing.T) {
	ecKey, err := ecdsa.ParseRawPrivateKey(elliptic.P256(), append(make([]byte, 31), 7))
	if err != nil {
		t.Fatal(err)
	}
	gostPEM, err := os.ReadFile(filepath.Join("testdata", "gost256-cert.pem"))
	if err != nil {
		t.Fatal(err)
	}
	block, _ := pem.Decode(gostPEM)
	gostCert, err := x509.ParseCertificate(block.Bytes)
	if err != nil {
		t.Fatal(err)
	}
	signingTime := time.Date(2026, 3, 1, 9, 30, 15, 999, time.FixedZone("MSK", 3*3600))
	for _, c := range []struct {
		name string
		cert *x509.Certificate
	}{
		{"ecdsa-p256", goldenCert(t, &ecKey.PublicKey)},
		{"ed25519", goldenCert(t, ed25519.NewKeyFromSeed(append(make([]byte, 31), 1)).Public())},
		{"gost256", gostCert},
	} {
		t.Run(c.name, func(t *testing.T) {
			h, _, err := DigestFor(c.cert)
			if err != nil {
				t.Fatal(err)
			}
			h.Write([]byte("golden document\n"))
			p, err := Prepare(c.cert, h.Sum(nil), signingTime)
			if err != nil {
				t.Fatal(err)
			}
			var sb strings.Builder
			hashName := "none (Streebog or pure Ed25519)"
			if p.Hash != 0 {
				hashName = p.Hash.String()
			}
			fmt.Fprintf(&sb, "DigestAlgorithm: %s\nSignatureAlgorithm: %s\nHash: %s\nSigningTime: %s\nDigest: %x\n\n",
				p.DigestAlgorithm, p.SignatureAlgorithm, hashName, p.SigningTime.Format(time.RFC3339), p.Digest)
			dumpASN1(&sb, cryptobyte.String(p.SignedAttrs), 0)
			sb.WriteString("\n" + hex.Dump(p.SignedAttrs))
			path := filepath.Join("testdata", "prepare-"+c.name+".golden")
			if *update {
				if err := os.WriteFile(path, []byte(sb.String()), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (run with -update)", err)
			}
			if sb.String() != string(want) {
				t.Fatalf("Prepare output drifted from %s (run with -update if intended):\n%s", path, sb.String())
			}
		})
	}
}

// dumpASN1 writes a tree of DER elements, one per line, in the manner of
// openssl asn1parse.
func dumpASN1(sb *strings.Builder, s cryptobyte.String, depth int) {
	for !s.Empty() {
		var body cryptobyte.String
		var tag cbasn1.Tag
		if !s.ReadAnyASN1(&body, &tag) {
			fmt.Fprintf(sb, "%s<malformed % x>\n", strings.Repeat("  ", depth), []byte(s))
			return
		}
		indent := strings.Repeat("  ", depth)
		switch {
		case tag&0x20 != 0:
			fmt.Fprintf(sb, "%s%s (%d)\n", indent, tagName(tag), len(body))
			dumpASN1(sb, body, depth+1)
		case tag == cbasn1.OBJECT_IDENTIFIER:
			el := cryptobyte.String(append([]byte{0x06, byte(len(body))}, body...))
			var oid asn1.ObjectIdentifier
			el.ReadASN1ObjectIdentifier(&oid)
			fmt.Fprintf(sb, "%sOID %s\n", indent, oid)
		case tag == cbasn1.UTCTime || tag == cbasn1.GeneralizedTime || tag == cbasn1.PrintableString || tag == cbasn1.UTF8String:
			fmt.Fprintf(sb, "%s%s %q\n", indent, tagName(tag), string(body))
		default:
			fmt.Fprintf(sb, "%s%s %x\n", indent, tagName(tag), []byte(body))
		}
	}
}

func tagName(t cbasn1.Tag) string {
	switch t {
	case cbasn1.SEQUENCE:
		return "SEQUENCE"
	case cbasn1.SET:
		return "SET"
	case cbasn1.INTEGER:
		return "INTEGER"
	case cbasn1.OCTET_STRING:
		return "OCTET STRING"
	case cbasn1.NULL:
		return "NULL"
	case cbasn1.UTCTime:
		return "UTCTime"
	case cbasn1.GeneralizedTime:
		return "GeneralizedTime"
	case cbasn1.PrintableString:
		return "PrintableString"
	case cbasn1.UTF8String:
		return "UTF8String"
	}
	if t&0xc0 == 0x80 {
		return fmt.Sprintf("[%d]", t&0x1f)
	}
	return fmt.Sprintf("tag %#x", uint8(t))
}
