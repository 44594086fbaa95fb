package api

import (
	"archive/zip"
	"bufio"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"strconv"
	"strings"
	"time"

	"paraph"
	"paraph/internal/core"
	"paraph/internal/store"
)

// documentJSON is a document as the API shows it. Lists leave out stages
// and signatures (omitzero on nil); one document always has both arrays.
type documentJSON struct {
	ID                string          `json:"id"`
	OrgID             string          `json:"org_id"`
	Title             string          `json:"title"`
	Kind              string          `json:"kind"`
	Number            string          `json:"number"`
	Date              string          `json:"date,omitempty"`
	Amount            string          `json:"amount,omitempty"` // major units, exact: "1234.50"
	Currency          string          `json:"currency,omitempty"`
	Counterparty      string          `json:"counterparty,omitempty"`
	CounterpartyOrgID string          `json:"counterparty_org_id,omitempty"`
	Comment           string          `json:"comment,omitempty"`
	DepartmentID      string          `json:"department_id,omitempty"`
	AuthorMemberID    string          `json:"author_member_id"`
	AuthorName        string          `json:"author_name"`
	FileName          string          `json:"file_name"`
	ContentType       string          `json:"content_type"`
	SHA256            string          `json:"sha256"`
	Size              int64           `json:"size"`
	State             string          `json:"state"`
	CurrentStage      int             `json:"current_stage"`
	DeclineComment    string          `json:"decline_comment,omitempty"`
	CreatedAt         time.Time       `json:"created_at"`
	UpdatedAt         time.Time       `json:"updated_at"`
	SentAt            time.Time       `json:"sent_at,omitzero"`
	FinishedAt        time.Time       `json:"finished_at,omitzero"`
	Stages            []stageJSON     `json:"stages,omitzero"`
	Signatures        []signatureJSON `json:"signatures,omitzero"`
	Final             *finalJSON      `json:"final,omitempty"` // a completed document's final PDF
}

// finalJSON is the state of a completed document's final PDF.
type finalJSON struct {
	State     string `json:"state"`           // "building" or "ready"
	Error     string `json:"error,omitempty"` // why the last build failed; the job retries
	URL       string `json:"url,omitempty"`   // the file, when ready
	SHA256    string `json:"sha256,omitempty"`
	Size      int64  `json:"size,omitempty"`
	VerifyURL string `json:"verify_url"` // the public verification page, as in the QR code
}

type stageJSON struct {
	Side      string       `json:"side"`
	Signature string       `json:"signature"`
	Signers   []signerJSON `json:"signers"`
}

type signerJSON struct {
	ID       string         `json:"id,omitempty"`
	MemberID string         `json:"member_id,omitempty"`
	OrgID    string         `json:"org_id,omitempty"`
	FullName string         `json:"full_name,omitempty"`
	Email    string         `json:"email,omitempty"`
	Phone    string         `json:"phone,omitempty"`
	State    string         `json:"state,omitempty"`
	SignedAt time.Time      `json:"signed_at,omitzero"`
	Fields   []paraph.Field `json:"fields,omitempty"`
	Place    *paraph.Place  `json:"place,omitempty"` // where the stamp goes on the final PDF
}

type signatureJSON struct {
	ID            string            `json:"id"`
	SignerID      string            `json:"signer_id"`
	Signer        string            `json:"signer"`
	Kind          string            `json:"kind"`
	Result        string            `json:"result"`
	Indication    string            `json:"indication"`
	SubIndication string            `json:"sub_indication,omitempty"`
	SigningTime   time.Time         `json:"signing_time"`
	CertFP        string            `json:"certificate_fingerprint,omitempty"`
	POAID         string            `json:"poa_id,omitempty"`
	File          string            `json:"file,omitempty"`   // the name it downloads under (qualified only)
	Fields        map[string]string `json:"fields,omitempty"` // what the signer filled in
}

