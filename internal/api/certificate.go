package api

import (
	"encoding/base64"
	"io"
	"mime"
	"net/http"
	"strconv"
	"strings"
	"time"

	"paraph"
	"paraph/internal/core"
	"paraph/internal/store"
)

// MaxUploadBytes caps a certificate or МЧД upload (a .p7b chain, an XML
// with its signature).
const MaxUploadBytes = 8 << 20

type certificateJSON struct {
	ID            string            `json:"id"`
	MemberID      string            `json:"member_id"`
	Status        string            `json:"status"`
	StatusReason  string            `json:"status_reason"`
	Subject       string            `json:"subject"`
	CommonName    string            `json:"common_name"`
	Surname       string            `json:"surname,omitempty"`
	GivenName     string            `json:"given_name,omitempty"`
	Title         string            `json:"title,omitempty"`
	Organization  string            `json:"organization,omitempty"`
	Email         string            `json:"email,omitempty"`
	Identifiers   map[string]string `json:"identifiers"`
	Issuer        string            `json:"issuer"`
	Serial        string            `json:"serial"`
	NotBefore     time.Time         `json:"not_before"`
	NotAfter      time.Time         `json:"not_after"`
	KeyAlgorithm  string            `json:"key_algorithm"`
	Usage         string            `json:"usage"`
	Fingerprint   string            `json:"fingerprint_sha256"`
	CreatedAt     time.Time         `json:"created_at,omitzero"`
	StatusDetails string            `json:"status_details,omitempty"`
}

func toCertificate(v *core.CertificateView) certificateJSON {
	c := v.Cert
	return certificateJSON{ID: v.ID, MemberID: v.MemberID, Status: string(v.Status), StatusReason: string(v.Reason),
		Subject: c.Subject, CommonName: c.CommonName, Surname: c.Surname, GivenName: c.GivenName, Title: c.Title,
		Organization: c.Organization, Email: c.Email, Identifiers: c.Identifiers(), Issuer: c.Issuer, Serial: c.SerialHex,
		NotBefore: c.NotBefore, NotAfter: c.NotAfter, KeyAlgorithm: c.KeyAlgorithm, Usage: string(c.Usage),
		Fingerprint: c.FingerprintSHA256, CreatedAt: v.CreatedAt, StatusDetails: v.Detail}
}

// readUpload reads a raw body (PEM, DER…) or the named part of a
// multipart form, capped at MaxUploadBytes.
func readUpload(w http.ResponseWriter, r *http.Request, part string) ([]byte, error) {
	r.Body = http.MaxBytesReader(w, r.Body, MaxUploadBytes)
	tooBig := &paraph.Error{Code: paraph.EINVALID, Reason: "upload_too_large", Field: part, Message: "The file is larger than 8 MiB."}
	mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if mt == "multipart/form-data" {
		if err := r.ParseMultipartForm(MaxUploadBytes); err != nil {
			if strings.Contains(err.Error(), "too large") {
				return nil, tooBig
			}
			return nil, &paraph.Error{Code: paraph.EINVALID, Reason: "invalid_multipart", Message: "The form upload is malformed.", Err: err}
		}
		f, _, err := r.FormFile(part)
		if err != nil {
			return nil, paraph.Invalid(part, "file_required", "Attach the file in the form field \""+part+"\".")
		}
		defer f.Close()
		return io.ReadAll(f)
	}
	b, err := io.ReadAll(r.Body)
	if err != nil {
		return nil, tooBig
	}
	if len(b) == 0 {
		return nil, paraph.Invalid(part, "file_required", "The body is empty: send the file.")
	}
	return b, nil
}

func (a *API) uploadCertificate(w http.ResponseWriter, r *http.Request) error {
	data, err := readUpload(w, r, "certificate")
	if err != nil {
		return err
	}
	v, err := a.svc.UploadCertificate(r.Context(), r.PathValue("org"), r.PathValue("member"), data)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusCreated, toCertificate(v))
}

func (a *API) certificates(w http.ResponseWriter, r *http.Request) error {
	list, err := a.svc.Certificates(r.Context(), r.PathValue("org"), r.PathValue("member"))
	if err != nil {
		return err
	}
	items := make([]certificateJSON, 0, len(list))
	for _, v := range list {
		items = append(items, toCertificate(v))
	}
	return writeJSON(w, http.StatusOK, map[string]any{"items": items})
}

