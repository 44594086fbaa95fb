// Package api serves Paraph's JSON API under /api/v1: it decodes requests,
// calls one core method, and renders the result or a problem+json error.
// Rules live in core; nothing here decides who may do what.
package api

import (
	_ "embed"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"mime"
	"net/http"
	"strconv"
	"strings"

	"paraph"
	"paraph/internal/core"
)

// MaxBodyBytes caps a JSON request body.
const MaxBodyBytes = 1 << 20

// API is the JSON surface.
type API struct {
	svc *core.Service
	log *slog.Logger
}

// New returns the API.
func New(svc *core.Service, log *slog.Logger) *API { return &API{svc: svc, log: log} }

// auth says who may call a route.
type auth int

const (
	public auth = iota
	authenticated
)

// route is one row of the route table; the OpenAPI test walks this table.
type route struct {
	method, path string
	auth         auth
	handle       func(*API, http.ResponseWriter, *http.Request) error
}

// Routes lists every API route: METHOD and the path as OpenAPI writes it.
func Routes() [][2]string {
	out := make([][2]string, 0, len(routes))
	for _, r := range routes {
		out = append(out, [2]string{r.method, r.path})
	}
	return out
}

var routes = []route{
	{"GET", "/api/v1/openapi.json", public, (*API).openAPI},
	{"POST", "/api/v1/auth/register", public, (*API).register},
	{"POST", "/api/v1/auth/confirm", public, (*API).confirm},
	{"POST", "/api/v1/auth/resend", public, (*API).resend},
	{"POST", "/api/v1/auth/login", public, (*API).login},
	{"POST", "/api/v1/auth/logout", authenticated, (*API).logout},
	{"POST", "/api/v1/auth/reset", public, (*API).requestReset},
	{"POST", "/api/v1/auth/reset/confirm", public, (*API).reset},
	{"GET", "/api/v1/me", authenticated, (*API).me},
	{"PATCH", "/api/v1/me", authenticated, (*API).updateMe},
	{"POST", "/api/v1/me/password", authenticated, (*API).changePassword},
	{"POST", "/api/v1/me/login", authenticated, (*API).requestLoginChange},
	{"POST", "/api/v1/me/login/confirm", authenticated, (*API).confirmLoginChange},
	{"GET", "/api/v1/me/tokens", authenticated, (*API).tokens},
	{"POST", "/api/v1/me/tokens", authenticated, (*API).createToken},
	{"DELETE", "/api/v1/me/tokens/{id}", authenticated, (*API).revokeToken},
	{"POST", "/api/v1/invitations/accept", public, (*API).acceptInvitation},
	{"GET", "/api/v1/orgs", authenticated, (*API).organizations},
	{"POST", "/api/v1/orgs", authenticated, (*API).createOrganization},
	{"GET", "/api/v1/orgs/{org}", authenticated, (*API).organization},
	{"PATCH", "/api/v1/orgs/{org}", authenticated, (*API).updateOrganization},
	{"POST", "/api/v1/orgs/{org}/transfer-ownership", authenticated, (*API).transferOwnership},
	{"GET", "/api/v1/members", authenticated, (*API).allMembers},
	{"GET", "/api/v1/orgs/{org}/members", authenticated, (*API).members},
	{"POST", "/api/v1/orgs/{org}/members", authenticated, (*API).addMember},
	{"GET", "/api/v1/orgs/{org}/members/{member}", authenticated, (*API).member},
	{"PATCH", "/api/v1/orgs/{org}/members/{member}", authenticated, (*API).updateMember},
	{"POST", "/api/v1/orgs/{org}/members/{member}/invitation", authenticated, (*API).resendInvitation},
	{"GET", "/api/v1/orgs/{org}/departments", authenticated, (*API).departments},
	{"POST", "/api/v1/orgs/{org}/departments", authenticated, (*API).createDepartment},
	{"PATCH", "/api/v1/orgs/{org}/departments/{dept}", authenticated, (*API).updateDepartment},
	{"DELETE", "/api/v1/orgs/{org}/departments/{dept}", authenticated, (*API).deleteDepartment},
	{"GET", "/api/v1/orgs/{org}/members/{member}/certificates", authenticated, (*API).certificates},
	{"POST", "/api/v1/orgs/{org}/members/{member}/certificates", authenticated, (*API).uploadCertificate},
	{"GET", "/api/v1/orgs/{org}/certificates/{cert}", authenticated, (*API).certificate},
	{"GET", "/api/v1/orgs/{org}/members/{member}/poas", authenticated, (*API).poas},
	{"POST", "/api/v1/orgs/{org}/members/{member}/poas", authenticated, (*API).uploadPOA},
	{"PATCH", "/api/v1/orgs/{org}/poas/{poa}", authenticated, (*API).updatePOA},
	{"GET", "/api/v1/admin/trust-roots", authenticated, (*API).trustRoots},
	{"POST", "/api/v1/admin/trust-roots", authenticated, (*API).addTrustRoot},
	{"DELETE", "/api/v1/admin/trust-roots/{id}", authenticated, (*API).removeTrustRoot},
	{"POST", "/api/v1/auth/certificate/challenge", public, (*API).certificateChallenge},
	{"POST", "/api/v1/auth/certificate/login", public, (*API).certificateLogin},
	{"POST", "/api/v1/orgs/{org}/documents", authenticated, (*API).createDocument},
	{"GET", "/api/v1/orgs/{org}/documents", authenticated, (*API).documents},
	{"GET", "/api/v1/documents/{doc}", authenticated, (*API).document},
	{"GET", "/api/v1/documents/{doc}/history", authenticated, (*API).documentHistory},
	{"PUT", "/api/v1/documents/{doc}/route", authenticated, (*API).setRoute},
	{"POST", "/api/v1/documents/{doc}/send", authenticated, (*API).sendDocument},
	{"POST", "/api/v1/documents/{doc}/revoke", authenticated, (*API).revokeDocument},
	{"POST", "/api/v1/documents/{doc}/decline", authenticated, (*API).declineDocument},
	{"POST", "/api/v1/documents/{doc}/signatures/prepare", authenticated, (*API).prepareSignature},
	{"POST", "/api/v1/documents/{doc}/signatures", authenticated, (*API).submitSignature},
	{"GET", "/api/v1/documents/{doc}/file", authenticated, (*API).documentFile},
	{"GET", "/api/v1/documents/{doc}/signatures/{sig}/cms", authenticated, (*API).signatureCMS},
	{"GET", "/api/v1/documents/{doc}/package.zip", authenticated, (*API).documentPackage},
	{"GET", "/api/v1/documents/{doc}/final.pdf", authenticated, (*API).finalPDF},
	{"GET", "/api/v1/signing/{token}", public, (*API).signingLink},
	{"GET", "/api/v1/signing/{token}/file", public, (*API).signingLinkFile},
	{"POST", "/api/v1/signing/{token}/code", public, (*API).signingLinkCode},
	{"POST", "/api/v1/signing/{token}/sign", public, (*API).signByLink},
	{"POST", "/api/v1/documents/{doc}/signatures/code", authenticated, (*API).memberSigningCode},
	{"POST", "/api/v1/documents/{doc}/signatures/simple", authenticated, (*API).signAsMember},
	{"POST", "/api/v1/documents/{doc}/remind", authenticated, (*API).remind},
	{"GET", "/api/v1/orgs/{org}/funnel", authenticated, (*API).funnel},
	{"POST", "/api/v1/orgs/{org}/documents/act", authenticated, (*API).createAct},
	{"POST", "/api/v1/verify", public, (*API).verifyUpload},
	{"GET", "/api/v1/verify/reports/{id}", public, (*API).verifyReport},
	{"GET", "/api/v1/verify/documents/{id}", public, (*API).verifyDocument},
}

