package client

import (
	"context"
	"crypto"
	"crypto/rand"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/base64"
	"errors"
	"fmt"
	"time"

	"paraph/gost"
	"paraph/pki"
)

// ErrKeyMismatch is returned by LoginWithSigner when the key is not the
// certificate's: checked before anything is sent, so the server never sees a
// login attempt that cannot succeed.
var ErrKeyMismatch = errors.New("the key does not match the certificate")

// Challenge is what the server asks to be signed for a certificate login.
type Challenge struct {
	ID        string
	Data      []byte // sign these bytes, as Algorithm says (see SignChallenge)
	Algorithm string
	ExpiresAt time.Time
}

// CertificateChallenge starts a certificate login with the certificate in
// PEM (the leaf, optionally followed by its chain).
func (c *Client) CertificateChallenge(ctx context.Context, certPEM []byte) (*Challenge, error) {
	var out struct {
		ID        string    `json:"challenge_id"`
		Data      string    `json:"data"`
		Algorithm string    `json:"algorithm"`
		ExpiresAt time.Time `json:"expires_at"`
	}
	if err := c.do(ctx, "POST", "/api/v1/auth/certificate/challenge", map[string]string{"certificate": string(certPEM)}, &out); err != nil {
		return nil, err
	}
	data, err := base64.StdEncoding.DecodeString(out.Data)
	if err != nil {
		return nil, fmt.Errorf("client: certificate challenge: data is not base64: %w", err)
	}
	return &Challenge{ID: out.ID, Data: data, Algorithm: out.Algorithm, ExpiresAt: out.ExpiresAt}, nil
}

// CertificateLogin finishes a certificate login with the challenge's signature.
func (c *Client) CertificateLogin(ctx context.Context, challengeID string, signature []byte) (*Session, error) {
	var s Session
	err := c.do(ctx, "POST", "/api/v1/auth/certificate/login", map[string]string{
		"challenge_id": challengeID, "signature": base64.StdEncoding.EncodeToString(signature)}, &s)
	if err != nil {
		return nil, err
	}
	return &s, nil
}

// LoginWithSigner logs in with a certificate and its private key: it checks
// that the key is the certificate's, asks for a challenge, signs it and
// sends the signature. signer may be a key in memory or on a token (PKCS #11).
func (c *Client) LoginWithSigner(ctx context.Context, certPEM []byte, signer crypto.Signer) (*Session, error) {
	certs, err := pki.Parse(certPEM)
	if err != nil {
		return nil, fmt.Errorf("certificate: %s", pki.Message(err))
	}
	leaf, _ := pki.SplitChain(certs)
	if leaf.PublicKey == nil {
		return nil, fmt.Errorf("certificate: its key algorithm (%s) cannot sign here", leaf.KeyAlgorithm)
	}
	pub, ok := signer.Public().(interface{ Equal(crypto.PublicKey) bool })
	if !ok || !pub.Equal(leaf.PublicKey) {
		return nil, ErrKeyMismatch
	}
	ch, err := c.CertificateChallenge(ctx, certPEM)
	if err != nil {
		return nil, err
	}
	sig, err := SignChallenge(signer, ch.Algorithm, ch.Data)
	if err != nil {
		return nil, err
	}
	return c.CertificateLogin(ctx, ch.ID, sig)
}

// SignChallenge signs a challenge's data the way the server's algorithm
// name says:
//
//	ECDSA-SHA256 / ECDSA-SHA384: ECDSA over SHA-256 / SHA-384 of data, ASN.1 DER
//	RSA-PKCS1-SHA256:            RSASSA-PKCS1-v1_5 over SHA-256 of data
//	Ed25519:                     over data itself
//	GOST-2012-256 / 512:         GOST R 34.10-2012 over Streebog-256 / 512 of data, s‖r
func SignChallenge(signer crypto.Signer, algorithm string, data []byte) ([]byte, error) {
	var digest []byte
	var opts crypto.SignerOpts
	switch algorithm {
	case "ECDSA-SHA256", "RSA-PKCS1-SHA256":
		d := sha256.Sum256(data)
		digest, opts = d[:], crypto.SHA256
	case "ECDSA-SHA384":
		d := sha512.Sum384(data)
		digest, opts = d[:], crypto.SHA384
	case "Ed25519":
		digest, opts = data, crypto.Hash(0)
	case "GOST-2012-256":
		d := gost.Sum256(data)
		digest, opts = d[:], crypto.Hash(0)
	case "GOST-2012-512":
		d := gost.Sum512(data)
		digest, opts = d[:], crypto.Hash(0)
	default:
		return nil, fmt.Errorf("client: the server asks for a signature algorithm this client does not know: %q", algorithm)
	}
	sig, err := signer.Sign(rand.Reader, digest, opts)
	if err != nil {
		return nil, fmt.Errorf("sign the challenge (%s): %w", algorithm, err)
	}
	return sig, nil
}
