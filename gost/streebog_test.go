package gost

import (
	"bytes"
	"encoding/hex"
	"testing"
)

// reverseHex decodes a value printed in RFC 6986 (most significant byte
// first) into the byte string it denotes (byte 0 least significant).
func reverseHex(t testing.TB, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(s)
	if err != nil {
		t.Fatal(err)
	}
	for i, j := 0, len(b)-1; i < j; i, j = i+1, j-1 {
		b[i], b[j] = b[j], b[i]
	}
	return b
}

// The RFC 6986 section 10 examples, copied as printed in the RFC: the
// message and the digests are big-endian numbers there, so each is
// reversed to get the byte strings that are hashed and returned.
var streebogVectors = []struct {
	name, message, h512, h256 string
}{
	{
		name:    "M1",
		message: "323130393837363534333231303938373635343332313039383736353433323130393837363534333231303938373635343332313039383736353433323130",
		h512:    "486f64c1917879417fef082b3381a4e211c324f074654c38823a7b76f830ad00fa1fbae42b1285c0352f227524bc9ab16254288dd6863dccd5b9f54a1ad0541b",
		h256:    "00557be5e584fd52a449b16b0251d05d27f94ab76cbaa6da890b59d8ef1e159d",
	},
	{
		name:    "M2",
		message: "fbe2e5f0eee3c820fbeafaebef20fffbf0e1e0f0f520e0ed20e8ece0ebe5f0f2f120fff0eeec20f120faf2fee5e2202ce8f6f3ede220e8e6eee1e8f0f2d1202ce8f0f2e5e220e5d1",
		h512:    "28fbc9bada033b1460642bdcddb90c3fb3e56c497ccd0f62b8a2ad4935e85f037613966de4ee00531ae60f3b5a47f8dae06915d5f2f194996fcabf2622e6881e",
		h256:    "508f7e553c06501d749a66fc28c6cac0b005746d97537fa85d9e40904efed29d",
	},
}

func TestStreebogRFC6986(t *testing.T) {
	for _, v := range streebogVectors {
		msg := reverseHex(t, v.message)
		if v.name == "M1" && string(msg) != "012345678901234567890123456789012345678901234567890123456789012" {
			t.Fatalf("M1 decodes to %q", msg)
		}
		s512 := Sum512(msg)
		if want := reverseHex(t, v.h512); !bytes.Equal(s512[:], want) {
			t.Errorf("%s: Streebog-512 = %x, want %x", v.name, s512, want)
		}
		s256 := Sum256(msg)
		if want := reverseHex(t, v.h256); !bytes.Equal(s256[:], want) {
			t.Errorf("%s: Streebog-256 = %x, want %x", v.name, s256, want)
		}
	}
}

func TestStreebogHashInterface(t *testing.T) {
	msg := bytes.Repeat([]byte("paraph"), 1000)
	for _, size := range []int{Size256, Size512} {
		var h = NewStreebog256()
		want := Sum256(msg)
		wantSum := want[:]
		if size == Size512 {
			h = NewStreebog512()
			w := Sum512(msg)
			wantSum = w[:]
		}
		if h.Size() != size || h.BlockSize() != BlockSize {
			t.Fatalf("Size/BlockSize = %d/%d", h.Size(), h.BlockSize())
		}
		// Odd chunk sizes cross block boundaries at every offset.
		for i := 0; i < len(msg); i += 7 {
			h.Write(msg[i:min(i+7, len(msg))])
		}
		got := h.Sum([]byte("prefix"))
		if !bytes.Equal(got[:6], []byte("prefix")) || !bytes.Equal(got[6:], wantSum) {
			t.Fatalf("size %d: chunked %x, one-shot %x", size, got[6:], wantSum)
		}
		// Sum must not disturb the state.
		if again := h.Sum(nil); !bytes.Equal(again, wantSum) {
			t.Fatalf("size %d: second Sum differs", size)
		}
		h.Reset()
		h.Write(msg)
		if got := h.Sum(nil); !bytes.Equal(got, wantSum) {
			t.Fatalf("size %d: after Reset %x", size, got)
		}
	}
}