func toDocument(d *paraph.Document) documentJSON {
	out := documentJSON{ID: d.ID, OrgID: d.OrgID, Title: d.Title, Kind: d.Kind, Number: d.Number, Date: d.Date,
		Currency: d.Currency, Counterparty: d.CounterpartyName, CounterpartyOrgID: d.CounterpartyOrgID, Comment: d.Comment,
		DepartmentID: d.DepartmentID, AuthorMemberID: d.AuthorMemberID, AuthorName: d.AuthorName, FileName: d.FileName,
		ContentType: d.ContentType, SHA256: d.SHA256, Size: d.Size, State: d.State, CurrentStage: d.CurrentStage,
		DeclineComment: d.DeclineComment, CreatedAt: d.CreatedAt, UpdatedAt: d.UpdatedAt, SentAt: d.SentAt, FinishedAt: d.FinishedAt}
	if d.Amount != nil {
		out.Amount = formatAmount(*d.Amount)
	}
	return out
}

// toDocumentDetail adds the route and the signatures.
func toDocumentDetail(d *paraph.Document, sigs []*store.SignatureRecord) documentJSON {
	out := toDocument(d)
	out.Stages = make([]stageJSON, 0, len(d.Stages))
	for _, st := range d.Stages {
		s := stageJSON{Side: st.Side, Signature: st.Signature, Signers: make([]signerJSON, 0, len(st.Signers))}
		for _, sg := range st.Signers {
			s.Signers = append(s.Signers, signerJSON{ID: sg.ID, MemberID: sg.MemberID, OrgID: sg.OrgID, FullName: sg.FullName,
				Email: sg.Email, Phone: sg.Phone, State: sg.State, SignedAt: sg.SignedAt, Fields: sg.Fields, Place: sg.Place})
		}
		out.Stages = append(out.Stages, s)
	}
	out.Signatures = make([]signatureJSON, 0, len(sigs))
	for i, s := range sigs {
		out.Signatures = append(out.Signatures, toSignature(d, s, i))
	}
	return out
}

func toSignature(d *paraph.Document, s *store.SignatureRecord, i int) signatureJSON {
	out := signatureJSON{ID: s.ID, SignerID: s.SignerID, Signer: signerName(d, s.SignerID), Kind: s.Kind, Result: s.Indication,
		Indication: s.Indication, SubIndication: s.SubIndication, SigningTime: s.SigningTime, CertFP: s.CertFP, POAID: s.POAID,
		Fields: s.FieldValues}
	if len(s.CMS) > 0 {
		out.File = sigFileName(d, i)
	}
	return out
}

func signerName(d *paraph.Document, signerID string) string {
	for _, st := range d.Stages {
		for _, sg := range st.Signers {
			if sg.ID == signerID {
				return sg.FullName
			}
		}
	}
	return ""
}

// safeFileName keeps a stored file name from escaping a folder it is
// unpacked into (core keeps only the base name, but ".." is one).
func safeFileName(name string) string {
	name = strings.NewReplacer("/", "_", "\\", "_", "\x00", "_").Replace(name)
	if strings.Trim(name, ".") == "" {
		return "document"
	}
	return name
}

// sigFileName is the i-th (from 0) signature's download name: act.pdf.1.sig.
func sigFileName(d *paraph.Document, i int) string {
	return paraph.SignatureFileName(safeFileName(d.FileName), i)
}

// documentInput is the metadata of a new document, from the part "meta"
// (JSON) or from form fields of the same names.
type documentInput struct {
	Title        string          `json:"title"`
	Kind         string          `json:"kind"`
	Number       string          `json:"number"`
	Date         string          `json:"date"`
	Amount       json.RawMessage `json:"amount"`
	Currency     string          `json:"currency"`
	Counterparty string          `json:"counterparty"`
	DepartmentID string          `json:"department_id"`
	Comment      string          `json:"comment"`
}

func (in *documentInput) meta() (paraph.DocumentMeta, error) {
	m := paraph.DocumentMeta{Title: in.Title, Kind: in.Kind, Number: in.Number, Date: in.Date, Currency: in.Currency,
		CounterpartyName: in.Counterparty, Comment: in.Comment}
	if raw := strings.TrimSpace(string(in.Amount)); raw != "" && raw != "null" {
		if strings.HasPrefix(raw, `"`) {
			if err := json.Unmarshal(in.Amount, &raw); err != nil {
				return m, paraph.Invalid("amount", "invalid_amount", "Write the amount as 1234.56.")
			}
		}
		if raw = strings.TrimSpace(raw); raw != "" {
			v, err := parseAmount(raw)
			if err != nil {
				return m, err
			}
			m.Amount = &v
		}
	}
	return m, nil
}

