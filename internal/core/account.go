package core

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"strconv"
	"time"

	"paraph"
	"paraph/internal/notify"
	"paraph/internal/store"
)

// Code purposes.
const (
	PurposeConfirm     = "confirm"
	PurposeReset       = "reset"
	PurposeLoginChange = "login_change"
)

// Registration is what a person fills in to register.
type Registration struct {
	Login    string
	Password string
	FullName string
	Language string
}

// Register creates a pending account and sends a confirmation code to its
// login. A login held by an account that never confirmed is taken over: that
// person never proved they own it.
func (s *Service) Register(ctx context.Context, r Registration) (*paraph.Account, error) {
	a, login, err := s.newAccount(ctx, r, paraph.AccountPending)
	if err != nil {
		return nil, err
	}
	// Each registration sends a code: bound how often one client may ask.
	if ip := ClientFrom(ctx).IP; ip != "" {
		if ok, wait := s.loginByIP.allow("register " + ip); !ok {
			return nil, tooMany("register_rate_limited", "Too many registrations from here; wait and try again.", wait)
		}
	}
	err = s.db.Write(ctx, func(tx *store.Tx) error {
		old, err := tx.FindAccountByLogin(ctx, login)
		switch {
		case err == nil && old.Status == paraph.AccountPending:
			// Nobody proved they own this login yet (a stale registration, or
			// an invitation not taken up): the new registration replaces its
			// name and password in place, so memberships it was invited to stay.
			old.FullName, old.Language, old.PasswordHash, old.PasswordChangedAt = a.FullName, a.Language, a.PasswordHash, a.PasswordChangedAt
			if err := tx.UpdateAccount(ctx, old); err != nil {
				return err
			}
			a = old
		case err == nil:
			return &paraph.Error{Code: paraph.ECONFLICT, Reason: "login_taken", Field: "login",
				Message: "An account with this login already exists. Log in or reset the password."}
		case paraph.ErrorCode(err) != paraph.ENOTFOUND:
			return err
		default:
			if err := tx.CreateAccount(ctx, a); err != nil {
				if paraph.ErrorCode(err) == paraph.ECONFLICT {
					return &paraph.Error{Code: paraph.ECONFLICT, Reason: "login_taken", Field: "login",
						Message: "An account with this login already exists. Log in or reset the password.", Err: err}
				}
				return err
			}
		}
		if err := s.audit(ctx, tx, a.ID, "", "account.registered", a.ID, ""); err != nil {
			return err
		}
		return s.sendCode(ctx, tx, &a.Account, PurposeConfirm, login)
	})
	if err != nil {
		return nil, err
	}
	s.wake()
	return &a.Account, nil
}

// sendCode makes a new code for a purpose, stores its hash and queues the
// message. It enforces the resend interval and the hourly cap.
func (s *Service) sendCode(ctx context.Context, tx *store.Tx, a *paraph.Account, purpose, address string) error {
	now := s.clock.Now()
	last, err := tx.FindLatestCode(ctx, a.ID, purpose)
	switch {
	case err == nil && now.Sub(last.CreatedAt) < s.cfg.CodeResendAfter:
		return tooMany("code_resend_too_soon", "A code was sent less than a minute ago; wait before asking again.",
			s.cfg.CodeResendAfter-now.Sub(last.CreatedAt))
	case err != nil && paraph.ErrorCode(err) != paraph.ENOTFOUND:
		return err
	}
	n, err := tx.CountCodesSince(ctx, a.ID, purpose, now.Add(-time.Hour))
	if err != nil {
		return err
	}
	if n >= s.cfg.CodesPerHour {
		return tooMany("code_hourly_limit", "Too many codes were sent in the last hour; try again later.", time.Hour)
	}
	code := newCode()
	c := &store.Code{ID: newID(), AccountID: a.ID, Purpose: purpose, Address: address, CreatedAt: now,
		ExpiresAt: now.Add(s.cfg.CodeTTL)}
	c.Hash = s.codeHash(c.ID, code)
	if err := tx.CreateCode(ctx, c); err != nil {
		return err
	}
	kind := map[string]notify.Kind{PurposeConfirm: notify.KindConfirmCode, PurposeReset: notify.KindResetCode,
		PurposeLoginChange: notify.KindLoginChangeCode}[purpose]
	return s.enqueueNotification(ctx, tx, "code:"+c.ID, notification{
		Channel: channelOf(address), To: address, Kind: kind, Lang: a.Language,
		Data: notify.Data{"name": a.FullName, "code": code, "minutes": minutes(s.cfg.CodeTTL)},
	})
}

