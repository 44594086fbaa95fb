package core

import (
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/asn1"
	"encoding/base64"
	"errors"
	"fmt"
	"math/big"
	"time"

	"paraph"
	"paraph/gost"
	"paraph/internal/store"
	"paraph/pki"
)

// ChallengeTTL is how long a login challenge may be signed.
const ChallengeTTL = 5 * time.Minute

// LoginChallenge is what a person signs to log in with a certificate.
type LoginChallenge struct {
	ID        string
	Data      []byte // sign these bytes
	Algorithm string // how, see SignatureAlgorithm
	ExpiresAt time.Time
}

// challengeData is the text signed: it names the instance and the moment,
// so a signature cannot be replayed here or elsewhere.
func (s *Service) challengeData(c *store.Challenge) []byte {
	return []byte("Paraph login\n" + s.cfg.BaseURL + "\n" + c.ID + "\n" + c.Nonce + "\n" + c.CreatedAt.UTC().Format(time.RFC3339) + "\n")
}

// SignatureAlgorithm says how a key signs a challenge, for clients:
//
//	ECDSA-SHA256 / ECDSA-SHA384: ECDSA over SHA-256 (P-256) or SHA-384 (P-384)
//	  of the data; the signature as ASN.1 DER or as r‖s (WebCrypto's form).
//	RSA-PKCS1-SHA256: RSASSA-PKCS1-v1_5 with SHA-256. RSA-PSS-SHA256 is also
//	  accepted from RSA keys (salt length 32 or the maximum).
//	Ed25519: over the data itself.
//	GOST-2012-256 / GOST-2012-512: GOST R 34.10-2012 over Streebog-256/512
//	  of the data, the signature s‖r as in CMS.
func SignatureAlgorithm(pub crypto.PublicKey) (string, error) {
	switch k := pub.(type) {
	case *ecdsa.PublicKey:
		if k.Curve.Params().BitSize > 256 {
			return "ECDSA-SHA384", nil
		}
		return "ECDSA-SHA256", nil
	case *rsa.PublicKey:
		return "RSA-PKCS1-SHA256", nil
	case ed25519.PublicKey:
		return "Ed25519", nil
	case *gost.PublicKey:
		if k.Curve.PointSize == 64 {
			return "GOST-2012-512", nil
		}
		return "GOST-2012-256", nil
	}
	return "", &paraph.Error{Code: paraph.EINVALID, Reason: "algorithm_unsupported", Field: "certificate",
		Message: "This certificate's key algorithm cannot sign here."}
}

// VerifyRawSignature checks a signature over data made as SignatureAlgorithm says.
func VerifyRawSignature(pub crypto.PublicKey, data, sig []byte) error {
	bad := errors.New("signature does not verify")
	switch k := pub.(type) {
	case *ecdsa.PublicKey:
		var digest []byte
		if k.Curve.Params().BitSize > 256 {
			d := sha512.Sum384(data)
			digest = d[:]
		} else {
			d := sha256.Sum256(data)
			digest = d[:]
		}
		if ecdsa.VerifyASN1(k, digest, sig) {
			return nil
		}
		size := (k.Curve.Params().BitSize + 7) / 8
		if len(sig) == 2*size { // WebCrypto gives r‖s
			r, s := new(big.Int).SetBytes(sig[:size]), new(big.Int).SetBytes(sig[size:])
			if der, err := asn1.Marshal(struct{ R, S *big.Int }{r, s}); err == nil && ecdsa.VerifyASN1(k, digest, der) {
				return nil
			}
		}
		return bad
	case *rsa.PublicKey:
		d := sha256.Sum256(data)
		if rsa.VerifyPKCS1v15(k, crypto.SHA256, d[:], sig) == nil ||
			rsa.VerifyPSS(k, crypto.SHA256, d[:], sig, &rsa.PSSOptions{SaltLength: rsa.PSSSaltLengthAuto}) == nil {
			return nil
		}
		return bad
	case ed25519.PublicKey:
		if ed25519.Verify(k, data, sig) {
			return nil
		}
		return bad
	case *gost.PublicKey:
		var digest []byte
		if k.Curve.PointSize == 64 {
			d := gost.Sum512(data)
			digest = d[:]
		} else {
			d := gost.Sum256(data)
			digest = d[:]
		}
		if err := gost.Verify(k, digest, sig); err != nil {
			return bad
		}
		return nil
	}
	return fmt.Errorf("unsupported key %T", pub)
}

var errCertNotBound = &paraph.Error{Code: paraph.EUNAUTHORIZED, Reason: "certificate_not_bound", Field: "certificate",
	Message: "This certificate is not linked to an account here. Log in with your password and add it in an organization first."}

