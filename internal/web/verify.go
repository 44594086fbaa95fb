package web

import (
	"encoding/pem"
	"mime"
	"net/http"
	"strings"

	"paraph"
	"paraph/internal/core"
	"paraph/internal/verify"
)

// verifyPage is the public verification page: the form, and the report of
// what was checked; or the report behind a final PDF's QR code.
type verifyPage struct {
	Report    *verify.Report
	ReportURL string // the report as a sealed PDF
	FinalURL  string // the final PDF, on the page of a QR code
	Document  bool   // the page of a QR code (/v/{id}), not of an upload
	RootURL   string // the instance's seal root, to trust offline
}

func (w *Web) newVerifyPage() verifyPage {
	p := verifyPage{}
	if w.svc.Config().Seal != nil {
		p.RootURL = "/verify/root.pem"
	}
	return p
}

func (w *Web) verifyForm(q *request) error {
	return q.render(http.StatusOK, "verify", w.newVerifyPage())
}

// verifyUpload checks the uploaded file (and signature) and shows the report.
func (w *Web) verifyUpload(q *request) error {
	f := q.posted("verify")
	data := w.newVerifyPage()
	q.files = map[string]bool{"file": true, "signature": true}
	if q.tooLarge {
		f.Errors["file"] = q.web.cat.text(q.lang, "verify.too_large")
		return q.render(http.StatusRequestEntityTooLarge, "verify", data)
	}
	file, hdr, err := q.r.FormFile("file")
	if err != nil {
		f.failed(paraph.Invalid("file", "file_required", "Choose a file."))
		return q.render(http.StatusUnprocessableEntity, "verify", data)
	}
	defer file.Close()
	in := core.VerifyUpload{File: file, Size: hdr.Size, FileName: hdr.Filename}
	if sf, _, err := q.r.FormFile("signature"); err == nil {
		defer sf.Close()
		in.Signature = sf
	}
	rep, id, err := w.svc.Verify(q.r.Context(), in)
	if err != nil {
		if err := f.failed(err); err != nil {
			return err
		}
		return q.render(statusOf(err), "verify", data)
	}
	data.Report, data.ReportURL = rep, "/verify/reports/"+id+".pdf"
	return q.render(http.StatusOK, "verify", data)
}

// verifyReportPDF serves a public verification's report as a sealed PDF.
func (w *Web) verifyReportPDF(q *request) error {
	id, ok := strings.CutSuffix(q.r.PathValue("file"), ".pdf")
	if !ok {
		return w.notFound(q)
	}
	rep, err := w.svc.VerifyReport(q.r.Context(), id)
	if err != nil {
		return err
	}
	return w.serveReportPDF(q, rep)
}

func (w *Web) serveReportPDF(q *request, rep *verify.Report) error {
	file, err := w.reportPDF(q.r.Context(), &view{q: q, Lang: q.lang}, rep)
	if err != nil {
		return err
	}
	h := q.w.Header()
	h.Set("Content-Type", "application/pdf")
	h.Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": "verification-report.pdf"}))
	h.Set("Cache-Control", "private, no-cache")
	_, err = q.w.Write(file)
	return err
}

// publicDocument is the page a final PDF's QR code opens.
func (w *Web) publicDocument(q *request) error {
	rep, fin, err := w.svc.PublicDocumentReport(q.r.Context(), q.r.PathValue("id"))
	if err != nil {
		return err
	}
	data := w.newVerifyPage()
	data.Report, data.Document = rep, true
	data.ReportURL = "/v/" + fin.VerifyID + "/report.pdf"
	if fin.Ready {
		data.FinalURL = "/v/" + fin.VerifyID + "/final.pdf"
	}
	return q.render(http.StatusOK, "verify", data)
}

func (w *Web) publicReportPDF(q *request) error {
	rep, _, err := w.svc.PublicDocumentReport(q.r.Context(), q.r.PathValue("id"))
	if err != nil {
		return err
	}
	return w.serveReportPDF(q, rep)
}

// publicFinal serves the final PDF to whoever holds its link.
func (w *Web) publicFinal(q *request) error {
	fin, r, err := w.svc.OpenPublicFinal(q.r.Context(), q.r.PathValue("id"))
	return serveFinal(q, fin, r, err, "/v/"+q.r.PathValue("id"))
}

// sealRoot serves the certificate the instance's seal chains to, for
// `paraph verify --trust`.
func (w *Web) sealRoot(q *request) error {
	sealer := w.svc.Config().Seal
	if sealer == nil {
		return w.notFound(q)
	}
	root := sealer.Root()
	h := q.w.Header()
	h.Set("Content-Type", "application/x-pem-file")
	h.Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": "paraph-seal-root.pem"}))
	return pem.Encode(q.w, &pem.Block{Type: "CERTIFICATE", Bytes: root.Raw})
}

// Reason explains a verification outcome in the page's language: the
// catalog's text for the code, else the checker's own sentence.
func (v *view) Reason(code, message string) string {
	if key := "reason." + code; code != "" && v.q.web.cat.has(key) {
		return v.T(key)
	}
	return message
}