func channelOf(address string) notify.Channel {
	if len(address) > 0 && address[0] == '+' {
		return notify.SMS
	}
	return notify.Email
}

// newCode returns six uniformly random digits.
func newCode() string {
	for {
		v := binary.BigEndian.Uint32(randomBytes(4))
		if v < 4_294_000_000 { // reject the tail so every code is equally likely
			return fmt.Sprintf("%06d", v%1_000_000)
		}
	}
}

// codeHash is keyed with the instance secret: six digits hashed without a
// key would fall to a brute force in microseconds.
func (s *Service) codeHash(codeID, code string) string {
	m := hmac.New(sha256.New, s.secret)
	m.Write([]byte(codeID + ":" + code))
	return hex.EncodeToString(m.Sum(nil))
}

var errWrongCode = &paraph.Error{Code: paraph.EINVALID, Reason: "wrong_code", Field: "code",
	Message: "The code is wrong. Check it and try again."}

// checkCode verifies the newest code of a purpose. A wrong try is counted and
// committed by the caller even though the use case fails: the returned
// countedErr is that failure, err is a failure to even check.
func (s *Service) checkCode(ctx context.Context, tx *store.Tx, accountID, purpose, code string) (c *store.Code, countedErr, err error) {
	c, err = tx.FindLatestCode(ctx, accountID, purpose)
	if paraph.ErrorCode(err) == paraph.ENOTFOUND {
		return nil, errWrongCode, nil
	}
	if err != nil {
		return nil, nil, err
	}
	now := s.clock.Now()
	switch {
	case !c.UsedAt.IsZero():
		return nil, &paraph.Error{Code: paraph.EINVALID, Reason: "code_used", Field: "code",
			Message: "This code was already used; ask for a new one."}, nil
	case c.Attempts >= s.cfg.CodeMaxAttempts:
		return nil, &paraph.Error{Code: paraph.EINVALID, Reason: "code_locked", Field: "code",
			Message: "Too many wrong tries; ask for a new code."}, nil
	case !now.Before(c.ExpiresAt):
		return nil, &paraph.Error{Code: paraph.EINVALID, Reason: "code_expired", Field: "code",
			Message: "The code has expired; ask for a new one."}, nil
	}
	if !hmac.Equal([]byte(s.codeHash(c.ID, normalizeCode(code))), []byte(c.Hash)) {
		if err := tx.AddCodeAttempt(ctx, c.ID); err != nil {
			return nil, nil, err
		}
		left := s.cfg.CodeMaxAttempts - c.Attempts - 1
		if left <= 0 {
			return nil, &paraph.Error{Code: paraph.EINVALID, Reason: "code_locked", Field: "code",
				Message: "Too many wrong tries; ask for a new code."}, nil
		}
		e := *errWrongCode
		e.Message = "The code is wrong. Tries left: " + strconv.Itoa(left) + "."
		e.Err = triesLeft(left)
		return nil, &e, nil
	}
	if err := tx.UseCode(ctx, c.ID, now); err != nil {
		if paraph.ErrorCode(err) == paraph.ENOTFOUND { // used by a concurrent request
			return nil, &paraph.Error{Code: paraph.EINVALID, Reason: "code_used", Field: "code",
				Message: "This code was already used; ask for a new one."}, nil
		}
		return nil, nil, err
	}
	return c, nil, nil
}

