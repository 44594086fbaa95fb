package api

import (
	"net/http"
	"time"

	"paraph"
	"paraph/internal/core"
	"paraph/internal/store"
)

type accountJSON struct {
	ID            string    `json:"id"`
	FullName      string    `json:"full_name"`
	Login         string    `json:"login"`
	Email         string    `json:"email,omitempty"`
	Phone         string    `json:"phone,omitempty"`
	Language      string    `json:"language"`
	Status        string    `json:"status"`
	CreatedAt     time.Time `json:"created_at"`
	Organizations []any     `json:"organizations"`
}

func toAccount(a *paraph.Account) accountJSON {
	return accountJSON{ID: a.ID, FullName: a.FullName, Login: a.Login(), Email: a.Email, Phone: a.Phone,
		Language: a.Language, Status: a.Status, CreatedAt: a.CreatedAt, Organizations: []any{}}
}

func (a *API) register(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		Login    string `json:"login"`
		Password string `json:"password"`
		FullName string `json:"full_name"`
		Language string `json:"language"`
	}
	if err := decode(w, r, &in); err != nil {
		return err
	}
	acc, err := a.svc.Register(r.Context(), core.Registration{Login: in.Login, Password: in.Password,
		FullName: in.FullName, Language: in.Language})
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusCreated, toAccount(acc))
}

func (a *API) confirm(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		Login string `json:"login"`
		Code  string `json:"code"`
	}
	if err := decode(w, r, &in); err != nil {
		return err
	}
	acc, _, err := a.svc.Confirm(r.Context(), in.Login, in.Code, "")
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, toAccount(acc))
}

func (a *API) resend(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		Login string `json:"login"`
	}
	if err := decode(w, r, &in); err != nil {
		return err
	}
	if err := a.svc.ResendCode(r.Context(), in.Login); err != nil {
		return err
	}
	return writeJSON(w, http.StatusAccepted, map[string]string{"status": "sent"})
}

func (a *API) login(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		Login    string `json:"login"`
		Password string `json:"password"`
	}
	if err := decode(w, r, &in); err != nil {
		return err
	}
	_, tok, err := a.svc.Login(r.Context(), in.Login, in.Password, store.TokenBearer)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, map[string]any{"token": tok.Secret, "expires_at": tok.ExpiresAt})
}

func (a *API) logout(w http.ResponseWriter, r *http.Request) error {
	if err := a.svc.Logout(r.Context()); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (a *API) requestReset(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		Login string `json:"login"`
	}
	if err := decode(w, r, &in); err != nil {
		return err
	}
	if err := a.svc.RequestPasswordReset(r.Context(), in.Login); err != nil {
		return err
	}
	return writeJSON(w, http.StatusAccepted, map[string]string{"status": "sent_if_exists"})
}

func (a *API) reset(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		Login    string `json:"login"`
		Code     string `json:"code"`
		Password string `json:"password"`
	}
	if err := decode(w, r, &in); err != nil {
		return err
	}
	if err := a.svc.ResetPassword(r.Context(), in.Login, in.Code, in.Password); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (a *API) me(w http.ResponseWriter, r *http.Request) error {
	acc, err := a.svc.Me(r.Context())
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, toAccount(acc))
}

func (a *API) updateMe(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		FullName *string `json:"full_name"`
		Language *string `json:"language"`
	}
	if err := decode(w, r, &in); err != nil {
		return err
	}
	acc, err := a.svc.UpdateProfile(r.Context(), core.ProfileUpdate{FullName: in.FullName, Language: in.Language})
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, toAccount(acc))
}

func (a *API) changePassword(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		Current  string `json:"current_password"`
		Password string `json:"password"`
	}
	if err := decode(w, r, &in); err != nil {
		return err
	}
	if err := a.svc.ChangePassword(r.Context(), in.Current, in.Password); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (a *API) requestLoginChange(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		Login string `json:"login"`
	}
	if err := decode(w, r, &in); err != nil {
		return err
	}
	if err := a.svc.RequestLoginChange(r.Context(), in.Login); err != nil {
		return err
	}
	return writeJSON(w, http.StatusAccepted, map[string]string{"status": "sent"})
}

func (a *API) confirmLoginChange(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		Code string `json:"code"`
	}
	if err := decode(w, r, &in); err != nil {
		return err
	}
	acc, err := a.svc.ConfirmLoginChange(r.Context(), in.Code)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, toAccount(acc))
}

type tokenJSON struct {
	ID         string     `json:"id"`
	Name       string     `json:"name"`
	Hint       string     `json:"hint"`
	Token      string     `json:"token,omitempty"`
	CreatedAt  time.Time  `json:"created_at"`
	LastUsedAt *time.Time `json:"last_used_at"`
}

func toToken(t *store.Token, secret string) tokenJSON {
	out := tokenJSON{ID: t.ID, Name: t.Name, Hint: t.Hint, Token: secret, CreatedAt: t.CreatedAt}
	if !t.LastUsedAt.IsZero() {
		lu := t.LastUsedAt
		out.LastUsedAt = &lu
	}
	return out
}

func (a *API) tokens(w http.ResponseWriter, r *http.Request) error {
	list, err := a.svc.PersonalTokens(r.Context())
	if err != nil {
		return err
	}
	items := make([]tokenJSON, 0, len(list))
	for _, t := range list {
		items = append(items, toToken(t, ""))
	}
	return writeJSON(w, http.StatusOK, map[string]any{"items": items})
}

func (a *API) createToken(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		Name string `json:"name"`
	}
	if err := decode(w, r, &in); err != nil {
		return err
	}
	tok, err := a.svc.CreatePersonalToken(r.Context(), in.Name)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusCreated, toToken(&tok.Token, tok.Secret))
}

func (a *API) revokeToken(w http.ResponseWriter, r *http.Request) error {
	if err := a.svc.RevokePersonalToken(r.Context(), r.PathValue("id")); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