// Register adds the API routes to mux, and a problem+json 404 for the rest of /api/.
func (a *API) Register(mux *http.ServeMux) {
	for _, rt := range routes {
		mux.Handle(rt.method+" "+rt.path, a.wrap(rt))
	}
	mux.Handle("/api/", a.wrap(route{auth: public, handle: func(*API, http.ResponseWriter, *http.Request) error {
		return &paraph.Error{Code: paraph.ENOTFOUND, Reason: "no_such_route", Message: "There is no such API route."}
	}}))
}

func (a *API) wrap(rt route) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if rt.auth == authenticated {
			p, err := a.authenticate(r)
			if err != nil {
				a.problem(w, r, err)
				return
			}
			r = r.WithContext(core.WithPrincipal(r.Context(), p))
		}
		if err := rt.handle(a, w, r); err != nil {
			a.problem(w, r, err)
		}
	})
}

func (a *API) authenticate(r *http.Request) (*core.Principal, error) {
	h := r.Header.Get("Authorization")
	scheme, token, ok := strings.Cut(h, " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") || token == "" {
		return nil, &paraph.Error{Code: paraph.EUNAUTHORIZED, Reason: "unauthenticated",
			Message: "Send a token in the Authorization header: Bearer <token>."}
	}
	return a.svc.Authenticate(r.Context(), strings.TrimSpace(token))
}

// decode reads a JSON body of at most MaxBodyBytes into v, refusing unknown
// fields so a typo in a field name is an error, not a silent default.
func decode(w http.ResponseWriter, r *http.Request, v any) error {
	return decodeLimit(w, r, v, MaxBodyBytes)
}

// MaxSignatureBodyBytes caps a simple signature's body: a signature and a
// stamp image of up to 1 MiB each, base64-encoded.
const MaxSignatureBodyBytes = 3 << 20

