package web

import (
	"encoding/base64"
	"errors"
	"io"
	"mime"
	"net/http"
	"strings"
	"time"

	"paraph"
	"paraph/internal/core"
	"paraph/internal/store"
)

// Simple signatures (ПЭП): a person outside opens the signing link — the
// link's token is their only credential — reads the document, asks for a
// one-time code to the contact on the route, draws (static/signpad.js) or
// uploads their signature, confirms and signs. Our own members sign a
// simple stage the same way from the document page, with a code to their
// own login. Core checks the link, the turn, the code and the images.

// maxSimpleSignBody caps the signing form: the signature and the stamp
// (core takes 1 MiB each), the drawn signature as a data URL (base64: a
// third larger), and the short fields.
const maxSimpleSignBody = 4<<20 + 64<<10

// simpleBlock is what the "simple_sign" partial needs: where its two forms
// post and where the code goes.
type simpleBlock struct {
	CodeAction, SignAction string
	Sent                   bool           // a code was just sent
	Address                string         // masked
	Fields                 []paraph.Field // texts, dates and checkboxes asked for
	Stamp                  *paraph.Field  // the stamp, when asked for
}

// newSimpleBlock is the signing form for a signer: the fields they are
// asked to fill in, and whether (and how) the stamp is asked for.
func newSimpleBlock(q *request, codeAction, signAction, address string, sg paraph.Signer) *simpleBlock {
	b := &simpleBlock{CodeAction: codeAction, SignAction: signAction, Sent: q.r.URL.Query().Get("sent") != "", Address: address}
	for _, f := range sg.Fields {
		switch f.Kind {
		case paraph.FieldSignature: // the signature image is always asked for
		case paraph.FieldStamp:
			b.Stamp = &f
		default:
			b.Fields = append(b.Fields, f)
		}
	}
	return b
}

// inLink runs a signing-link handler: the token in the URL is a secret, so
// these pages never send it on as a Referer, and they are bare (no login
// links in the header: the person has no account here).
func (w *Web) inLink(h func(q *request, token string) error) handler {
	return func(q *request) error {
		q.w.Header().Set("Referrer-Policy", "no-referrer")
		q.bare = true
		return h(q, q.r.PathValue("token"))
	}
}

// logPath is a request path fit for the log: a signing link's token is cut.
func logPath(p string) string {
	if rest, ok := strings.CutPrefix(p, "/s/"); ok {
		if _, tail, found := strings.Cut(rest, "/"); found {
			return "/s/…/" + tail
		}
		return "/s/…"
	}
	return p
}

// linkPage is the data of the signing link's page.
type linkPage struct {
	Session *core.SigningSession
	Doc     *paraph.Document
	Token   string
	IsPDF   bool
	FileURL string // the file behind the link
	// State is what the page offers: "ready" (the two steps), "signed"
	// (done), "not_turn" (earlier stages first) or "closed" (the document
	// no longer waits: declined, revoked, or completed without this signer).
	State  string
	Simple *simpleBlock
}

// linkFailed shows a clear page for a link that does not open: forged or
// replaced (404), expired (410). Other errors go back to the caller.
func (w *Web) linkFailed(q *request, err error) error {
	var data errorPage
	switch paraph.ErrorReason(err) {
	case "link_invalid":
		data = errorPage{Status: http.StatusNotFound, Title: "link.invalid_title", Text: q.web.cat.errorText(q.lang, err), Hint: "link.invalid_hint"}
	case "link_expired":
		data = errorPage{Status: http.StatusGone, Title: "link.expired_title", Text: q.web.cat.errorText(q.lang, err)}
	default:
		return err
	}
	return q.render(data.Status, "error", data)
}

func (w *Web) signingLink(q *request, token string) error {
	sess, err := w.svc.LookupSigningLink(q.r.Context(), token)
	if err != nil {
		return w.linkFailed(q, err)
	}
	return w.showLink(q, http.StatusOK, token, sess)
}

func (w *Web) showLink(q *request, status int, token string, sess *core.SigningSession) error {
	d, sg := sess.Document, sess.Signer
	data := linkPage{Session: sess, Doc: d, Token: token, IsPDF: d.ContentType == "application/pdf", FileURL: "/s/" + token + "/file"}
	switch {
	case sg.State == paraph.SignerSigned:
		data.State = "signed"
	case sess.Ready:
		data.State = "ready"
		data.Simple = newSimpleBlock(q, "/s/"+token+"/code", "/s/"+token+"/sign", sess.Address, sg)
	case d.State == paraph.DocInProgress && sg.State == paraph.SignerWaiting && sg.Stage > d.CurrentStage:
		data.State = "not_turn"
	default:
		data.State = "closed"
	}
	return q.render(status, "sign_link", data)
}