// setField sets one metadata field sent as a plain form field.
func (in *documentInput) setField(name, value string) bool {
	switch name {
	case "title":
		in.Title = value
	case "kind":
		in.Kind = value
	case "number":
		in.Number = value
	case "date":
		in.Date = value
	case "amount":
		in.Amount, _ = json.Marshal(value)
	case "currency":
		in.Currency = value
	case "counterparty":
		in.Counterparty = value
	case "department_id":
		in.DepartmentID = value
	case "comment":
		in.Comment = value
	default:
		return false
	}
	return true
}

// parseAmount reads an amount in major units ("1234.56", "1 234,5", "17")
// into minor units (kopecks). Two decimals at most; no exponent.
func parseAmount(s string) (int64, error) {
	bad := paraph.Invalid("amount", "invalid_amount", "Write the amount in roubles (hryvnias…) with at most two decimals: 1234.56.")
	s = strings.Map(func(r rune) rune {
		switch r {
		case ' ', '\u00a0', '\u202f', '\u2009':
			return -1
		case ',':
			return '.'
		}
		return r
	}, s)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	whole, frac, _ := strings.Cut(s, ".")
	if whole == "" || len(whole) > 15 || len(frac) > 2 || strings.Trim(whole+frac, "0123456789") != "" {
		return 0, bad
	}
	frac += "00"[len(frac):]
	v, err := strconv.ParseInt(whole+frac, 10, 64)
	if err != nil {
		return 0, bad
	}
	if neg {
		v = -v // the domain refuses it with its own reason
	}
	return v, nil
}

func formatAmount(v int64) string {
	sign := ""
	if v < 0 {
		sign, v = "-", -v
	}
	return fmt.Sprintf("%s%d.%02d", sign, v/100, v%100)
}

// maxMetaBytes caps the part "meta" and each form field before the file.
const maxMetaBytes = 64 << 10

// multipartReadAhead is how much of a multipart upload is read from the
// connection at once.
const multipartReadAhead = 256 << 10

// createDocument reads multipart/form-data as a stream: the metadata (the
// part "meta" as JSON, or plain fields) must come before the part "file",
// whose body goes to core as it arrives — never buffered whole, so memory
// does not grow with the file's size. Parts after the file are ignored.
func (a *API) createDocument(w http.ResponseWriter, r *http.Request) error {
	malformed := func(err error) error {
		return &paraph.Error{Code: paraph.EINVALID, Reason: "invalid_multipart", Err: err,
			Message: "Send multipart/form-data (the part \"meta\" (JSON) first, then the part \"file\"), or the file as the body with the metadata in the query."}
	}
	mt, params, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	switch {
	case mt == "application/json": // a mistake (the file is missing), not a JSON file
		return malformed(http.ErrNotMultipart)
	case mt != "multipart/form-data":
		return a.createDocumentRaw(w, r)
	case params["boundary"] == "":
		return malformed(http.ErrMissingBoundary)
	}
	// multipart.Reader reads its source 4 KiB at a time: straight from the
	// connection that is a system call per 4 KiB; through this buffer, one
	// per multipartReadAhead.
	mr := multipart.NewReader(bufio.NewReaderSize(r.Body, multipartReadAhead), params["boundary"])
	var in documentInput
	for {
		part, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			return paraph.Invalid("file", "file_required", "Attach the document in the part \"file\" (after \"meta\").")
		}
		if err != nil {
			return malformed(err)
		}
		switch name := part.FormName(); name {
		case "file":
			meta, err := in.meta()
			if err != nil {
				return err
			}
			body := &readTracker{r: part}
			d, err := a.svc.CreateDocument(r.Context(), r.PathValue("org"), meta, in.DepartmentID,
				core.UploadedFile{Name: part.FileName(), ContentType: part.Header.Get("Content-Type"), Body: body})
			if err != nil {
				if body.err != nil && paraph.ErrorCode(err) == paraph.EINTERNAL {
					return malformed(body.err) // the upload broke off, not the server
				}
				return err
			}
			return writeJSON(w, http.StatusCreated, toDocument(d))
		case "meta":
			dec := json.NewDecoder(io.LimitReader(part, maxMetaBytes))
			dec.DisallowUnknownFields()
			if err := dec.Decode(&in); err != nil {
				return &paraph.Error{Code: paraph.EINVALID, Reason: "invalid_json", Field: "meta", Err: err,
					Message: "The part \"meta\" must be a JSON object with title, kind, number, date, amount, currency, counterparty, department_id, comment."}
			}
		default:
			value, err := io.ReadAll(io.LimitReader(part, maxMetaBytes+1))
			if err != nil {
				return malformed(err)
			}
			if len(value) > maxMetaBytes {
				return paraph.Invalid(name, "field_too_long", "The field "+strconv.Quote(name)+" is too long.")
			}
			if !in.setField(name, string(value)) {
				return &paraph.Error{Code: paraph.EINVALID, Reason: "unknown_field", Field: name,
					Message: "Unknown part " + strconv.Quote(name) + "."}
			}
		}
	}
}