func normalizeCode(code string) string {
	out := make([]byte, 0, 6)
	for _, r := range code {
		if r >= '0' && r <= '9' {
			out = append(out, byte(r))
		}
	}
	return string(out)
}

// writeCounting runs fn in a transaction that commits even when fn reports a
// counted failure (a wrong code must stay counted), and returns that failure.
func (s *Service) writeCounting(ctx context.Context, fn func(tx *store.Tx) (counted error, err error)) error {
	var counted error
	err := s.db.Write(ctx, func(tx *store.Tx) error {
		var err error
		counted, err = fn(tx)
		return err
	})
	if err != nil {
		return err
	}
	return counted
}

// findForCode finds the account a code was sent to; an unknown login gets the
// same answer as a wrong code.
func findForCode(ctx context.Context, tx *store.Tx, login string) (*store.AccountRecord, error) {
	norm, _, perr := paraph.NormalizeLogin(login)
	if perr != nil {
		return nil, perr
	}
	a, err := tx.FindAccountByLogin(ctx, norm)
	if paraph.ErrorCode(err) == paraph.ENOTFOUND {
		return nil, errWrongCode
	}
	return a, err
}

// Confirm activates a pending account with the code sent to its login. With
// issue set to a token kind it also logs the person in.
func (s *Service) Confirm(ctx context.Context, login, code, issue string) (*paraph.Account, *IssuedToken, error) {
	var acc *paraph.Account
	var tok *IssuedToken
	err := s.writeCounting(ctx, func(tx *store.Tx) (error, error) {
		a, err := findForCode(ctx, tx, login)
		if err != nil {
			return nil, err
		}
		if a.Status == paraph.AccountActive {
			return nil, &paraph.Error{Code: paraph.ECONFLICT, Reason: "already_confirmed", Field: "login",
				Message: "This account is already confirmed; log in."}
		}
		_, counted, err := s.checkCode(ctx, tx, a.ID, PurposeConfirm, code)
		if err != nil || counted != nil {
			return counted, err
		}
		a.Status, a.ConfirmedAt = paraph.AccountActive, s.clock.Now()
		if err := tx.UpdateAccount(ctx, a); err != nil {
			return nil, err
		}
		if err := s.audit(ctx, tx, a.ID, "", "account.confirmed", a.ID, ""); err != nil {
			return nil, err
		}
		acc = &a.Account
		if issue != "" {
			tok, err = s.issueToken(ctx, tx, a.ID, issue, "")
		}
		return nil, err
	})
	return acc, tok, err
}

// ResendCode sends a new confirmation code to a pending account.
func (s *Service) ResendCode(ctx context.Context, login string) error {
	err := s.db.Write(ctx, func(tx *store.Tx) error {
		norm, _, perr := paraph.NormalizeLogin(login)
		if perr != nil {
			return perr
		}
		a, err := tx.FindAccountByLogin(ctx, norm)
		if err != nil {
			return err
		}
		if a.Status == paraph.AccountActive {
			return &paraph.Error{Code: paraph.ECONFLICT, Reason: "already_confirmed", Field: "login",
				Message: "This account is already confirmed; log in."}
		}
		return s.sendCode(ctx, tx, &a.Account, PurposeConfirm, norm)
	})
	if err == nil {
		s.wake()
	}
	return err
}

// RequestPasswordReset sends a reset code to the login when an account has it.
// The answer is the same whether it exists or not, so the form cannot be used
// to probe who has an account; only a rate limit is reported.
func (s *Service) RequestPasswordReset(ctx context.Context, login string) error {
	norm, _, perr := paraph.NormalizeLogin(login)
	if perr != nil {
		return perr
	}
	err := s.db.Write(ctx, func(tx *store.Tx) error {
		a, err := tx.FindAccountByLogin(ctx, norm)
		if paraph.ErrorCode(err) == paraph.ENOTFOUND {
			return nil
		}
		if err != nil {
			return err
		}
		return s.sendCode(ctx, tx, &a.Account, PurposeReset, norm)
	})
	if err == nil {
		s.wake()
	}
	return err
}

