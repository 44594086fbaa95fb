package cades

import (
	"bytes"
	"encoding/base64"
	"encoding/pem"
	"errors"
	"strings"
	"testing"

	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"
)

func TestParseBadInput(t *testing.T) {
	p := MustPKI(t, "ecdsa-p256")
	good, err := Sign(bytes.NewReader(testDoc), p.cert, p.key, SignOptions{})
	if err != nil {
		t.Fatal(err)
	}
	// A ContentInfo of id-data instead of SignedData.
	var b cryptobyte.Builder
	b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
		b.AddASN1ObjectIdentifier(oidData)
		b.AddASN1(tagContext0, func(b *cryptobyte.Builder) { b.AddASN1OctetString([]byte("x")) })
	})
	wrongType := b.BytesOrPanic()
	noSigners := signedDataWithoutSigners(t, p)

	cases := map[string][]byte{
		"empty":           nil,
		"spaces":          []byte("  \n"),
		"garbage":         []byte("this is not a signature"),
		"zeros":           make([]byte, 100),
		"wrong type":      wrongType,
		"no signers":      noSigners,
		"trailing":        append(append([]byte{}, good...), 0),
		"other PEM":       pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: good}),
		"huge":            append([]byte{0x30, 0x84, 0x01, 0x00, 0x00, 0x01}, make([]byte, MaxSize)...),
		"deep":            bytes.Repeat([]byte{0x30, 0x80}, 1000),
		"long length":     []byte{0x30, 0x85, 1, 2, 3, 4, 5},
		"bad base64":      []byte("MII!!!"),
		"indefinite prim": []byte{0x04, 0x80, 0, 0},
	}
	for i := 1; i < len(good); i += 7 {
		cases["truncated "+strings.Repeat("x", 0)+string(rune('a'+i%26))+itoa(i)] = good[:i]
	}
	for name, data := range cases {
		t.Run(name, func(t *testing.T) {
			sd, err := Parse(data)
			if err == nil {
				t.Fatalf("Parse accepted it: %d signers", len(sd.Signers))
			}
			if !errors.Is(err, ErrFormat) || !strings.HasPrefix(err.Error(), "cades: ") {
				t.Fatalf("error %q does not wrap ErrFormat", err)
			}
		})
	}
}

func itoa(i int) string {
	return strings.TrimLeft(string([]byte{'0' + byte(i/1000%10), '0' + byte(i/100%10), '0' + byte(i/10%10), '0' + byte(i%10)}), "0")
}

// signedDataWithoutSigners is a well-formed SignedData with an empty SignerInfos.
func signedDataWithoutSigners(tb testing.TB, p *testPKI) []byte {
	var b cryptobyte.Builder
	b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
		b.AddASN1ObjectIdentifier(oidSignedData)
		b.AddASN1(tagContext0, func(b *cryptobyte.Builder) {
			b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
				b.AddASN1Int64(1)
				b.AddASN1(cbasn1.SET, func(b *cryptobyte.Builder) {})
				b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) { b.AddASN1ObjectIdentifier(oidData) })
				b.AddASN1(tagContext0, func(b *cryptobyte.Builder) { b.AddBytes(p.cert.Raw) })
				b.AddASN1(cbasn1.SET, func(b *cryptobyte.Builder) {})
			})
		})
	})
	return b.BytesOrPanic()
}

func TestParseEncodings(t *testing.T) {
	p := MustPKI(t, "ecdsa-p256")
	good, err := Sign(bytes.NewReader(testDoc), p.cert, p.key, SignOptions{})
	if err != nil {
		t.Fatal(err)
	}
	b64 := base64.StdEncoding.EncodeToString(good)
	wrapped := ""
	for i := 0; i < len(b64); i += 64 {
		wrapped += b64[i:min(i+64, len(b64))] + "\r\n"
	}
	for name, data := range map[string][]byte{
		"DER":       good,
		"PEM CMS":   pem.EncodeToMemory(&pem.Block{Type: "CMS", Bytes: good}),
		"PEM PKCS7": pem.EncodeToMemory(&pem.Block{Type: "PKCS7", Bytes: good}),
		"base64":    []byte(wrapped),
		"BER":       toIndefinite(t, good),
	} {
		t.Run(name, func(t *testing.T) {
			wantResult(t, mustVerify(t, data, testDoc), Passed, "")
		})
	}
}

