// Package web serves Paraph's server-rendered HTML UI: pages, forms, the
// session cookie, CSRF protection, translations (ru, uk, en) and the static
// files, all embedded in the binary. Handlers decode a form, call one core
// method and render or redirect; rules about accounts live in core.
package web

import (
	"embed"
	"fmt"
	"log/slog"
	"net/http"
	"strings"

	"paraph/internal/core"
)

// The only package-level state: files compiled into the binary.
//
//go:embed templates/*.html static/* i18n/*.json
var files embed.FS

// maxFormBytes caps a form body: every form here is a few short fields.
const maxFormBytes = 64 << 10

// maxUploadBytes caps a form with files (routes with access uploader): a
// certificate chain, a МЧД and its signature.
const maxUploadBytes = 8 << 20

// Options configure the web UI.
type Options struct {
	BaseURL string // public URL; https:// makes cookies Secure
	Dev     bool   // serve the dev mailbox
	Log     *slog.Logger
}

// Web is the HTML surface.
type Web struct {
	svc     *core.Service
	opts    Options
	log     *slog.Logger
	secure  bool // cookies get the Secure flag
	pages   map[string]*page
	static  map[string]*asset
	cat     catalogs
	origins *http.CrossOriginProtection
}

// New parses the templates, the catalogs and the static files; anything
// missing or broken fails here, at start, rather than in front of a person.
func New(svc *core.Service, opts Options) (*Web, error) {
	if opts.Log == nil {
		opts.Log = slog.New(slog.DiscardHandler)
	}
	w := &Web{
		svc:     svc,
		opts:    opts,
		log:     opts.Log,
		secure:  strings.HasPrefix(opts.BaseURL, "https://"),
		origins: http.NewCrossOriginProtection(),
	}
	var err error
	if w.cat, err = loadCatalogs(files); err != nil {
		return nil, fmt.Errorf("web: %w", err)
	}
	if w.static, err = loadStatic(files); err != nil {
		return nil, fmt.Errorf("web: %w", err)
	}
	if w.pages, err = parsePages(files); err != nil {
		return nil, fmt.Errorf("web: %w", err)
	}
	return w, nil
}