// ResetPassword sets a new password with a reset code. It confirms a pending
// account too (the code proves the login), and ends every session.
func (s *Service) ResetPassword(ctx context.Context, login, code, password string) error {
	return s.writeCounting(ctx, func(tx *store.Tx) (error, error) {
		a, err := findForCode(ctx, tx, login)
		if err != nil {
			return nil, err
		}
		if perr := paraph.CheckPassword(password, a.Login()); perr != nil {
			return nil, perr
		}
		_, counted, err := s.checkCode(ctx, tx, a.ID, PurposeReset, code)
		if err != nil || counted != nil {
			return counted, err
		}
		if err := s.setPassword(ctx, tx, a, password, ""); err != nil {
			return nil, err
		}
		if a.Status == paraph.AccountPending {
			a.Status, a.ConfirmedAt = paraph.AccountActive, s.clock.Now()
			if err := tx.UpdateAccount(ctx, a); err != nil {
				return nil, err
			}
		}
		return nil, s.audit(ctx, tx, a.ID, "", "account.password_reset", a.ID, "")
	})
}

// ChangePassword changes the acting account's password; every other session
// and login token ends, the one in use stays.
func (s *Service) ChangePassword(ctx context.Context, current, password string) error {
	p, err := requirePrincipal(ctx)
	if err != nil {
		return err
	}
	err = s.db.Write(ctx, func(tx *store.Tx) error {
		a, err := tx.FindAccountByID(ctx, p.Account.ID)
		if err != nil {
			return err
		}
		ok, err := verifyPassword(a.PasswordHash, current)
		if err != nil {
			return paraph.Internal(err)
		}
		if !ok {
			return paraph.Invalid("current_password", "wrong_password", "The current password is wrong.")
		}
		if perr := paraph.CheckPassword(password, a.Login()); perr != nil {
			return perr
		}
		if err := s.setPassword(ctx, tx, a, password, p.TokenID); err != nil {
			return err
		}
		return s.audit(ctx, tx, a.ID, "", "account.password_changed", a.ID, "")
	})
	if err == nil {
		s.wake()
	}
	return err
}

func (s *Service) setPassword(ctx context.Context, tx *store.Tx, a *store.AccountRecord, password, keepToken string) error {
	hash, err := s.cfg.Password.Hash(password)
	if err != nil {
		return paraph.Internal(err)
	}
	now := s.clock.Now()
	a.PasswordHash, a.PasswordChangedAt = hash, now
	if err := tx.UpdateAccount(ctx, a); err != nil {
		return err
	}
	if err := tx.DeleteTokensExcept(ctx, a.ID, keepToken); err != nil {
		return err
	}
	return s.enqueueNotification(ctx, tx, "password_changed:"+a.ID+":"+now.Format("20060102150405.000000"), notification{
		Channel: channelOf(a.Login()), To: a.Login(), Kind: notify.KindPasswordChanged, Lang: a.Language,
		Data: notify.Data{"name": a.FullName, "when": now.Format("2006-01-02 15:04 UTC")},
	})
}

// ProfileUpdate changes what a person may change about themselves directly.
type ProfileUpdate struct {
	FullName *string
	Language *string
}

// UpdateProfile changes the acting account's name or language.
func (s *Service) UpdateProfile(ctx context.Context, u ProfileUpdate) (*paraph.Account, error) {
	p, err := requirePrincipal(ctx)
	if err != nil {
		return nil, err
	}
	var out *paraph.Account
	err = s.db.Write(ctx, func(tx *store.Tx) error {
		a, err := tx.FindAccountByID(ctx, p.Account.ID)
		if err != nil {
			return err
		}
		if u.FullName != nil {
			name, perr := paraph.NormalizeFullName(*u.FullName)
			if perr != nil {
				return perr
			}
			if name != a.FullName {
				// A bound certificate names the person: the name follows it.
				n, err := tx.CountAccountCertificates(ctx, a.ID)
				if err != nil {
					return err
				}
				if n > 0 {
					return paraph.Invalid("full_name", "name_locked_by_certificate", "Your name comes from your certificate and cannot be changed here.")
				}
			}
			a.FullName = name
		}
		if u.Language != nil {
			lang := paraph.NormalizeLanguage(*u.Language)
			if lang == "" {
				return paraph.Invalid("language", "invalid_language", "Choose Russian, Ukrainian or English.")
			}
			a.Language = lang
		}
		if err := tx.UpdateAccount(ctx, a); err != nil {
			return err
		}
		out = &a.Account
		return s.audit(ctx, tx, a.ID, "", "account.profile_updated", a.ID, "")
	})
	return out, err
}

