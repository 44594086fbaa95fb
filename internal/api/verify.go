package api

import (
	"errors"
	"mime"
	"net/http"

	"paraph"
	"paraph/internal/core"
	"paraph/internal/verify"
)

// verifyJSON is a public verification's report, with where to download it
// as a sealed PDF.
type verifyJSON struct {
	*verify.Report
	ReportID  string `json:"report_id,omitempty"`
	ReportPDF string `json:"report_pdf_url,omitempty"` // the sealed PDF of this report (web, in the reader's language)
}

// verifyUpload checks a file for anyone (multipart: "file", and optionally
// "signature"). The report's result is passed, indeterminate or failed.
func (a *API) verifyUpload(w http.ResponseWriter, r *http.Request) error {
	mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if mt != "multipart/form-data" {
		return &paraph.Error{Code: paraph.EINVALID, Reason: "unsupported_media_type",
			Message: "Send multipart/form-data with the part \"file\" (and \"signature\" for a detached signature)."}
	}
	r.Body = http.MaxBytesReader(w, r.Body, a.svc.MaxDocumentSize()+core.MaxVerifySignature+64<<10)
	if err := r.ParseMultipartForm(MaxUploadBytes); err != nil { // the rest goes to disk
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			return &paraph.Error{Code: paraph.EINVALID, Reason: "file_too_large", Field: "file", Message: "The file is larger than this Paraph accepts."}
		}
		return &paraph.Error{Code: paraph.EINVALID, Reason: "invalid_multipart", Message: "The form upload is malformed or incomplete.", Err: err}
	}
	defer r.MultipartForm.RemoveAll()
	f, hdr, err := r.FormFile("file")
	if err != nil {
		return paraph.Invalid("file", "file_required", "Attach the file in the form field \"file\".")
	}
	defer f.Close()
	in := core.VerifyUpload{File: f, Size: hdr.Size, FileName: hdr.Filename}
	if sf, _, err := r.FormFile("signature"); err == nil {
		defer sf.Close()
		in.Signature = sf
	}
	rep, id, err := a.svc.Verify(r.Context(), in)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, verifyJSON{Report: rep, ReportID: id, ReportPDF: a.svc.Config().BaseURL + "/verify/reports/" + id + ".pdf"})
}

// verifyReport returns a kept report (seven days).
func (a *API) verifyReport(w http.ResponseWriter, r *http.Request) error {
	rep, err := a.svc.VerifyReport(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	id := r.PathValue("id")
	return writeJSON(w, http.StatusOK, verifyJSON{Report: rep, ReportID: id, ReportPDF: a.svc.Config().BaseURL + "/verify/reports/" + id + ".pdf"})
}

// verifyDocument is the report behind a final PDF's QR code.
func (a *API) verifyDocument(w http.ResponseWriter, r *http.Request) error {
	rep, _, err := a.svc.PublicDocumentReport(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, verifyJSON{Report: rep, ReportPDF: a.svc.Config().BaseURL + "/v/" + r.PathValue("id") + "/report.pdf"})
}
