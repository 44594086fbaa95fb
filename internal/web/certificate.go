package web

import (
	"errors"
	"io"
	"net/http"
	"strings"
	"time"

	"paraph"
	"paraph/internal/core"
	"paraph/pki"
)

// memberTab is what the tabs of a member's page need: the member and the
// tab shown (details, certificates, poas).
type memberTab struct {
	V       *view
	Member  *paraph.Member
	Current string
}

// MemberTabs returns the tabs of m's page with current selected.
func (v *view) MemberTabs(m *paraph.Member, current string) memberTab {
	return memberTab{V: v, Member: m, Current: current}
}

type certificatesPage struct {
	Member       *paraph.Member
	Certificates []*core.CertificateView
	CanManage    bool
}

func (w *Web) memberCertificates(q *request) error {
	m, err := w.svc.Member(q.r.Context(), q.org.ID, q.r.PathValue("member"))
	if err != nil {
		return err
	}
	return w.showCertificates(q, http.StatusOK, m)
}

func (w *Web) showCertificates(q *request, status int, m *paraph.Member) error {
	certs, err := w.svc.Certificates(q.r.Context(), q.org.ID, m.ID)
	if err != nil {
		return err
	}
	q.form("certificate")
	data := certificatesPage{Member: m, Certificates: certs, CanManage: q.can(paraph.ActionManageCertificates, m)}
	return q.render(status, "member_certificates", data)
}

func (w *Web) uploadCertificate(q *request) error {
	id := q.r.PathValue("member")
	f := q.posted("certificate")
	data, err := q.file("certificate")
	if err == nil {
		_, err = w.svc.UploadCertificate(q.r.Context(), q.org.ID, id, data)
	}
	if err != nil {
		if err := f.failed(err); err != nil {
			return err
		}
		m, merr := w.svc.Member(q.r.Context(), q.org.ID, id)
		if merr != nil {
			return merr
		}
		return w.showCertificates(q, statusOf(err), m)
	}
	q.setFlash("flash.certificate_added")
	return q.redirect(q.orgPath("/members/" + id + "/certificates"))
}

// file reads an uploaded file of the form. A missing file, or an upload the
// server cut off as too large, is the person's error, shown next to the input.
func (q *request) file(name string) ([]byte, error) {
	if q.files == nil {
		q.files = map[string]bool{}
	}
	q.files[name] = true
	if q.tooLarge {
		return nil, paraph.Invalid(name, "upload_too_large", "The file is too large (8 MiB at most).")
	}
	fh, _, err := q.r.FormFile(name)
	if errors.Is(err, http.ErrMissingFile) || errors.Is(err, http.ErrNotMultipart) {
		return nil, paraph.Invalid(name, "file_required", "Choose a file.")
	}
	if err != nil {
		return nil, paraph.Invalid(name, "file_required", "Choose a file.")
	}
	defer fh.Close()
	b, err := io.ReadAll(fh)
	if err != nil {
		return nil, err
	}
	if len(b) == 0 {
		return nil, paraph.Invalid(name, "file_empty", "The file is empty.")
	}
	return b, nil
}

// CertStatus is the badge of a certificate: its class and text, with the
// days left for an expiring one and the reason for an invalid one.
func (v *view) CertStatus(c *core.CertificateView) badge {
	switch c.Status {
	case pki.StatusActive:
		return badge{Class: "badge-ok", Text: v.T("cert.status.active")}
	case pki.StatusExpiring:
		return badge{Class: "badge-warn", Text: v.T("cert.status.expiring", "days", v.DaysLeft(c.Cert.NotAfter))}
	}
	return badge{Class: "badge-danger", Text: v.T("cert.status.invalid"), Note: v.CertReason(c.Reason)}
}

type badge struct{ Class, Text, Note string }

// CertReason explains why a certificate is invalid.
func (v *view) CertReason(r pki.Reason) string {
	if r == "" {
		return ""
	}
	if key := "cert.reason." + string(r); v.q.web.cat.has(key) {
		return v.T(key)
	}
	return string(r)
}

// DaysLeft counts the days until t by the server's clock, rounding up, so
// "1 day" is shown until the very end.
func (v *view) DaysLeft(t time.Time) int {
	left := t.Sub(v.q.web.svc.Clock().Now())
	if left <= 0 {
		return 0
	}
	return int((left + 24*time.Hour - 1) / (24 * time.Hour))
}

// Day formats a date without the time, as a document shows it.
func (v *view) Day(t time.Time) string {
	if t.IsZero() {
		return "—"
	}
	return t.UTC().Format("02.01.2006")
}

// CertIdentifiers lists a certificate's national identifiers in a fixed
// order, each labelled as people write it.
func (v *view) CertIdentifiers(c *pki.Certificate) []identifier {
	ids := c.Identifiers()
	var out []identifier
	for _, k := range []string{"INN", "SNILS", "INNLE", "OGRN", "OGRNIP", "EDRPOU", "RNOKPP"} {
		if val := ids[k]; val != "" {
			out = append(out, identifier{Label: v.T("cert.ident." + strings.ToLower(k)), Value: val})
		}
	}
	return out
}

// CertUsage names what a key may do.
func (v *view) CertUsage(u pki.Usage) string {
	switch u {
	case pki.UsageSigning:
		return v.T("cert.usage.signing")
	case pki.UsageEncryption:
		return v.T("cert.usage.encryption")
	case pki.UsageSigningEncryption:
		return v.T("cert.usage.both")
	}
	return string(u)
}

// Fingerprint groups a hex fingerprint by four, so it can be read aloud and
// compared; the line may break between groups.
func (v *view) Fingerprint(hex string) string {
	var b strings.Builder
	for i := 0; i < len(hex); i += 4 {
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(hex[i:min(i+4, len(hex))])
	}
	return b.String()
}
