package core

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"strings"
	"time"

	"paraph"
	"paraph/internal/store"
)

// IssuedToken is a token's secret, shown once, with its record.
type IssuedToken struct {
	Secret string
	store.Token
}

var tokenPrefix = map[string]string{store.TokenSession: "pps_", store.TokenBearer: "ppb_", store.TokenPersonal: "ppt_"}

// hashToken: tokens carry 256 random bits, so a plain SHA-256 is enough to
// make a stolen table useless.
func hashToken(secret string) string {
	sum := sha256.Sum256([]byte(secret))
	return hex.EncodeToString(sum[:])
}

func (s *Service) issueToken(ctx context.Context, tx *store.Tx, accountID, kind, name string) (*IssuedToken, error) {
	secret := tokenPrefix[kind] + base64.RawURLEncoding.EncodeToString(randomBytes(32))
	now := s.clock.Now()
	c := ClientFrom(ctx)
	t := store.Token{ID: newID(), AccountID: accountID, Kind: kind, Name: name, Hash: hashToken(secret),
		Hint: secret[:4] + "…" + secret[len(secret)-4:], CreatedAt: now, IP: c.IP, UserAgent: truncate(c.UserAgent, 512)}
	switch kind {
	case store.TokenSession:
		t.ExpiresAt = now.Add(s.cfg.SessionTTL)
	case store.TokenBearer:
		t.ExpiresAt = now.Add(s.cfg.BearerTTL)
	}
	if err := tx.CreateToken(ctx, &t); err != nil {
		return nil, err
	}
	return &IssuedToken{Secret: secret, Token: t}, nil
}

var errBadCredentials = &paraph.Error{Code: paraph.EUNAUTHORIZED, Reason: "wrong_credentials",
	Message: "Wrong login or password."}

// Login checks a password and issues a session (web) or bearer (API) token.
// Attempts are limited per client IP and per login; an unknown login costs as
// much time as a known one.
func (s *Service) Login(ctx context.Context, login, password, kind string) (*paraph.Account, *IssuedToken, error) {
	if kind != store.TokenSession && kind != store.TokenBearer {
		return nil, nil, paraph.Internal(nil)
	}
	norm, _, perr := paraph.NormalizeLogin(login)
	if perr != nil {
		return nil, nil, perr
	}
	if ok, wait := s.loginByIP.allow(ClientFrom(ctx).IP); !ok {
		return nil, nil, tooMany("login_rate_limited", "Too many login attempts; wait and try again.", wait)
	}
	if ok, wait := s.loginByLogin.allow(norm); !ok {
		return nil, nil, tooMany("login_rate_limited", "Too many login attempts; wait and try again.", wait)
	}
	if len(password) > paraph.PasswordMaxLength {
		return nil, nil, errBadCredentials
	}
	var a *store.AccountRecord
	err := s.db.Read(ctx, func(tx *store.Tx) error {
		var err error
		a, err = tx.FindAccountByLogin(ctx, norm)
		return err
	})
	if paraph.ErrorCode(err) == paraph.ENOTFOUND {
		verifyPassword(s.dummyHash, password)
		return nil, nil, errBadCredentials
	}
	if err != nil {
		return nil, nil, err
	}
	if a.PasswordHash == "" { // invited, never set a password: the invitation or a reset sets one
		verifyPassword(s.dummyHash, password)
		return nil, nil, errBadCredentials
	}
	ok, err := verifyPassword(a.PasswordHash, password)
	if err != nil {
		return nil, nil, paraph.Internal(err)
	}
	if !ok {
		return nil, nil, errBadCredentials
	}
	if a.Status != paraph.AccountActive {
		return nil, nil, &paraph.Error{Code: paraph.EFORBIDDEN, Reason: "not_confirmed", Field: "login",
			Message: "Confirm your login first: enter the code we sent you, or ask for a new one."}
	}
	var tok *IssuedToken
	err = s.db.Write(ctx, func(tx *store.Tx) error {
		var err error
		if tok, err = s.issueToken(ctx, tx, a.ID, kind, ""); err != nil {
			return err
		}
		return s.audit(ctx, tx, a.ID, "", "account.logged_in", a.ID, `{"via":"`+kind+`"}`)
	})
	if err != nil {
		return nil, nil, err
	}
	return &a.Account, tok, nil
}

var errBadToken = &paraph.Error{Code: paraph.EUNAUTHORIZED, Reason: "invalid_token",
	Message: "The session or token is not valid; log in again."}