func (a *API) certificate(w http.ResponseWriter, r *http.Request) error {
	v, err := a.svc.Certificate(r.Context(), r.PathValue("org"), r.PathValue("cert"))
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, toCertificate(v))
}

type poaJSON struct {
	ID             string    `json:"id"`
	MemberID       string    `json:"member_id"`
	Number         string    `json:"number"`
	InternalNumber string    `json:"internal_number"`
	IssuedOn       string    `json:"issued_on"`
	ValidUntil     string    `json:"valid_until"`
	Status         string    `json:"status"`
	StatusReason   string    `json:"status_reason,omitempty"`
	Main           bool      `json:"main"`
	Principal      any       `json:"principal"`
	Representative any       `json:"representatives"`
	Powers         any       `json:"powers"`
	Revocable      bool      `json:"revocable"`
	Transferable   bool      `json:"transferable"`
	SignatureValid bool      `json:"signature_valid"`
	SignerTrusted  bool      `json:"signer_trusted"`
	Signer         string    `json:"signer,omitempty"`
	CreatedAt      time.Time `json:"created_at"`
}

func toPOA(v *core.POAView) poaJSON {
	p := v.POA
	type person struct {
		FullName string `json:"full_name"`
		INN      string `json:"inn,omitempty"`
		SNILS    string `json:"snils,omitempty"`
		Position string `json:"position,omitempty"`
	}
	type principal struct {
		Kind  string   `json:"kind"`
		Name  string   `json:"name"`
		INN   string   `json:"inn,omitempty"`
		KPP   string   `json:"kpp,omitempty"`
		OGRN  string   `json:"ogrn,omitempty"`
		Heads []person `json:"heads"`
	}
	type power struct {
		Code         string   `json:"code"`
		Name         string   `json:"name"`
		Restrictions []string `json:"restrictions"`
	}
	var principals []principal
	for _, pr := range p.Principals {
		x := principal{Kind: string(pr.Kind), Name: pr.Name, INN: pr.INN, KPP: pr.KPP, OGRN: pr.OGRN, Heads: []person{}}
		for _, h := range pr.Heads {
			x.Heads = append(x.Heads, person{FullName: h.Name.String(), INN: h.INN, SNILS: h.SNILS, Position: h.Position})
		}
		principals = append(principals, x)
	}
	var reps []any
	for _, r := range p.Representatives {
		switch {
		case r.Person != nil:
			reps = append(reps, map[string]any{"kind": r.Kind, "person": person{FullName: r.Person.Name.String(), INN: r.Person.INN,
				SNILS: r.Person.SNILS, Position: r.Person.Position}})
		case r.Organization != nil:
			reps = append(reps, map[string]any{"kind": r.Kind, "organization": r.Organization})
		}
	}
	powers := []power{}
	for _, pw := range p.Powers {
		x := power{Code: pw.Code, Name: pw.Name, Restrictions: []string{}}
		for _, rs := range pw.Restrictions {
			x.Restrictions = append(x.Restrictions, rs.String())
		}
		powers = append(powers, x)
	}
	out := poaJSON{ID: v.ID, MemberID: v.MemberID, Number: p.Number, InternalNumber: p.InternalNumber,
		IssuedOn: p.IssuedOn.Format(time.DateOnly), ValidUntil: p.ValidUntil.Format(time.DateOnly), Status: v.Status,
		StatusReason: v.StatusReason, Main: v.IsMain, Principal: principals, Representative: reps, Powers: powers,
		Revocable: p.Revocable, Transferable: p.Transferable, SignatureValid: v.SignatureOK, SignerTrusted: v.SignerTrusted,
		CreatedAt: v.CreatedAt}
	if v.Signer != nil {
		out.Signer = v.Signer.CommonNameOrSubject()
	}
	return out
}

func (a *API) uploadPOA(w http.ResponseWriter, r *http.Request) error {
	r.Body = http.MaxBytesReader(w, r.Body, MaxUploadBytes)
	if err := r.ParseMultipartForm(MaxUploadBytes); err != nil {
		return &paraph.Error{Code: paraph.EINVALID, Reason: "invalid_multipart",
			Message: "Send multipart/form-data with the parts xml and sig (8 MiB at most).", Err: err}
	}
	part := func(name string) ([]byte, error) {
		f, _, err := r.FormFile(name)
		if err != nil {
			return nil, nil
		}
		defer f.Close()
		return io.ReadAll(f)
	}
	xml, err := part("xml")
	if err != nil {
		return err
	}
	if len(xml) == 0 {
		return paraph.Invalid("xml", "file_required", "Attach the power of attorney's XML in the part \"xml\".")
	}
	sig, err := part("sig")
	if err != nil {
		return err
	}
	v, err := a.svc.UploadPOA(r.Context(), r.PathValue("org"), r.PathValue("member"), xml, sig)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusCreated, toPOA(v))
}