// decodeLimit is decode with another size cap.
func decodeLimit(w http.ResponseWriter, r *http.Request, v any, limit int64) error {
	if ct := r.Header.Get("Content-Type"); ct != "" {
		if mt, _, _ := mime.ParseMediaType(ct); mt != "application/json" {
			return &paraph.Error{Code: paraph.EINVALID, Reason: "unsupported_media_type",
				Message: "Send the body as application/json."}
		}
	}
	body := http.MaxBytesReader(w, r.Body, limit)
	dec := json.NewDecoder(body)
	dec.DisallowUnknownFields()
	err := dec.Decode(v)
	var tooBig *http.MaxBytesError
	var syntax *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case err == nil:
		if dec.More() {
			return &paraph.Error{Code: paraph.EINVALID, Reason: "invalid_json", Message: "The body must hold one JSON object."}
		}
		return nil
	case errors.As(err, &tooBig):
		return &paraph.Error{Code: paraph.EINVALID, Reason: "body_too_large", Message: fmt.Sprintf("The body is larger than %d MiB.", limit>>20)}
	case errors.Is(err, io.EOF):
		return &paraph.Error{Code: paraph.EINVALID, Reason: "invalid_json", Message: "The body is empty; send a JSON object."}
	case errors.As(err, &syntax), errors.Is(err, io.ErrUnexpectedEOF):
		return &paraph.Error{Code: paraph.EINVALID, Reason: "invalid_json", Message: "The body is not valid JSON."}
	case errors.As(err, &typ):
		return &paraph.Error{Code: paraph.EINVALID, Reason: "invalid_json", Field: typ.Field,
			Message: "Field " + strconv.Quote(typ.Field) + " has the wrong type."}
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		field := strings.Trim(strings.TrimPrefix(err.Error(), "json: unknown field "), `"`)
		return &paraph.Error{Code: paraph.EINVALID, Reason: "unknown_field", Field: field,
			Message: "Unknown field " + strconv.Quote(field) + "."}
	default:
		return &paraph.Error{Code: paraph.EINVALID, Reason: "invalid_json", Message: "The body is not valid JSON.", Err: err}
	}
}

func writeJSON(w http.ResponseWriter, status int, v any) error {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	return enc.Encode(v)
}

// StatusOf maps an error code to its HTTP status: the one place that does.
func StatusOf(code string) int {
	switch code {
	case paraph.EINVALID:
		return http.StatusUnprocessableEntity
	case paraph.ENOTFOUND:
		return http.StatusNotFound
	case paraph.EFORBIDDEN:
		return http.StatusForbidden
	case paraph.ECONFLICT:
		return http.StatusConflict
	case paraph.EUNAUTHORIZED:
		return http.StatusUnauthorized
	case paraph.ETOOMANY:
		return http.StatusTooManyRequests
	default:
		return http.StatusInternalServerError
	}
}

// Problem is an RFC 9457 problem document with Paraph's stable fields.
type Problem struct {
	Type      string `json:"type"`
	Title     string `json:"title"`
	Status    int    `json:"status"`
	Detail    string `json:"detail"`
	Code      string `json:"code"`
	Reason    string `json:"reason,omitempty"`
	Field     string `json:"field,omitempty"`
	TriesLeft *int   `json:"tries_left,omitempty"` // after a wrong code
	RequestID string `json:"request_id,omitempty"`
}

func (a *API) problem(w http.ResponseWriter, r *http.Request, err error) {
	e := paraph.AsError(err)
	status := StatusOf(e.Code)
	if status >= 500 {
		a.log.Error("api: internal error", "method", r.Method, "path", SafePath(r.URL.Path), "err", err,
			"request_id", w.Header().Get("X-Request-Id"))
	}
	if secs := core.RetryAfter(err); secs > 0 {
		w.Header().Set("Retry-After", strconv.Itoa(secs))
	}
	reason := e.Reason
	if reason == "" {
		reason = e.Code
	}
	w.Header().Set("Content-Type", "application/problem+json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	p := Problem{
		Type: "https://paraph.dev/problems/" + reason, Title: http.StatusText(status), Status: status,
		Detail: e.Message, Code: e.Code, Reason: reason, Field: e.Field, RequestID: w.Header().Get("X-Request-Id"),
	}
	if n := core.TriesLeft(e); n >= 0 {
		p.TriesLeft = &n
	}
	enc.Encode(p)
}

//go:embed openapi.json
var openAPIDocument []byte

// OpenAPIDocument returns the OpenAPI 3.1 document.
func OpenAPIDocument() []byte { return openAPIDocument }

func (a *API) openAPI(w http.ResponseWriter, r *http.Request) error {
	w.Header().Set("Content-Type", "application/json")
	_, err := w.Write(openAPIDocument)
	return err
}

// Cursors are opaque to clients: base64url of the store's keyset position.
func encodeCursor(c string) string {
	if c == "" {
		return ""
	}
	return base64.RawURLEncoding.EncodeToString([]byte(c))
}

func decodeCursor(c string) string {
	b, err := base64.RawURLEncoding.DecodeString(c)
	if err != nil {
		return ""
	}
	return string(b)
}

// SafePath is a request path fit for logs: the token of a signing link
// (/s/{token}, /api/v1/signing/{token}) is the credential, so it is cut.
func SafePath(p string) string {
	for _, prefix := range []string{"/s/", "/api/v1/signing/"} {
		if rest, ok := strings.CutPrefix(p, prefix); ok {
			if _, tail, found := strings.Cut(rest, "/"); found {
				return prefix + "…/" + tail
			}
			return prefix + "…"
		}
	}
	return p
}