// createDocumentRaw takes the file as the whole body (any content type but
// multipart) and the metadata from the query: the fastest way to send a
// large file, with no multipart framing to scan.
func (a *API) createDocumentRaw(w http.ResponseWriter, r *http.Request) error {
	var in documentInput
	name := ""
	for key, values := range r.URL.Query() {
		if key == "file_name" {
			name = values[0]
			continue
		}
		if !in.setField(key, values[0]) {
			return &paraph.Error{Code: paraph.EINVALID, Reason: "unknown_field", Field: key,
				Message: "Unknown query parameter " + strconv.Quote(key) + "."}
		}
	}
	if name == "" {
		if _, params, err := mime.ParseMediaType(r.Header.Get("Content-Disposition")); err == nil {
			name = params["filename"]
		}
	}
	if name == "" {
		return paraph.Invalid("file_name", "file_name_required", "Name the file: ?file_name=… or a Content-Disposition header.")
	}
	meta, err := in.meta()
	if err != nil {
		return err
	}
	body := &readTracker{r: r.Body}
	d, err := a.svc.CreateDocument(r.Context(), r.PathValue("org"), meta, in.DepartmentID,
		core.UploadedFile{Name: name, ContentType: r.Header.Get("Content-Type"), Body: body})
	if err != nil {
		if body.err != nil && paraph.ErrorCode(err) == paraph.EINTERNAL {
			return &paraph.Error{Code: paraph.EINVALID, Reason: "upload_interrupted", Message: "The upload broke off.", Err: body.err}
		}
		return err
	}
	return writeJSON(w, http.StatusCreated, toDocument(d))
}

// readTracker remembers a read error other than the end of the stream.
type readTracker struct {
	r   io.Reader
	err error
}

func (t *readTracker) Read(p []byte) (int, error) {
	n, err := t.r.Read(p)
	if err != nil && err != io.EOF {
		t.err = err
	}
	return n, err
}

func (a *API) documents(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	dq := core.DocumentQuery{Box: q.Get("box"), State: q.Get("state"), CounterpartyID: q.Get("counterparty"),
		AuthorMemberID: q.Get("author"), Query: q.Get("q"), Cursor: decodeCursor(q.Get("cursor"))}
	if s := q.Get("limit"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 || n > 200 {
			return paraph.Invalid("limit", "invalid_limit", "The limit is a number from 1 to 200.")
		}
		dq.Limit = n
	}
	var err error
	if dq.From, err = queryTime(q.Get("from"), "from", false); err != nil {
		return err
	}
	if dq.To, err = queryTime(q.Get("to"), "to", true); err != nil {
		return err
	}
	docs, next, err := a.svc.Documents(r.Context(), r.PathValue("org"), dq)
	if err != nil {
		return err
	}
	items := make([]documentJSON, 0, len(docs))
	for _, d := range docs {
		items = append(items, toDocument(d))
	}
	return writeJSON(w, http.StatusOK, map[string]any{"items": items, "next_cursor": encodeCursor(next)})
}