func (a *API) poas(w http.ResponseWriter, r *http.Request) error {
	inactive, _ := strconv.ParseBool(r.URL.Query().Get("inactive"))
	list, err := a.svc.POAs(r.Context(), r.PathValue("org"), r.PathValue("member"), inactive)
	if err != nil {
		return err
	}
	items := make([]poaJSON, 0, len(list))
	for _, v := range list {
		items = append(items, toPOA(v))
	}
	return writeJSON(w, http.StatusOK, map[string]any{"items": items})
}

func (a *API) updatePOA(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		Main         *bool   `json:"main"`
		Revoked      *bool   `json:"revoked"`
		RevokeReason *string `json:"revoke_reason"`
	}
	if err := decode(w, r, &in); err != nil {
		return err
	}
	org, id := r.PathValue("org"), r.PathValue("poa")
	switch {
	case in.Revoked != nil && *in.Revoked:
		reason := ""
		if in.RevokeReason != nil {
			reason = *in.RevokeReason
		}
		if err := a.svc.RevokePOA(r.Context(), org, id, reason); err != nil {
			return err
		}
	case in.Main != nil && *in.Main:
		if err := a.svc.SetMainPOA(r.Context(), org, id); err != nil {
			return err
		}
	default:
		return paraph.Invalid("main", "nothing_to_change", `Send {"main": true} or {"revoked": true, "revoke_reason": "…"}.`)
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

type trustRootJSON struct {
	ID          string    `json:"id,omitempty"`
	Subject     string    `json:"subject"`
	NotAfter    time.Time `json:"not_after"`
	Fingerprint string    `json:"fingerprint_sha256"`
	FromFile    bool      `json:"from_file"`
}

func toTrustRoot(v *core.TrustRootView) trustRootJSON {
	return trustRootJSON{ID: v.ID, Subject: v.Cert.Subject, NotAfter: v.Cert.NotAfter, Fingerprint: v.Cert.FingerprintSHA256, FromFile: v.FromFile}
}

func (a *API) trustRoots(w http.ResponseWriter, r *http.Request) error {
	list, err := a.svc.TrustRoots(r.Context())
	if err != nil {
		return err
	}
	items := make([]trustRootJSON, 0, len(list))
	for i := range list {
		items = append(items, toTrustRoot(&list[i]))
	}
	return writeJSON(w, http.StatusOK, map[string]any{"items": items})
}

func (a *API) addTrustRoot(w http.ResponseWriter, r *http.Request) error {
	data, err := readUpload(w, r, "certificate")
	if err != nil {
		return err
	}
	v, err := a.svc.AddTrustRoot(r.Context(), data)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusCreated, toTrustRoot(v))
}

func (a *API) removeTrustRoot(w http.ResponseWriter, r *http.Request) error {
	if err := a.svc.RemoveTrustRoot(r.Context(), r.PathValue("id")); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (a *API) certificateChallenge(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		Certificate string `json:"certificate"`
	}
	if err := decode(w, r, &in); err != nil {
		return err
	}
	c, err := a.svc.CertificateChallenge(r.Context(), []byte(in.Certificate))
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, map[string]any{"challenge_id": c.ID, "data": base64.StdEncoding.EncodeToString(c.Data),
		"algorithm": c.Algorithm, "expires_at": c.ExpiresAt})
}

func (a *API) certificateLogin(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		ChallengeID string `json:"challenge_id"`
		Signature   string `json:"signature"`
	}
	if err := decode(w, r, &in); err != nil {
		return err
	}
	sig, err := base64.StdEncoding.DecodeString(in.Signature)
	if err != nil {
		return paraph.Invalid("signature", "invalid_base64", "The signature must be base64.")
	}
	_, tok, err := a.svc.LoginWithCertificate(r.Context(), in.ChallengeID, sig, store.TokenBearer)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, map[string]any{"token": tok.Secret, "expires_at": tok.ExpiresAt})
}
