package client_test

import (
	"testing"

	"paraph/client"
	"paraph/internal/core"
	"paraph/pki/pkitest"
)

// SignChallenge signs as the server verifies, for every key type the server
// names an algorithm for.
func TestSignChallenge(t *testing.T) {
	data := []byte("Paraph login\nhttp://paraph.test\nchallenge\n")
	for _, kt := range []pkitest.KeyType{pkitest.ECDSA, pkitest.RSA, pkitest.Ed25519, pkitest.GOST256, pkitest.GOST512, pkitest.GOST256CryptoPro} {
		t.Run(string(kt), func(t *testing.T) {
			key := pkitest.GenerateKey(t, kt)
			alg, err := core.SignatureAlgorithm(key.Public())
			if err != nil {
				t.Fatal(err)
			}
			sig, err := client.SignChallenge(key, alg, data)
			if err != nil {
				t.Fatal(err)
			}
			if err := core.VerifyRawSignature(key.Public(), data, sig); err != nil {
				t.Fatalf("%s: %v", alg, err)
			}
			if err := core.VerifyRawSignature(key.Public(), append(data, '!'), sig); err == nil {
				t.Fatalf("%s: a signature over other data verifies", alg)
			}
		})
	}
	if _, err := client.SignChallenge(pkitest.GenerateKey(t, pkitest.ECDSA), "DSA-SHA1", data); err == nil {
		t.Fatal("an unknown algorithm was signed")
	}
}