// NameLockedByCertificate reports whether the acting person's name is fixed
// by a certificate bound to their account (UpdateProfile refuses to change it).
func (s *Service) NameLockedByCertificate(ctx context.Context) (bool, error) {
	p, err := requirePrincipal(ctx)
	if err != nil {
		return false, err
	}
	var n int
	err = s.db.Read(ctx, func(tx *store.Tx) error {
		n, err = tx.CountAccountCertificates(ctx, p.Account.ID)
		return err
	})
	return n > 0, err
}

// RequestLoginChange sends a code to a new email or phone the acting account
// wants to use; ConfirmLoginChange then switches to it.
func (s *Service) RequestLoginChange(ctx context.Context, newLogin string) error {
	p, err := requirePrincipal(ctx)
	if err != nil {
		return err
	}
	norm, _, perr := paraph.NormalizeLogin(newLogin)
	if perr != nil {
		return perr
	}
	err = s.db.Write(ctx, func(tx *store.Tx) error {
		other, err := tx.FindAccountByLogin(ctx, norm)
		switch {
		case err == nil && other.ID == p.Account.ID:
			return paraph.Invalid("login", "login_unchanged", "This is already your login.")
		case err == nil:
			return &paraph.Error{Code: paraph.ECONFLICT, Reason: "login_taken", Field: "login",
				Message: "Another account already uses this login."}
		case paraph.ErrorCode(err) != paraph.ENOTFOUND:
			return err
		}
		a, err := tx.FindAccountByID(ctx, p.Account.ID)
		if err != nil {
			return err
		}
		return s.sendCode(ctx, tx, &a.Account, PurposeLoginChange, norm)
	})
	if err == nil {
		s.wake()
	}
	return err
}

// ConfirmLoginChange applies the pending email or phone change with its code.
func (s *Service) ConfirmLoginChange(ctx context.Context, code string) (*paraph.Account, error) {
	p, err := requirePrincipal(ctx)
	if err != nil {
		return nil, err
	}
	var out *paraph.Account
	err = s.writeCounting(ctx, func(tx *store.Tx) (error, error) {
		c, counted, err := s.checkCode(ctx, tx, p.Account.ID, PurposeLoginChange, code)
		if err != nil || counted != nil {
			return counted, err
		}
		a, err := tx.FindAccountByID(ctx, p.Account.ID)
		if err != nil {
			return nil, err
		}
		if channelOf(c.Address) == notify.SMS {
			a.Phone = c.Address
		} else {
			a.Email = c.Address
		}
		if err := tx.UpdateAccount(ctx, a); err != nil {
			if paraph.ErrorCode(err) == paraph.ECONFLICT {
				return nil, &paraph.Error{Code: paraph.ECONFLICT, Reason: "login_taken", Field: "login",
					Message: "Another account already uses this login.", Err: err}
			}
			return nil, err
		}
		out = &a.Account
		return nil, s.audit(ctx, tx, a.ID, "", "account.login_changed", a.ID, "")
	})
	return out, err
}

// Me returns the acting account as stored now.
func (s *Service) Me(ctx context.Context) (*paraph.Account, error) {
	p, err := requirePrincipal(ctx)
	if err != nil {
		return nil, err
	}
	acc := p.Account
	return &acc, nil
}

