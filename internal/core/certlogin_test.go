package core_test

import (
	"context"
	"crypto"
	"crypto/rand"
	"crypto/sha256"
	"crypto/sha512"
	"testing"

	"paraph/gost"
	"paraph/internal/core"
	"paraph/internal/store"
	"paraph/internal/storetest"
	"paraph/pki/pkitest"
)

// signChallenge signs as a client does, per core.SignatureAlgorithm.
func signChallenge(t *testing.T, key crypto.Signer, alg string, data []byte) []byte {
	t.Helper()
	var digest []byte
	var opts crypto.SignerOpts = crypto.Hash(0)
	switch alg {
	case "ECDSA-SHA256", "RSA-PKCS1-SHA256":
		d := sha256.Sum256(data)
		digest, opts = d[:], crypto.SHA256
	case "ECDSA-SHA384":
		d := sha512.Sum384(data)
		digest, opts = d[:], crypto.SHA384
	case "Ed25519":
		digest = data
	case "GOST-2012-256":
		d := gost.Sum256(data)
		digest = d[:]
	case "GOST-2012-512":
		d := gost.Sum512(data)
		digest = d[:]
	default:
		t.Fatalf("algorithm %s", alg)
	}
	sig, err := key.Sign(rand.Reader, digest, opts)
	if err != nil {
		t.Fatal(err)
	}
	return sig
}

func TestCertificateLogin(t *testing.T) {
	for _, kt := range []pkitest.KeyType{pkitest.ECDSA, pkitest.RSA, pkitest.Ed25519, pkitest.GOST256, pkitest.GOST512} {
		t.Run(string(kt), func(t *testing.T) {
			db := storetest.MustOpen(t, store.SQLite)
			ce := newCertEnv(t, db)
			leaf := ce.ca.Issue(t, pkitest.LeafOptions{Subject: annaSubject(), Key: kt})
			ctx := ctxFrom("203.0.113.5")
			// Not bound yet.
			_, err := ce.svc.CertificateChallenge(ctx, leaf.PEM())
			wantReason(t, err, "certificate_not_bound")
			if _, err := ce.svc.UploadCertificate(ce.signerCtx, ce.org.ID, ce.signer.ID, leaf.PEM()); err != nil {
				t.Fatal(err)
			}
			// Bound, but the root is not trusted: the signature is right, the certificate is not.
			ch, err := ce.svc.CertificateChallenge(ctx, leaf.PEM())
			if err != nil {
				t.Fatal(err)
			}
			_, _, err = ce.svc.LoginWithCertificate(ctx, ch.ID, signChallenge(t, leaf.Key, ch.Algorithm, ch.Data), store.TokenBearer)
			wantReason(t, err, "certificate_invalid")
			ce.svc.SetInstanceAdmin(context.Background(), "director@example.com", true)
			if _, err := ce.svc.AddTrustRoot(ce.relogin(t, "director@example.com"), pkitest.PEM(ce.ca.Root())); err != nil {
				t.Fatal(err)
			}
			// A signature by another key fails; the challenge is then spent.
			ch, _ = ce.svc.CertificateChallenge(ctx, leaf.PEM())
			other := ce.ca.Issue(t, pkitest.LeafOptions{Subject: annaSubject(), Key: kt})
			_, _, err = ce.svc.LoginWithCertificate(ctx, ch.ID, signChallenge(t, other.Key, ch.Algorithm, ch.Data), store.TokenBearer)
			wantReason(t, err, "signature_invalid")
			_, _, err = ce.svc.LoginWithCertificate(ctx, ch.ID, signChallenge(t, leaf.Key, ch.Algorithm, ch.Data), store.TokenBearer)
			wantReason(t, err, "challenge_invalid")
			// The right key logs in.
			ch, _ = ce.svc.CertificateChallenge(ctx, leaf.PEM())
			acc, tok, err := ce.svc.LoginWithCertificate(ctx, ch.ID, signChallenge(t, leaf.Key, ch.Algorithm, ch.Data), store.TokenBearer)
			if err != nil {
				t.Fatal(err)
			}
			p, err := ce.svc.Authenticate(ctx, tok.Secret)
			if err != nil || p.Account.ID != acc.ID || acc.Email != "anna@example.com" {
				t.Fatalf("logged in as %+v (%v)", acc, err)
			}
			// An expired challenge is refused.
			ch, _ = ce.svc.CertificateChallenge(ctx, leaf.PEM())
			ce.clock.Advance(core.ChallengeTTL + 1)
			_, _, err = ce.svc.LoginWithCertificate(ctx, ch.ID, signChallenge(t, leaf.Key, ch.Algorithm, ch.Data), store.TokenBearer)
			wantReason(t, err, "challenge_invalid")
		})
	}
}