// Authenticate finds the principal behind a token secret.
func (s *Service) Authenticate(ctx context.Context, secret string) (*Principal, error) {
	if !strings.HasPrefix(secret, "pp") || len(secret) > 100 {
		return nil, errBadToken
	}
	var p *Principal
	var touch bool
	err := s.db.Read(ctx, func(tx *store.Tx) error {
		t, a, err := tx.FindTokenAccount(ctx, hashToken(secret))
		if paraph.ErrorCode(err) == paraph.ENOTFOUND {
			return errBadToken
		}
		if err != nil {
			return err
		}
		now := s.clock.Now()
		if !t.ExpiresAt.IsZero() && !now.Before(t.ExpiresAt) {
			return errBadToken
		}
		if a.Status != paraph.AccountActive {
			return errBadToken
		}
		p = &Principal{Account: a.Account, TokenID: t.ID, Kind: t.Kind}
		touch = now.Sub(t.LastUsedAt) > time.Minute // a write at most once a minute per token
		return nil
	})
	if err != nil {
		return nil, err
	}
	if touch {
		if err := s.db.Write(ctx, func(tx *store.Tx) error { return tx.TouchToken(ctx, p.TokenID, s.clock.Now()) }); err != nil {
			s.log.Warn("core: record a token's use", "err", err) // not worth failing the request for
		}
	}
	return p, nil
}

// Logout ends the token in use.
func (s *Service) Logout(ctx context.Context) error {
	p, err := requirePrincipal(ctx)
	if err != nil {
		return err
	}
	return s.db.Write(ctx, func(tx *store.Tx) error {
		if err := tx.DeleteToken(ctx, p.Account.ID, p.TokenID); err != nil && paraph.ErrorCode(err) != paraph.ENOTFOUND {
			return err
		}
		return s.audit(ctx, tx, "", "", "account.logged_out", p.Account.ID, "")
	})
}

// CreatePersonalToken makes a named API token for scripts and integrations.
func (s *Service) CreatePersonalToken(ctx context.Context, name string) (*IssuedToken, error) {
	p, err := requirePrincipal(ctx)
	if err != nil {
		return nil, err
	}
	name = strings.Join(strings.Fields(name), " ")
	if name == "" {
		return nil, paraph.Invalid("name", "token_name_required", "Name the token so you can recognise it later.")
	}
	if len([]rune(name)) > 100 {
		return nil, paraph.Invalid("name", "token_name_too_long", "The name is too long (100 characters at most).")
	}
	var tok *IssuedToken
	err = s.db.Write(ctx, func(tx *store.Tx) error {
		existing, err := tx.FindTokens(ctx, p.Account.ID, store.TokenPersonal)
		if err != nil {
			return err
		}
		if len(existing) >= 50 {
			return &paraph.Error{Code: paraph.ECONFLICT, Reason: "token_limit", Message: "You have 50 tokens; revoke one first."}
		}
		if tok, err = s.issueToken(ctx, tx, p.Account.ID, store.TokenPersonal, name); err != nil {
			return err
		}
		return s.audit(ctx, tx, "", "", "token.created", tok.ID, "")
	})
	return tok, err
}

// PersonalTokens lists the acting account's personal tokens (never secrets).
func (s *Service) PersonalTokens(ctx context.Context) ([]*store.Token, error) {
	p, err := requirePrincipal(ctx)
	if err != nil {
		return nil, err
	}
	var out []*store.Token
	err = s.db.Read(ctx, func(tx *store.Tx) error {
		out, err = tx.FindTokens(ctx, p.Account.ID, store.TokenPersonal)
		return err
	})
	return out, err
}

// RevokePersonalToken deletes one of the acting account's personal tokens.
func (s *Service) RevokePersonalToken(ctx context.Context, id string) error {
	p, err := requirePrincipal(ctx)
	if err != nil {
		return err
	}
	return s.db.Write(ctx, func(tx *store.Tx) error {
		t, err := tx.FindTokens(ctx, p.Account.ID, store.TokenPersonal)
		if err != nil {
			return err
		}
		for _, x := range t {
			if x.ID == id {
				if err := tx.DeleteToken(ctx, p.Account.ID, id); err != nil {
					return err
				}
				return s.audit(ctx, tx, "", "", "token.revoked", id, "")
			}
		}
		return notFoundErr("Token")
	})
}