// signingLinkFile serves the document to the link's holder: a PDF inline,
// to be framed by the signing page only; anything else as a download.
func (w *Web) signingLinkFile(q *request, token string) error {
	d, r, err := w.svc.OpenDocumentByLink(q.r.Context(), token)
	if err != nil {
		return w.linkFailed(q, err)
	}
	defer r.Close()
	serveDocument(q, d, r)
	return nil
}

// serveDocument writes a document's bytes: a PDF inline (and frameable by
// our own pages only, on this response alone), any other type as a
// download, never rendered by the browser.
func serveDocument(q *request, d *paraph.Document, r io.ReadSeeker) {
	serveFile(q, d.FileName, d.ContentType, d.SHA256, r)
}

// serveFile serves a stored file: a PDF inline, to be framed by our own
// pages only (?download=1 downloads it); anything else as a download.
func serveFile(q *request, name, contentType, sum string, r io.ReadSeeker) {
	h := q.w.Header()
	disposition := "attachment"
	if contentType == "application/pdf" && q.r.URL.Query().Get("download") == "" {
		disposition = "inline"
		h.Set("Content-Security-Policy", "frame-ancestors 'self'")
		h.Set("X-Frame-Options", "SAMEORIGIN")
	}
	h.Set("Content-Type", contentType)
	h.Set("Content-Disposition", mime.FormatMediaType(disposition, map[string]string{"filename": name}))
	h.Set("Cache-Control", "private, no-cache")
	h.Set("ETag", `"`+sum+`"`)
	http.ServeContent(q.w, q.r, "", time.Time{}, r)
}

// signingLinkCode sends the one-time code to the contact on the route.
func (w *Web) signingLinkCode(q *request, token string) error {
	if _, err := w.svc.RequestSigningCode(q.r.Context(), token); err != nil {
		if lerr := w.linkFailed(q, err); lerr != err {
			return lerr
		}
		if paraph.ErrorCode(err) == paraph.EINTERNAL {
			return err
		}
		q.form("code").Error = w.codeRefusal(q, err)
		sess, lerr := w.svc.LookupSigningLink(q.r.Context(), token)
		if lerr != nil {
			return w.linkFailed(q, lerr)
		}
		return w.showLink(q, statusOf(err), token, sess)
	}
	return q.redirect("/s/" + token + "?sent=1#step2")
}

// codeRefusal is why a code was not sent, for the person.
func (w *Web) codeRefusal(q *request, err error) string {
	return q.web.cat.errorText(q.lang, err)
}

// signByLink makes the simple signature of the link's signer.
func (w *Web) signByLink(q *request, token string) error {
	f := q.posted("simple")
	in, ok := q.simpleSignature(f)
	var err error
	if ok {
		_, err = w.svc.SignByLink(q.r.Context(), token, in)
		if err == nil {
			q.setFlash("flash.link_signed")
			return q.redirect("/s/" + token)
		}
		if lerr := w.linkFailed(q, err); lerr != err {
			return lerr
		}
		if err := placeSimple(q, f, err); err != nil {
			return err
		}
	}
	sess, lerr := w.svc.LookupSigningLink(q.r.Context(), token)
	if lerr != nil {
		return w.linkFailed(q, lerr)
	}
	if paraph.ErrorReason(err) == "already_signed" {
		return w.showLink(q, http.StatusConflict, token, sess)
	}
	return w.showLink(q, simpleStatus(err), token, sess)
}

func simpleStatus(err error) int {
	if err == nil {
		return http.StatusUnprocessableEntity // the form's own checks
	}
	return statusOf(err)
}