// toIndefinite re-encodes every constructed element of der with an
// indefinite length, as a streaming encoder would.
func toIndefinite(tb testing.TB, der []byte) []byte {
	tb.Helper()
	var out []byte
	var walk func(s cryptobyte.String)
	walk = func(s cryptobyte.String) {
		for !s.Empty() {
			var el, body cryptobyte.String
			var tag cbasn1.Tag
			if !s.ReadAnyASN1Element(&el, &tag) {
				tb.Fatal("bad DER")
			}
			hdr := len(el)
			el2 := el
			var t2 cbasn1.Tag
			el2.ReadAnyASN1(&body, &t2)
			hdr -= len(body)
			if tag&0x20 == 0 {
				out = append(out, el...)
				continue
			}
			out = append(out, el[:hdr-len(lengthBytes(len(body)))]...)
			out = append(out, 0x80)
			walk(body)
			out = append(out, 0, 0)
		}
	}
	walk(cryptobyte.String(der))
	return out
}

func lengthBytes(l int) []byte { return appendLength(nil, l) }

func TestBERToDER(t *testing.T) {
	cases := []struct {
		name     string
		ber, der []byte
	}{
		{"definite stays", []byte{0x30, 0x03, 0x02, 0x01, 0x05}, []byte{0x30, 0x03, 0x02, 0x01, 0x05}},
		{"indefinite", []byte{0x30, 0x80, 0x02, 0x01, 0x05, 0x00, 0x00}, []byte{0x30, 0x03, 0x02, 0x01, 0x05}},
		{"long form shortened", []byte{0x04, 0x81, 0x01, 0xaa}, []byte{0x04, 0x01, 0xaa}},
		{"chunked octets", []byte{0x24, 0x80, 0x04, 0x02, 'a', 'b', 0x04, 0x01, 'c', 0x00, 0x00}, []byte{0x04, 0x03, 'a', 'b', 'c'}},
		{"nested chunks", []byte{0x24, 0x08, 0x24, 0x03, 0x04, 0x01, 'a', 0x04, 0x01, 'b'}, []byte{0x04, 0x02, 'a', 'b'}},
		{"context constructed kept", []byte{0xa0, 0x80, 0x04, 0x01, 'a', 0x00, 0x00}, []byte{0xa0, 0x03, 0x04, 0x01, 'a'}},
		{"bit string chunks", []byte{0x23, 0x08, 0x03, 0x02, 0x00, 0xff, 0x03, 0x02, 0x04, 0xf0}, []byte{0x03, 0x03, 0x04, 0xff, 0xf0}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := berToDER(c.ber)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got, c.der) {
				t.Fatalf("got % x, want % x", got, c.der)
			}
		})
	}
	for _, bad := range [][]byte{
		{0x30, 0x80, 0x02, 0x01, 0x05},             // no end-of-contents
		{0x24, 0x80, 0x02, 0x01, 0x05, 0x00, 0x00}, // chunk of another type
		{0x23, 0x06, 0x03, 0x02, 0x04, 0xf0, 0x03, 0x00},
		{0x1f},
		{0x1f, 0x81, 0x81, 0x81, 0x81, 0x81, 0x81, 0x01, 0x00},
	} {
		if _, err := berToDER(bad); err == nil {
			t.Errorf("berToDER(% x) succeeded", bad)
		}
	}
}

func TestVerifyFormatFailures(t *testing.T) {
	p := MustPKI(t, "ecdsa-p256")
	sig, err := Sign(bytes.NewReader(testDoc), p.cert, p.key, SignOptions{})
	if err != nil {
		t.Fatal(err)
	}
	for name, mutate := range map[string]func(sd *SignedData){
		"no signed attributes": func(sd *SignedData) { sd.Signers[0].SignedAttrs = nil },
		"other content type":   func(sd *SignedData) { sd.ContentType = oidSignedData },
		"no messageDigest":     func(sd *SignedData) { sd.Signers[0].MessageDigest = nil },
		"no contentType":       func(sd *SignedData) { sd.Signers[0].ContentType = nil },
		"bad attributes":       func(sd *SignedData) { sd.Signers[0].attrErr = errors.New("cades: test") },
	} {
		t.Run(name, func(t *testing.T) {
			sd, err := Parse(sig)
			if err != nil {
				t.Fatal(err)
			}
			mutate(sd)
			res, _ := sd.Verify(bytes.NewReader(testDoc))
			wantResult(t, res[0], Failed, FormatFailure)
		})
	}
	t.Run("flipped signature", func(t *testing.T) {
		sd, _ := Parse(sig)
		sd.Signers[0].Signature[10] ^= 1
		res, _ := sd.Verify(bytes.NewReader(testDoc))
		wantResult(t, res[0], Failed, SigCryptoFailure)
	})
	t.Run("flipped attribute", func(t *testing.T) {
		sd, _ := Parse(sig)
		a := sd.Signers[0].SignedAttrs
		a[len(a)-1] ^= 1
		res, _ := sd.Verify(bytes.NewReader(testDoc))
		wantResult(t, res[0], Failed, SigCryptoFailure)
	})
}
