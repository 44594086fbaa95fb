package cades

import (
	"maps"
	"math/big"
	"testing"

	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"
)

// TestSignatureCache: the entry Assemble makes is the one Verify looks up,
// for every algorithm (and raw r‖s ECDSA, which Assemble converts); a hit
// skips only the signature primitive, so a wrong content digest still
// fails, and a value that does not verify is never a hit.
func TestSignatureCache(t *testing.T) {
	for _, alg := range append(append([]string{}, allAlgs...), "ecdsa-raw", "gost256", "gost512") {
		t.Run(alg, func(t *testing.T) {
			signerAlg := map[string]string{"ecdsa-raw": "ecdsa-p256", "rsa-pss": "rsa"}[alg]
			if signerAlg == "" {
				signerAlg = alg
			}
			cert, key := benchSigner(t, signerAlg)
			h, name, err := DigestFor(cert)
			if err != nil {
				t.Fatal(err)
			}
			h.Write([]byte("Акт № 1"))
			digest := h.Sum(nil)
			p, err := Prepare(cert, digest, testTime)
			if err != nil {
				t.Fatal(err)
			}
			value, err := SignPrepared(p, key, SignOptions{PSS: alg == "rsa-pss"})
			if err != nil {
				t.Fatal(err)
			}
			if alg == "ecdsa-raw" {
				value = rawECDSA(t, value, 32)
			}
			assembled := NewSignatureCache(8)
			cms, err := AssembleWith(p, cert, nil, value, AssembleOptions{Signatures: assembled})
			if err != nil {
				t.Fatal(err)
			}
			if len(assembled.ok) != 1 {
				t.Fatalf("%d entries after Assemble, want 1", len(assembled.ok))
			}
			sd, err := Parse(cms)
			if err != nil {
				t.Fatal(err)
			}
			verified := NewSignatureCache(8)
			res, _ := sd.VerifyWith(nil, VerifyOptions{Digests: map[string][]byte{name: digest}, Signatures: verified})
			wantResult(t, res[0], Passed, "")
			if !maps.Equal(assembled.ok, verified.ok) {
				t.Fatal("Verify's entry is not the one Assemble made")
			}
			res, _ = sd.VerifyWith(nil, VerifyOptions{Digests: map[string][]byte{name: digest}, Signatures: assembled})
			wantResult(t, res[0], Passed, "")
			other := append([]byte{}, digest...)
			other[0] ^= 1
			res, _ = sd.VerifyWith(nil, VerifyOptions{Digests: map[string][]byte{name: other}, Signatures: assembled})
			wantResult(t, res[0], Failed, HashFailure)
			sd.Signers[0].Signature[len(sd.Signers[0].Signature)-1] ^= 1
			res, _ = sd.VerifyWith(nil, VerifyOptions{Digests: map[string][]byte{name: digest}, Signatures: assembled})
			wantResult(t, res[0], Failed, SigCryptoFailure)
			if len(assembled.ok) != 1 {
				t.Errorf("%d entries, want 1: a failed value was added", len(assembled.ok))
			}
		})
	}
}

// rawECDSA turns a DER ECDSA-Sig-Value into r‖s of size bytes each, as
// WebCrypto returns it.
func rawECDSA(tb testing.TB, der []byte, size int) []byte {
	tb.Helper()
	in := cryptobyte.String(der)
	var seq cryptobyte.String
	r, s := new(big.Int), new(big.Int)
	if !in.ReadASN1(&seq, cbasn1.SEQUENCE) || !seq.ReadASN1Integer(r) || !seq.ReadASN1Integer(s) {
		tb.Fatal("not an ECDSA-Sig-Value")
	}
	return append(r.FillBytes(make([]byte, size)), s.FillBytes(make([]byte, size))...)
}