// queryTime reads a date (YYYY-MM-DD) or an RFC 3339 time; a "to" date
// includes its whole day.
func queryTime(s, field string, end bool) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	if t, err := time.Parse(time.DateOnly, s); err == nil {
		if end {
			t = t.AddDate(0, 0, 1)
		}
		return t, nil
	}
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		return time.Time{}, paraph.Invalid(field, "invalid_date", "Write the date as YYYY-MM-DD (or an RFC 3339 time).")
	}
	return t, nil
}

func (a *API) document(w http.ResponseWriter, r *http.Request) error {
	d, sigs, err := a.svc.Document(r.Context(), r.PathValue("doc"))
	if err != nil {
		return err
	}
	out := toDocumentDetail(d, sigs)
	if d.State == paraph.DocCompleted {
		fin, err := a.svc.DocumentFinal(r.Context(), d.ID)
		if err != nil {
			return err
		}
		if fin != nil {
			out.Final = &finalJSON{State: "building", Error: fin.Error, VerifyURL: a.svc.Config().BaseURL + "/v/" + fin.VerifyID}
			if fin.Ready {
				out.Final = &finalJSON{State: "ready", URL: "/api/v1/documents/" + d.ID + "/final.pdf", SHA256: fin.SHA256,
					Size: fin.Size, VerifyURL: out.Final.VerifyURL}
			}
		}
	}
	return writeJSON(w, http.StatusOK, out)
}

func (a *API) setRoute(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		Stages []struct {
			Side      string       `json:"side"`
			Signature string       `json:"signature"`
			Signers   []signerJSON `json:"signers"`
		} `json:"stages"`
	}
	if err := decode(w, r, &in); err != nil {
		return err
	}
	stages := make([]paraph.Stage, 0, len(in.Stages))
	for _, st := range in.Stages {
		s := paraph.Stage{Side: st.Side, Signature: st.Signature}
		for _, sg := range st.Signers {
			s.Signers = append(s.Signers, paraph.Signer{MemberID: sg.MemberID, OrgID: sg.OrgID, FullName: sg.FullName,
				Email: sg.Email, Phone: sg.Phone, Fields: sg.Fields, Place: sg.Place})
		}
		stages = append(stages, s)
	}
	d, err := a.svc.SetRoute(r.Context(), r.PathValue("doc"), stages)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, toDocumentDetail(d, nil))
}

func (a *API) sendDocument(w http.ResponseWriter, r *http.Request) error {
	d, err := a.svc.Send(r.Context(), r.PathValue("doc"))
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, toDocument(d))
}

func (a *API) revokeDocument(w http.ResponseWriter, r *http.Request) error {
	d, err := a.svc.Revoke(r.Context(), r.PathValue("doc"))
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, toDocument(d))
}

func (a *API) declineDocument(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		Comment string `json:"comment"`
	}
	if err := decode(w, r, &in); err != nil {
		return err
	}
	d, err := a.svc.Decline(r.Context(), r.PathValue("doc"), in.Comment)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, toDocument(d))
}

func (a *API) prepareSignature(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		Certificate string `json:"certificate"`
	}
	if err := decode(w, r, &in); err != nil {
		return err
	}
	p, err := a.svc.PrepareSignature(r.Context(), r.PathValue("doc"), []byte(in.Certificate))
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, map[string]any{"prepare_id": p.ID, "to_be_signed": base64.StdEncoding.EncodeToString(p.ToBeSigned),
		"digest_algorithm": p.DigestAlgorithm, "algorithm": p.Algorithm, "expires_at": p.ExpiresAt})
}