// CertificateChallenge starts a certificate login: the certificate must be
// bound to an account and valid now.
func (s *Service) CertificateChallenge(ctx context.Context, certData []byte) (*LoginChallenge, error) {
	if ok, wait := s.loginByIP.allow(ClientFrom(ctx).IP); !ok {
		return nil, tooMany("login_rate_limited", "Too many login attempts; wait and try again.", wait)
	}
	certs, err := s.parseCertificates(certData)
	if err != nil {
		return nil, err
	}
	leaf, _ := splitLeaf(certs)
	alg, err := SignatureAlgorithm(leaf.PublicKey)
	if err != nil {
		return nil, err
	}
	if _, _, err := s.boundAccount(ctx, leaf.FingerprintSHA256); err != nil {
		return nil, err
	}
	now := s.clock.Now().Truncate(time.Second)
	c := &store.Challenge{ID: newID(), Nonce: base64.RawURLEncoding.EncodeToString(randomBytes(32)), Fingerprint: leaf.FingerprintSHA256,
		CreatedAt: now, ExpiresAt: now.Add(ChallengeTTL)}
	err = s.db.Write(ctx, func(tx *store.Tx) error {
		if err := tx.DeleteOldChallenges(ctx, now.Add(-time.Hour)); err != nil {
			return err
		}
		return tx.CreateChallenge(ctx, c)
	})
	if err != nil {
		return nil, err
	}
	return &LoginChallenge{ID: c.ID, Data: s.challengeData(c), Algorithm: alg, ExpiresAt: c.ExpiresAt}, nil
}

// boundAccount finds the one account a certificate is bound to, with the
// certificate as stored (and its chain).
func (s *Service) boundAccount(ctx context.Context, fingerprint string) (*store.AccountRecord, *store.Certificate, error) {
	var acc *store.AccountRecord
	var cert *store.Certificate
	err := s.db.Read(ctx, func(tx *store.Tx) error {
		certs, err := tx.FindCertificatesByFingerprint(ctx, fingerprint)
		if err != nil {
			return err
		}
		if len(certs) == 0 {
			return errCertNotBound
		}
		for _, c := range certs[1:] {
			if c.AccountID != certs[0].AccountID { // cannot happen through the binding rules; refuse rather than guess
				return errCertNotBound
			}
		}
		cert = certs[0]
		acc, err = tx.FindAccountByID(ctx, cert.AccountID)
		return err
	})
	return acc, cert, err
}

// LoginWithCertificate finishes a certificate login: the challenge is spent
// once, its signature must verify with the bound certificate's key, and the
// certificate must be valid and trusted now.
func (s *Service) LoginWithCertificate(ctx context.Context, challengeID string, signature []byte, kind string) (*paraph.Account, *IssuedToken, error) {
	if kind != store.TokenSession && kind != store.TokenBearer {
		return nil, nil, paraph.Internal(nil)
	}
	if ok, wait := s.loginByIP.allow(ClientFrom(ctx).IP); !ok {
		return nil, nil, tooMany("login_rate_limited", "Too many login attempts; wait and try again.", wait)
	}
	var ch *store.Challenge
	err := s.db.Write(ctx, func(tx *store.Tx) error {
		var err error
		ch, err = tx.UseChallenge(ctx, challengeID, s.clock.Now())
		return err
	})
	if err != nil || !s.clock.Now().Before(ch.ExpiresAt) {
		return nil, nil, &paraph.Error{Code: paraph.EUNAUTHORIZED, Reason: "challenge_invalid",
			Message: "The login challenge is unknown, used or expired; start again."}
	}
	acc, stored, err := s.boundAccount(ctx, ch.Fingerprint)
	if err != nil {
		return nil, nil, err
	}
	view, err := s.certificateView(ctx, stored)
	if err != nil {
		return nil, nil, err
	}
	if err := VerifyRawSignature(view.Cert.PublicKey, s.challengeData(ch), signature); err != nil {
		return nil, nil, &paraph.Error{Code: paraph.EUNAUTHORIZED, Reason: "signature_invalid", Field: "signature",
			Message: "The signature does not verify with the certificate's key.", Err: err}
	}
	if view.Status == pki.StatusInvalid {
		return nil, nil, &paraph.Error{Code: paraph.EUNAUTHORIZED, Reason: "certificate_invalid", Field: "certificate",
			Message: "The certificate is not valid now (" + string(view.Reason) + ")."}
	}
	if acc.Status != paraph.AccountActive {
		return nil, nil, &paraph.Error{Code: paraph.EFORBIDDEN, Reason: "not_confirmed", Message: "Confirm your login first."}
	}
	var tok *IssuedToken
	err = s.db.Write(ctx, func(tx *store.Tx) error {
		var err error
		if tok, err = s.issueToken(ctx, tx, acc.ID, kind, ""); err != nil {
			return err
		}
		return s.audit(ctx, tx, acc.ID, "", "account.logged_in", acc.ID, `{"via":"certificate","fingerprint":"`+ch.Fingerprint+`"}`)
	})
	if err != nil {
		return nil, nil, err
	}
	return &acc.Account, tok, nil
}