func notFoundErr(what string) error {
	return &paraph.Error{Code: paraph.ENOTFOUND, Reason: "not_found", Message: what + " not found."}
}

// CreateActiveAccount creates an account whose login is taken as confirmed:
// for the instance administrator's command line and the demo, never for the
// web or the API.
func (s *Service) CreateActiveAccount(ctx context.Context, r Registration) (*paraph.Account, error) {
	a, _, err := s.newAccount(ctx, r, paraph.AccountActive)
	if err != nil {
		return nil, err
	}
	err = s.db.Write(ctx, func(tx *store.Tx) error {
		if err := tx.CreateAccount(ctx, a); err != nil {
			if paraph.ErrorCode(err) == paraph.ECONFLICT {
				return &paraph.Error{Code: paraph.ECONFLICT, Reason: "login_taken", Field: "login",
					Message: "An account with this login already exists.", Err: err}
			}
			return err
		}
		return s.audit(ctx, tx, a.ID, "", "account.created_by_admin", a.ID, "")
	})
	if err != nil {
		return nil, err
	}
	return &a.Account, nil
}

// VerifyAudit links the pending audit events, then checks the whole chain
// and returns how many events hold.
func (s *Service) VerifyAudit(ctx context.Context) (int64, error) {
	if _, err := s.ChainAudit(ctx); err != nil {
		return 0, err
	}
	var n int64
	err := s.db.Read(ctx, func(tx *store.Tx) error {
		var err error
		n, err = tx.VerifyAuditChain(ctx)
		return err
	})
	return n, err
}

// ChainAudit links the audit events still pending (PostgreSQL) into the
// hash chain; the server runs it every second.
func (s *Service) ChainAudit(ctx context.Context) (int, error) {
	return s.db.ChainAudit(ctx)
}

// newAccount checks a registration and builds the account record it makes.
func (s *Service) newAccount(ctx context.Context, r Registration, status string) (*store.AccountRecord, string, error) {
	login, kind, perr := paraph.NormalizeLogin(r.Login)
	if perr != nil {
		return nil, "", perr
	}
	name, perr := paraph.NormalizeFullName(r.FullName)
	if perr != nil {
		return nil, "", perr
	}
	if perr := paraph.CheckPassword(r.Password, login); perr != nil {
		return nil, "", perr
	}
	lang := paraph.NormalizeLanguage(r.Language)
	if lang == "" {
		lang = paraph.NormalizeLanguage(ClientFrom(ctx).Language)
	}
	if lang == "" {
		lang = paraph.Languages[0]
	}
	hash, err := s.cfg.Password.Hash(r.Password)
	if err != nil {
		return nil, "", paraph.Internal(err)
	}
	now := s.clock.Now()
	a := &store.AccountRecord{
		Account:      paraph.Account{ID: newID(), FullName: name, Language: lang, Status: status, CreatedAt: now},
		PasswordHash: hash, PasswordChangedAt: now,
	}
	if status == paraph.AccountActive {
		a.ConfirmedAt = now
	}
	if kind == paraph.LoginEmail {
		a.Email = login
	} else {
		a.Phone = login
	}
	return a, login, nil
}

// SetInstanceAdmin grants or takes away the instance administrator's rights:
// for the command line of whoever runs the server, never the web or the API.
func (s *Service) SetInstanceAdmin(ctx context.Context, login string, admin bool) (*paraph.Account, error) {
	norm, _, err := paraph.NormalizeLogin(login)
	if err != nil {
		return nil, err
	}
	var out *paraph.Account
	err = s.db.Write(ctx, func(tx *store.Tx) error {
		a, err := tx.FindAccountByLogin(ctx, norm)
		if err != nil {
			return err
		}
		a.InstanceAdmin = admin
		if err := tx.UpdateAccount(ctx, a); err != nil {
			return err
		}
		out = &a.Account
		action := "instance.admin_granted"
		if !admin {
			action = "instance.admin_revoked"
		}
		return s.audit(ctx, tx, a.ID, "", action, a.ID, "")
	})
	return out, err
}