// submitSignature takes either the second step of the two-step flow
// ({prepare_id, signature}) or a whole detached CMS ({cms}).
func (a *API) submitSignature(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		PrepareID string `json:"prepare_id"`
		Signature string `json:"signature"`
		CMS       string `json:"cms"`
	}
	if err := decode(w, r, &in); err != nil {
		return err
	}
	doc := r.PathValue("doc")
	var res *core.SignatureResult
	switch {
	case in.CMS != "" && in.PrepareID == "" && in.Signature == "":
		cms, err := decodeBase64("cms", in.CMS)
		if err != nil {
			return err
		}
		if res, err = a.svc.SubmitSignature(r.Context(), doc, cms); err != nil {
			return err
		}
	case in.CMS == "" && in.PrepareID != "" && in.Signature != "":
		value, err := decodeBase64("signature", in.Signature)
		if err != nil {
			return err
		}
		if res, err = a.svc.CompleteSignature(r.Context(), doc, in.PrepareID, value); err != nil {
			return err
		}
	default:
		return paraph.Invalid("signature", "signature_required",
			`Send {"prepare_id", "signature"} after prepare, or {"cms"} with a detached signature made elsewhere (base64).`)
	}
	out := map[string]any{"id": res.ID, "result": res.Indication, "sub_indication": res.SubIndication}
	if res.Document != nil {
		out["document"] = map[string]any{"id": res.Document.ID, "state": res.Document.State, "current_stage": res.Document.CurrentStage}
	}
	return writeJSON(w, http.StatusCreated, out)
}

// decodeBase64 accepts standard base64 with or without padding, and with
// line breaks as base64 tools write them.
func decodeBase64(field, s string) ([]byte, error) {
	s = strings.Map(func(r rune) rune {
		if r == '\n' || r == '\r' || r == ' ' || r == '\t' {
			return -1
		}
		return r
	}, s)
	b, err := base64.StdEncoding.DecodeString(s)
	if err != nil {
		if b, err = base64.RawStdEncoding.DecodeString(s); err != nil {
			return nil, paraph.Invalid(field, "invalid_base64", "The field "+strconv.Quote(field)+" must be base64.")
		}
	}
	return b, nil
}

// attachment names a download, in ASCII and UTF-8 (RFC 6266).
func attachment(w http.ResponseWriter, name string) {
	w.Header().Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": name}))
}

// documentFile streams the original; ranges and conditional requests are
// http.ServeContent's, with the SHA-256 as a strong ETag.
func (a *API) documentFile(w http.ResponseWriter, r *http.Request) error {
	d, f, err := a.svc.OpenDocumentFile(r.Context(), r.PathValue("doc"))
	if err != nil {
		return err
	}
	serveFile(w, r, d.FileName, d.ContentType, d.SHA256, d.CreatedAt, f)
	return nil
}

// finalPDF streams the final PDF: the pages with the signature stamps and
// the signing protocol, sealed; 409 final_not_ready while it is built.
func (a *API) finalPDF(w http.ResponseWriter, r *http.Request) error {
	fin, f, err := a.svc.OpenFinal(r.Context(), r.PathValue("doc"))
	if err != nil {
		return err
	}
	serveFile(w, r, fin.Name, "application/pdf", fin.SHA256, time.Time{}, f)
	return nil
}

// serveFile streams a stored file as a download and closes it; ranges and
// conditional requests are http.ServeContent's, with the SHA-256 as a
// strong ETag.
func serveFile(w http.ResponseWriter, r *http.Request, name, contentType, sum string, modified time.Time, f io.ReadSeekCloser) {
	defer f.Close()
	w.Header().Set("Content-Type", contentType)
	w.Header().Set("ETag", `"`+sum+`"`)
	w.Header().Set("Cache-Control", "private, no-cache")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	attachment(w, safeFileName(name))
	http.ServeContent(w, r, "", modified, f)
}

func (a *API) signatureCMS(w http.ResponseWriter, r *http.Request) error {
	d, sigs, err := a.svc.Document(r.Context(), r.PathValue("doc"))
	if err != nil {
		return err
	}
	for i, s := range sigs {
		if s.ID != r.PathValue("sig") || len(s.CMS) == 0 {
			continue
		}
		w.Header().Set("Content-Type", "application/pkcs7-signature")
		w.Header().Set("Cache-Control", "private, no-cache")
		w.Header().Set("Content-Length", strconv.Itoa(len(s.CMS)))
		attachment(w, sigFileName(d, i))
		_, err := w.Write(s.CMS)
		return err
	}
	return &paraph.Error{Code: paraph.ENOTFOUND, Reason: "not_found", Message: "There is no such CMS signature on this document."}
}

