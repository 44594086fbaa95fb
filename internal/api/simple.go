package api

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"time"

	"paraph"
	"paraph/internal/core"
	"paraph/internal/pdf"
)

// Signing links: the link's token is the credential of a person outside,
// so these routes are public; core limits the tries per code.

// signingLinkJSON is what a signing link opens.
type signingLinkJSON struct {
	Document struct {
		ID       string `json:"id"`
		Title    string `json:"title"`
		Kind     string `json:"kind"`
		Number   string `json:"number"`
		Date     string `json:"date,omitempty"`
		Amount   string `json:"amount,omitempty"`
		Currency string `json:"currency,omitempty"`
		SHA256   string `json:"sha256"`
		Size     int64  `json:"size"`
		FileName string `json:"file_name"`
		State    string `json:"state"`
	} `json:"document"`
	Signer struct {
		FullName string         `json:"full_name"`
		State    string         `json:"state"`
		Fields   []paraph.Field `json:"fields"` // what to fill in when signing
	} `json:"signer"`
	Organization string `json:"organization"`
	CodeSentTo   string `json:"code_sent_to"`
	Ready        bool   `json:"ready"`
	VerifyURL    string `json:"verify_url,omitempty"` // once complete: the signed PDF's public page
}

// linkHeaders keeps the token in the URL out of Referer headers and caches.
func linkHeaders(w http.ResponseWriter) {
	w.Header().Set("Referrer-Policy", "no-referrer")
}

func (a *API) signingLink(w http.ResponseWriter, r *http.Request) error {
	linkHeaders(w)
	sess, err := a.svc.LookupSigningLink(r.Context(), r.PathValue("token"))
	if err != nil {
		return err
	}
	d := sess.Document
	var out signingLinkJSON
	out.Document.ID, out.Document.Title, out.Document.Kind, out.Document.Number = d.ID, d.Title, d.Kind, d.Number
	out.Document.Date, out.Document.Currency, out.Document.SHA256, out.Document.Size = d.Date, d.Currency, d.SHA256, d.Size
	out.Document.FileName, out.Document.State = d.FileName, d.State
	if d.Amount != nil {
		out.Document.Amount = formatAmount(*d.Amount)
	}
	out.Signer.FullName, out.Signer.State = sess.Signer.FullName, sess.Signer.State
	out.Signer.Fields = sess.Signer.Fields
	if out.Signer.Fields == nil {
		out.Signer.Fields = []paraph.Field{}
	}
	out.Organization, out.CodeSentTo, out.Ready = sess.OrgName, sess.Address, sess.Ready
	if sess.VerifyID != "" {
		out.VerifyURL = a.svc.Config().BaseURL + "/v/" + sess.VerifyID
	}
	return writeJSON(w, http.StatusOK, out)
}

// signingLinkFile streams the document to the holder of a link, as
// documentFile does to a member.
func (a *API) signingLinkFile(w http.ResponseWriter, r *http.Request) error {
	linkHeaders(w)
	d, f, err := a.svc.OpenDocumentByLink(r.Context(), r.PathValue("token"))
	if err != nil {
		return err
	}
	serveFile(w, r, d.FileName, d.ContentType, d.SHA256, d.CreatedAt, f)
	return nil
}

func (a *API) signingLinkCode(w http.ResponseWriter, r *http.Request) error {
	linkHeaders(w)
	sentTo, err := a.svc.RequestSigningCode(r.Context(), r.PathValue("token"))
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusAccepted, map[string]string{"sent_to": sentTo})
}

// simpleSignatureInput is the body of a simple signature: the code and the
// images in base64 (a data: URL as a canvas gives it is taken too).
type simpleSignatureInput struct {
	Code  string `json:"code"`
	Image string `json:"image"`
	Stamp string `json:"stamp"`
	// Fields is what the signer filled in: name → value (checkboxes "true").
	Fields map[string]string `json:"fields"`
}

// readSimpleSignature reads and decodes a simple signature's body.
func readSimpleSignature(w http.ResponseWriter, r *http.Request) (core.SimpleSignature, error) {
	var in simpleSignatureInput
	if err := decodeLimit(w, r, &in, MaxSignatureBodyBytes); err != nil {
		return core.SimpleSignature{}, err
	}
	return in.signature()
}