// Register adds every web route to mux. The table reads top to bottom as the
// site map; each row says whether the page needs a logged-in person.
func (w *Web) Register(mux *http.ServeMux) {
	routes := []struct {
		pattern string
		access  access
		handle  handler
	}{
		{"GET /{$}", anyone, w.home},
		{"GET /register", anyone, w.registerForm},
		{"POST /register", anyone, w.register},
		{"GET /confirm", anyone, w.confirmForm},
		{"POST /confirm", anyone, w.confirm},
		{"POST /confirm/resend", anyone, w.resendCode},
		{"GET /login", anyone, w.loginForm},
		{"POST /login", anyone, w.login},
		{"POST /logout", anyone, w.logout},
		{"GET /reset", anyone, w.resetForm},
		{"POST /reset", anyone, w.requestReset},
		{"GET /reset/confirm", anyone, w.resetConfirmForm},
		{"POST /reset/confirm", anyone, w.resetPassword},
		{"POST /lang", anyone, w.switchLanguage},
		// Certificate login: the page signs a challenge in the browser
		// (static/certlogin.js); the two JSON endpoints start and finish it.
		{"GET /login/certificate", anyone, w.certificateLoginForm},
		{"POST /login/certificate/challenge", anyone, w.certificateChallenge},
		{"POST /login/certificate", anyone, w.certificateLogin},

		{"GET /profile", loggedIn, w.profile},
		{"POST /profile/name", loggedIn, w.updateName},
		{"POST /profile/login", loggedIn, w.requestLoginChange},
		{"POST /profile/login/confirm", loggedIn, w.confirmLoginChange},
		{"POST /profile/password", loggedIn, w.changePassword},
		{"POST /profile/tokens", loggedIn, w.createToken},
		{"POST /profile/tokens/{id}/revoke", loggedIn, w.revokeToken},

		// The instance administrator's trusted roots (core refuses others: 403).
		{"GET /admin/trust", loggedIn, w.trustRoots},
		{"POST /admin/trust", uploader, w.addTrustRoot},
		{"POST /admin/trust/{id}/remove", loggedIn, w.removeTrustRoot},

		{"GET /invite/{token}", anyone, w.invitation},
		{"POST /invite/{token}", anyone, w.acceptInvitation},
		{"GET /orgs/new", loggedIn, w.newOrgForm},
		{"POST /orgs/new", loggedIn, w.createOrg},
		{"GET /members", loggedIn, w.allMembers},
		// One organization's pages; inOrg refuses a non-member (404) and a
		// blocked member (403) before the handler runs.
		{"GET /o/{org}", loggedIn, w.inOrg(w.orgHome)},
		{"GET /o/{org}/settings", loggedIn, w.inOrg(w.orgSettingsForm)},
		{"POST /o/{org}/settings", loggedIn, w.inOrg(w.updateOrg)},
		{"GET /o/{org}/members", loggedIn, w.inOrg(w.members)},
		{"GET /o/{org}/members/new", loggedIn, w.inOrg(w.newMemberForm)},
		{"POST /o/{org}/members/new", loggedIn, w.inOrg(w.addMember)},
		{"GET /o/{org}/members/{member}", loggedIn, w.inOrg(w.member)},
		{"POST /o/{org}/members/{member}", loggedIn, w.inOrg(w.updateMember)},
		{"POST /o/{org}/members/{member}/block", loggedIn, w.inOrg(w.blockMember)},
		{"POST /o/{org}/members/{member}/unblock", loggedIn, w.inOrg(w.unblockMember)},
		{"POST /o/{org}/members/{member}/invitation", loggedIn, w.inOrg(w.resendInvitation)},
		{"POST /o/{org}/members/{member}/transfer", loggedIn, w.inOrg(w.transferOwnership)},
		// A member's certificates and powers of attorney (МЧД), as tabs of their page.
		{"GET /o/{org}/members/{member}/certificates", loggedIn, w.inOrg(w.memberCertificates)},
		{"POST /o/{org}/members/{member}/certificates", uploader, w.inOrg(w.uploadCertificate)},
		{"GET /o/{org}/members/{member}/poas", loggedIn, w.inOrg(w.memberPOAs)},
		{"POST /o/{org}/members/{member}/poas", uploader, w.inOrg(w.uploadPOA)},
		{"POST /o/{org}/members/{member}/poas/{poa}/main", loggedIn, w.inOrg(w.setMainPOA)},
		{"POST /o/{org}/members/{member}/poas/{poa}/revoke", loggedIn, w.inOrg(w.revokePOA)},
		// Documents: the boxes and the upload (streamed: see createDocument).
		{"GET /o/{org}/documents", loggedIn, w.inOrg(w.documents)},
		{"GET /o/{org}/documents/new", loggedIn, w.inOrg(w.newDocumentForm)},
		{"POST /o/{org}/documents/new", streamer, w.inOrg(w.createDocument)},
		// One document, seen by its organization or the counterparty's.
		{"GET /documents/{doc}", loggedIn, w.inDocument(w.document)},
		{"GET /documents/{doc}/file", loggedIn, w.documentFile},
		{"GET /documents/{doc}/final.pdf", loggedIn, w.finalFile},
		{"GET /documents/{doc}/signatures/{sig}", loggedIn, w.inDocument(w.signatureFile)},
		{"POST /documents/{doc}/route", loggedIn, w.inDocument(w.saveRoute)},
		{"POST /documents/{doc}/send", loggedIn, w.inDocument(w.sendDocument)},
		{"POST /documents/{doc}/revoke", loggedIn, w.inDocument(w.revokeDocument)},
		{"POST /documents/{doc}/decline", loggedIn, w.inDocument(w.declineDocument)},
		{"POST /documents/{doc}/signatures", uploader, w.inDocument(w.uploadSignature)},
		// Signing in the browser (static/sign.js): JSON, with the CSRF header.
		{"POST /documents/{doc}/sign/prepare", loggedIn, w.inDocumentJSON(w.signPrepare)},
		{"POST /documents/{doc}/sign/complete", loggedIn, w.signComplete},
		// Simple signatures of our members (a code to their own login and a
		// drawn or uploaded image), and reminders of the waiting signers.
		{"POST /documents/{doc}/sign/code", loggedIn, w.inDocument(w.memberSigningCode)},
		{"POST /documents/{doc}/sign/simple", uploader, w.inDocument(w.memberSignSimple)},
		{"POST /documents/{doc}/remind", loggedIn, w.inDocument(w.remindDocument)},
		{"GET /o/{org}/funnel", loggedIn, w.inOrg(w.funnel)},
		// The signing page of a person outside: no login, the link's token
		// is the credential (never logged; Referrer-Policy: no-referrer).
		{"GET /s/{token}", anyone, w.inLink(w.signingLink)},
		{"GET /s/{token}/file", anyone, w.inLink(w.signingLinkFile)},
		{"POST /s/{token}/code", anyone, w.inLink(w.signingLinkCode)},
		{"POST /s/{token}/sign", linkUploader, w.inLink(w.signByLink)},
		// Public verification: anyone may check a file, or open the page a
		// final PDF's QR code names (its unguessable id is the credential).
		{"GET /verify", anyone, w.verifyForm},
		{"POST /verify", verifier, w.verifyUpload},
		{"GET /verify/reports/{file}", anyone, w.verifyReportPDF},
		{"GET /verify/root.pem", anyone, w.sealRoot},
		{"GET /v/{id}", anyone, w.publicDocument},
		{"GET /v/{id}/final.pdf", anyone, w.publicFinal},
		{"GET /v/{id}/report.pdf", anyone, w.publicReportPDF},
		{"GET /o/{org}/departments", loggedIn, w.inOrg(w.departments)},
		{"POST /o/{org}/departments", loggedIn, w.inOrg(w.createDepartment)},
		{"POST /o/{org}/departments/{dept}", loggedIn, w.inOrg(w.updateDepartment)},
		{"POST /o/{org}/departments/{dept}/delete", loggedIn, w.inOrg(w.deleteDepartment)},
	}
	if w.opts.Dev {
		routes = append(routes, []struct {
			pattern string
			access  access
			handle  handler
		}{
			{"GET /dev/mailbox", anyone, w.devMailbox},
			{"GET /dev/mailbox.json", anyone, w.devMailboxJSON},
		}...)
	}
	for _, rt := range routes {
		mux.Handle(rt.pattern, w.wrap(rt.access, rt.handle))
	}
	mux.HandleFunc("GET /static/{name}", w.serveStatic)
	mux.Handle("/", w.wrap(anyone, w.notFound))
}