// simpleSignature reads the signing form: the code, the signature (an
// uploaded image wins over a drawn one), the optional stamp and the
// confirmation. It marks what is missing next to its field, so nothing is
// sent to core (and no try of the code is spent) until the form is whole.
func (q *request) simpleSignature(f *form) (core.SimpleSignature, bool) {
	t := func(key string) string { return q.web.cat.text(q.lang, key) }
	if q.tooLarge {
		f.Error = t("simple.too_large")
		return core.SimpleSignature{}, false
	}
	in := core.SimpleSignature{Code: strings.TrimSpace(f.Get("code"))}
	if in.Code == "" {
		f.Errors["code"] = t("simple.code_required")
	}
	img, err := q.optionalFile("image")
	switch {
	case err != nil:
		f.Errors["image"] = q.web.cat.errorText(q.lang, err)
	case img != nil:
		in.Image = img
	default:
		if drawn := f.Get("drawn"); drawn != "" {
			b64, ok := strings.CutPrefix(drawn, "data:image/png;base64,")
			if b, err := base64.StdEncoding.DecodeString(b64); ok && err == nil && len(b) > 0 {
				in.Image = b
			} else {
				f.Errors["image"] = t("simple.drawn_bad")
			}
		} else {
			f.Errors["image"] = t("reason.signature_image_required")
		}
	}
	if stamp, err := q.optionalFile("stamp"); err != nil {
		f.Errors["stamp"] = q.web.cat.errorText(q.lang, err)
	} else {
		in.Stamp = stamp
	}
	if f.Get("agree") == "" {
		f.Errors["agree"] = t("simple.agree_required")
	}
	// The requested fields go to core as they are: it knows what this
	// signer was asked for, and says which one is wrong.
	for k := range q.r.PostForm {
		if name, ok := strings.CutPrefix(k, "fields."); ok {
			if in.Fields == nil {
				in.Fields = map[string]string{}
			}
			in.Fields[name] = f.Get(k)
		}
	}
	return in, len(f.Errors) == 0
}

// optionalFile reads an uploaded file that may be absent (nil, nil).
func (q *request) optionalFile(name string) ([]byte, error) {
	if q.files == nil {
		q.files = map[string]bool{}
	}
	q.files[name] = true
	fh, _, err := q.r.FormFile(name)
	if errors.Is(err, http.ErrMissingFile) || errors.Is(err, http.ErrNotMultipart) {
		return nil, nil
	}
	if err != nil {
		return nil, paraph.Invalid(name, "file_required", "Choose a file.")
	}
	defer fh.Close()
	b, err := io.ReadAll(io.LimitReader(fh, core.MaxSignatureImage+1))
	if err != nil {
		return nil, err
	}
	if len(b) == 0 {
		return nil, paraph.Invalid(name, "file_empty", "The file is empty.")
	}
	return b, nil
}

// placeSimple puts core's refusal next to the field it is about (the code,
// the signature image, the stamp), else above the form.
func placeSimple(q *request, f *form, err error) error {
	if code := paraph.ErrorCode(err); code == paraph.EINTERNAL || paraph.ErrorReason(err) == "unauthenticated" {
		return err
	}
	msg := q.web.cat.errorText(q.lang, err)
	switch field := paraph.AsError(err).Field; {
	case field == "code" || field == "image" || field == "stamp" || strings.HasPrefix(field, "fields."):
		f.Errors[field] = msg
	default:
		f.Error = msg
	}
	return nil
}

// --- Our members' simple signatures, from the document page ---

// memberSimple is the simple-signature block of the document page.
func memberSimple(q *request, d *paraph.Document, sg paraph.Signer) *simpleBlock {
	addr := ""
	if q.principal != nil {
		addr = q.principal.Account.Email
		if addr == "" {
			addr = q.principal.Account.Phone
		}
	}
	return newSimpleBlock(q, "/documents/"+d.ID+"/sign/code", "/documents/"+d.ID+"/sign/simple", core.MaskAddress(addr), sg)
}

func (w *Web) memberSigningCode(q *request, d *paraph.Document, sigs []*store.SignatureRecord) error {
	if _, err := w.svc.RequestMemberSigningCode(q.r.Context(), d.ID); err != nil {
		if code := paraph.ErrorCode(err); code == paraph.EINTERNAL || paraph.ErrorReason(err) == "unauthenticated" {
			return err
		}
		q.form("code").Error = w.codeRefusal(q, err)
		return w.showDocument(q, statusOf(err), d, sigs, nil)
	}
	return q.redirect("/documents/" + d.ID + "?sent=1#step2")
}

func (w *Web) memberSignSimple(q *request, d *paraph.Document, sigs []*store.SignatureRecord) error {
	f := q.posted("simple")
	in, ok := q.simpleSignature(f)
	var err error
	if ok {
		if _, err = w.svc.SignAsMember(q.r.Context(), d.ID, in); err == nil {
			q.setFlash("flash.signed_simple")
			return q.redirect("/documents/" + d.ID)
		}
		if err := placeSimple(q, f, err); err != nil {
			return err
		}
		var lerr error
		if d, sigs, lerr = w.svc.Document(q.r.Context(), d.ID); lerr != nil {
			return lerr
		}
	}
	return w.showDocument(q, simpleStatus(err), d, sigs, nil)
}