func (in *simpleSignatureInput) signature() (core.SimpleSignature, error) {
	out := core.SimpleSignature{Code: in.Code, Fields: in.Fields}
	var err error
	if out.Image, err = decodeImage("image", in.Image); err != nil {
		return out, err
	}
	out.Stamp, err = decodeImage("stamp", in.Stamp)
	return out, err
}

// decodeImage reads base64, or a data: URL ("data:image/png;base64,…");
// whether it is PNG or JPEG is core's to say.
func decodeImage(field, s string) ([]byte, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return nil, nil
	}
	if rest, ok := strings.CutPrefix(s, "data:"); ok {
		if _, data, ok := strings.Cut(rest, ";base64,"); ok {
			s = data
		}
	}
	return decodeBase64(field, s)
}

func writeSimpleResult(w http.ResponseWriter, res *core.SignatureResult) error {
	out := map[string]any{"id": res.ID, "result": res.Indication}
	if res.Document != nil {
		out["document"] = map[string]any{"id": res.Document.ID, "state": res.Document.State, "current_stage": res.Document.CurrentStage}
	}
	return writeJSON(w, http.StatusCreated, out)
}

func (a *API) signByLink(w http.ResponseWriter, r *http.Request) error {
	linkHeaders(w)
	sig, err := readSimpleSignature(w, r)
	if err != nil {
		return err
	}
	res, err := a.svc.SignByLink(r.Context(), r.PathValue("token"), sig)
	if err != nil {
		return err
	}
	return writeSimpleResult(w, res)
}

// Members' simple signatures: the code goes to the member's own login.

func (a *API) memberSigningCode(w http.ResponseWriter, r *http.Request) error {
	sentTo, err := a.svc.RequestMemberSigningCode(r.Context(), r.PathValue("doc"))
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusAccepted, map[string]string{"sent_to": sentTo})
}

func (a *API) signAsMember(w http.ResponseWriter, r *http.Request) error {
	sig, err := readSimpleSignature(w, r)
	if err != nil {
		return err
	}
	res, err := a.svc.SignAsMember(r.Context(), r.PathValue("doc"), sig)
	if err != nil {
		return err
	}
	return writeSimpleResult(w, res)
}

// remind tells the signers of the current stage again; core refuses (429
// with Retry-After) within the hour after the last notice.
func (a *API) remind(w http.ResponseWriter, r *http.Request) error {
	if err := a.svc.Remind(r.Context(), r.PathValue("doc")); err != nil {
		return err
	}
	return writeJSON(w, http.StatusAccepted, map[string]string{"status": "reminded"})
}

// funnelWaitingJSON is one document that waits, and for whom.
type funnelWaitingJSON struct {
	ID           string    `json:"id"`
	Title        string    `json:"title"`
	Number       string    `json:"number"`
	SentAt       time.Time `json:"sent_at,omitzero"`
	CurrentStage int       `json:"current_stage"`
	WaitsFor     []string  `json:"waits_for"`
}

func (a *API) funnel(w http.ResponseWriter, r *http.Request) error {
	f, err := a.svc.DocumentFunnel(r.Context(), r.PathValue("org"))
	if err != nil {
		return err
	}
	waiting := make([]funnelWaitingJSON, 0, len(f.Waiting))
	for _, d := range f.Waiting {
		item := funnelWaitingJSON{ID: d.ID, Title: d.Title, Number: d.Number, SentAt: d.SentAt, CurrentStage: d.CurrentStage, WaitsFor: []string{}}
		if d.CurrentStage >= 0 && d.CurrentStage < len(d.Stages) {
			for _, sg := range d.Stages[d.CurrentStage].Signers {
				if sg.State == paraph.SignerWaiting {
					item.WaitsFor = append(item.WaitsFor, sg.FullName)
				}
			}
		}
		waiting = append(waiting, item)
	}
	return writeJSON(w, http.StatusOK, map[string]any{"counts": f.Counts, "waiting": waiting})
}

// The act of completed works, filled from JSON and rendered to PDF by core.