// packageManifest is manifest.json of package.zip.
type packageManifest struct {
	Document struct {
		ID     string `json:"id"`
		Title  string `json:"title"`
		File   string `json:"file"`
		SHA256 string `json:"sha256"`
		Size   int64  `json:"size"`
		State  string `json:"state"`
	} `json:"document"`
	Signatures []signatureJSON `json:"signatures"`
}

const packageReadme = `This package holds a document signed in Paraph and its signatures.

  %[1]s        the original, byte for byte (SHA-256 in manifest.json)
  %[1]s.N.sig  each qualified signature: a detached CMS (CAdES-BES), DER
  manifest.json  who signed, when, with which certificate, the result Paraph
                 found, and the fields each signer filled in ("fields")

Check a signature with OpenSSL, independently of Paraph (root.pem: the
certificate authority's root you trust):

  openssl cms -verify -cades -binary -content '%[1]s' -inform DER -in '%[1]s.1.sig' -CAfile root.pem -out /dev/null

Add -purpose any when the signer's certificate does not list email
protection among its extended key usages. A GOST R 34.10-2012 signature
needs OpenSSL's GOST engine (Debian: libengine-gost-openssl): add -engine gost.
Or with Paraph itself, offline:

  paraph verify --trust root.pem '%[1]s' '%[1]s.1.sig'
`

// documentPackage writes a ZIP with the original, every CMS signature, a
// manifest and a README that says how to check them without Paraph.
func (a *API) documentPackage(w http.ResponseWriter, r *http.Request) error {
	d, sigs, err := a.svc.Document(r.Context(), r.PathValue("doc"))
	if err != nil {
		return err
	}
	_, f, err := a.svc.OpenDocumentFile(r.Context(), d.ID)
	if err != nil {
		return err
	}
	defer f.Close()
	name := safeFileName(d.FileName)
	var m packageManifest
	m.Document.ID, m.Document.Title, m.Document.File, m.Document.SHA256 = d.ID, d.Title, name, d.SHA256
	m.Document.Size, m.Document.State = d.Size, d.State
	m.Signatures = make([]signatureJSON, 0, len(sigs))
	for i, s := range sigs {
		m.Signatures = append(m.Signatures, toSignature(d, s, i))
	}
	manifest, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return paraph.Internal(err)
	}
	w.Header().Set("Content-Type", "application/zip")
	w.Header().Set("Cache-Control", "private, no-cache")
	attachment(w, name+".zip")
	// From here on the answer has begun: an error can only be logged.
	zw := zip.NewWriter(w)
	add := func(entry string, method uint16, write func(io.Writer) error) error {
		fw, err := zw.CreateHeader(&zip.FileHeader{Name: entry, Method: method, Modified: d.UpdatedAt})
		if err != nil {
			return err
		}
		return write(fw)
	}
	err = add(name, zip.Deflate, func(fw io.Writer) error { _, err := io.Copy(fw, f); return err })
	for i, s := range sigs {
		if err == nil && len(s.CMS) > 0 {
			err = add(sigFileName(d, i), zip.Store, func(fw io.Writer) error { _, err := fw.Write(s.CMS); return err })
		}
	}
	if err == nil {
		err = add("manifest.json", zip.Deflate, func(fw io.Writer) error { _, err := fw.Write(append(manifest, '\n')); return err })
	}
	if err == nil {
		err = add("README.txt", zip.Deflate, func(fw io.Writer) error { _, err := fmt.Fprintf(fw, packageReadme, name); return err })
	}
	if err == nil {
		err = zw.Close()
	}
	if err != nil {
		a.log.Error("api: write package.zip", "document", d.ID, "err", err)
	}
	return nil
}

func (a *API) documentHistory(w http.ResponseWriter, r *http.Request) error {
	hist, err := a.svc.DocumentHistory(r.Context(), r.PathValue("doc"))
	if err != nil {
		return err
	}
	type entry struct {
		At     time.Time `json:"at"`
		Action string    `json:"action"`
		Actor  string    `json:"actor,omitempty"`
		IP     string    `json:"ip,omitempty"`
	}
	items := make([]entry, 0, len(hist))
	for _, h := range hist {
		items = append(items, entry{At: h.At, Action: h.Action, Actor: h.Actor, IP: h.IP})
	}
	return writeJSON(w, http.StatusOK, map[string]any{"items": items})
}