type actPartyJSON struct {
	Name           string `json:"name"`
	INN            string `json:"inn"`
	KPP            string `json:"kpp"`
	OGRN           string `json:"ogrn"`
	EDRPOU         string `json:"edrpou"`
	Address        string `json:"address"`
	Bank           string `json:"bank"`
	Account        string `json:"account"`
	Signer         string `json:"signer"`
	SignerPosition string `json:"signer_position"`
}

func (p actPartyJSON) party() pdf.Party {
	return pdf.Party{Name: p.Name, INN: p.INN, KPP: p.KPP, OGRN: p.OGRN, EDRPOU: p.EDRPOU, Address: p.Address,
		Bank: p.Bank, Account: p.Account, Signer: p.Signer, SignerPosition: p.SignerPosition}
}

type actLineJSON struct {
	Name     string          `json:"name"`
	Unit     string          `json:"unit"`
	Quantity json.RawMessage `json:"quantity"` // "1,5" or 1.5
	Price    json.RawMessage `json:"price"`    // major units: "4500.00" or 4500
	VATRate  *int            `json:"vat_rate"` // percent; -1 = без НДС
}

type actInput struct {
	Language     string        `json:"language"`
	Number       string        `json:"number"`
	Date         string        `json:"date"`
	Place        string        `json:"place"`
	Contractor   actPartyJSON  `json:"contractor"`
	Customer     actPartyJSON  `json:"customer"`
	Basis        string        `json:"basis"`
	Lines        []actLineJSON `json:"lines"`
	Currency     string        `json:"currency"`
	Comment      string        `json:"comment"`
	DepartmentID string        `json:"department_id"`
}

// rawText reads a JSON string or number as its text; "" for none.
func rawText(raw json.RawMessage) (string, bool) {
	s := strings.TrimSpace(string(raw))
	switch {
	case s == "" || s == "null":
		return "", true
	case strings.HasPrefix(s, `"`):
		var v string
		if json.Unmarshal(raw, &v) != nil {
			return "", false
		}
		return strings.TrimSpace(v), true
	case strings.Trim(s, "-0123456789.") == "":
		return s, true
	}
	return "", false
}

// act turns the JSON into pdf.Act; what the act itself must be is checked
// by core (pdf.Act.Validate), with the same field names.
func (in *actInput) act() (pdf.Act, error) {
	act := pdf.Act{Language: in.Language, Number: in.Number, Place: in.Place, Contractor: in.Contractor.party(),
		Customer: in.Customer.party(), Basis: in.Basis, Currency: in.Currency, Comment: in.Comment}
	if s := strings.TrimSpace(in.Date); s != "" {
		t, err := time.Parse(time.DateOnly, s)
		if err != nil {
			return act, paraph.Invalid("date", "invalid_date", "Write the date as YYYY-MM-DD.")
		}
		act.Date = t
	}
	for i, l := range in.Lines {
		field := fmt.Sprintf("lines[%d]", i)
		line := pdf.Line{Name: l.Name, Unit: l.Unit}
		q, ok := rawText(l.Quantity)
		if !ok {
			return act, paraph.Invalid(field+".quantity", "invalid_quantity", "Write the quantity as a number: 1, 1.5 or \"1,5\".")
		}
		line.Quantity = q
		p, ok := rawText(l.Price)
		if !ok || p == "" {
			return act, paraph.Invalid(field+".price", "invalid_amount", "Write the price per unit, VAT included, as 1234.56.")
		}
		v, err := parseAmount(p)
		if err != nil {
			e := *paraph.AsError(err)
			e.Field = field + ".price"
			return act, &e
		}
		line.Price = v
		if l.VATRate == nil {
			return act, paraph.Invalid(field+".vat_rate", "required", "Give the VAT rate in percent, or -1 for no VAT.")
		}
		line.VATRate = *l.VATRate
		act.Lines = append(act.Lines, line)
	}
	return act, nil
}

func (a *API) createAct(w http.ResponseWriter, r *http.Request) error {
	var in actInput
	if err := decode(w, r, &in); err != nil {
		return err
	}
	act, err := in.act()
	if err != nil {
		return err
	}
	d, err := a.svc.CreateActDocument(r.Context(), r.PathValue("org"), act, in.DepartmentID)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusCreated, toDocument(d))
}
