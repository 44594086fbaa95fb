package client

import (
	"context"
	"crypto"
	"crypto/rand"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"paraph"
	"paraph/gost"
	"paraph/pki"
)

// DocumentMeta is what is said about a new document. Amount is in major
// units as written ("1234.56"); "" for none.
type DocumentMeta struct {
	Title        string `json:"title"`
	Kind         string `json:"kind,omitempty"`
	Number       string `json:"number,omitempty"`
	Date         string `json:"date,omitempty"`
	Amount       string `json:"amount,omitempty"`
	Currency     string `json:"currency,omitempty"`
	Counterparty string `json:"counterparty,omitempty"`
	DepartmentID string `json:"department_id,omitempty"`
	Comment      string `json:"comment,omitempty"`
}

// Document is a document as the API shows it; Stages and Signatures are
// filled by Document, not by Documents.
type Document struct {
	ID                string      `json:"id"`
	OrgID             string      `json:"org_id"`
	Title             string      `json:"title"`
	Kind              string      `json:"kind"`
	Number            string      `json:"number"`
	Date              string      `json:"date"`
	Amount            string      `json:"amount"`
	Currency          string      `json:"currency"`
	Counterparty      string      `json:"counterparty"`
	CounterpartyOrgID string      `json:"counterparty_org_id"`
	Comment           string      `json:"comment"`
	DepartmentID      string      `json:"department_id"`
	AuthorMemberID    string      `json:"author_member_id"`
	AuthorName        string      `json:"author_name"`
	FileName          string      `json:"file_name"`
	ContentType       string      `json:"content_type"`
	SHA256            string      `json:"sha256"`
	Size              int64       `json:"size"`
	State             string      `json:"state"`
	CurrentStage      int         `json:"current_stage"`
	DeclineComment    string      `json:"decline_comment"`
	CreatedAt         time.Time   `json:"created_at"`
	SentAt            time.Time   `json:"sent_at"`
	FinishedAt        time.Time   `json:"finished_at"`
	Stages            []Stage     `json:"stages"`
	Signatures        []Signature `json:"signatures"`
}

// Stage is one step of a route: Side "own" or "counterparty", Signature
// "qualified" or "simple".
type Stage struct {
	Side      string   `json:"side"`
	Signature string   `json:"signature"`
	Signers   []Signer `json:"signers"`
}

// Signer names one signer: MemberID, OrgID, or FullName with Email or Phone.
// ID, State and SignedAt are the server's.
type Signer struct {
	ID       string         `json:"id,omitempty"`
	MemberID string         `json:"member_id,omitempty"`
	OrgID    string         `json:"org_id,omitempty"`
	FullName string         `json:"full_name,omitempty"`
	Email    string         `json:"email,omitempty"`
	Phone    string         `json:"phone,omitempty"`
	State    string         `json:"state,omitempty"`
	SignedAt time.Time      `json:"signed_at,omitzero"`
	Fields   []paraph.Field `json:"fields,omitempty"` // what the signer is asked to fill in (simple signatures)
	Place    *paraph.Place  `json:"place,omitempty"`  // where the stamp goes on the final PDF; nil: the last page
}

// Signature is a stored signature and its verification result.
type Signature struct {
	ID            string            `json:"id"`
	SignerID      string            `json:"signer_id"`
	Signer        string            `json:"signer"`
	Kind          string            `json:"kind"`
	Result        string            `json:"result"`
	SubIndication string            `json:"sub_indication"`
	SigningTime   time.Time         `json:"signing_time"`
	CertFP        string            `json:"certificate_fingerprint"`
	POAID         string            `json:"poa_id"`
	File          string            `json:"file"`
	Fields        map[string]string `json:"fields,omitempty"` // what the signer filled in
}

// CreateDocument uploads a document as a draft, streaming r: the metadata
// goes first, then the file, so neither side holds the file whole.
func (c *Client) CreateDocument(ctx context.Context, orgID string, meta DocumentMeta, fileName string, r io.Reader) (*Document, error) {
	metaJSON, err := json.Marshal(meta)
	if err != nil {
		return nil, err
	}
	pr, pw := io.Pipe()
	mw := multipart.NewWriter(pw)
	go func() {
		pw.CloseWithError(writeDocumentForm(mw, metaJSON, fileName, r))
	}()
	req, err := http.NewRequestWithContext(ctx, "POST", c.base+"/api/v1/orgs/"+url.PathEscape(orgID)+"/documents", pr)
	if err != nil {
		pr.Close()
		return nil, err
	}
	req.Header.Set("Content-Type", mw.FormDataContentType())
	var d Document
	if err := c.send(req, &d); err != nil {
		pr.CloseWithError(err) // stop the writer if the server answered early
		return nil, err
	}
	return &d, nil
}

func writeDocumentForm(mw *multipart.Writer, metaJSON []byte, fileName string, r io.Reader) error {
	h := make(map[string][]string)
	h["Content-Disposition"] = []string{`form-data; name="meta"`}
	h["Content-Type"] = []string{"application/json"}
	w, err := mw.CreatePart(h)
	if err != nil {
		return err
	}
	if _, err := w.Write(metaJSON); err != nil {
		return err
	}
	if w, err = mw.CreateFormFile("file", fileName); err != nil {
		return err
	}
	if _, err := io.Copy(w, r); err != nil {
		return err
	}
	return mw.Close()
}

// Document returns a document with its route and signatures.
func (c *Client) Document(ctx context.Context, docID string) (*Document, error) {
	var d Document
	if err := c.do(ctx, "GET", docPath(docID, ""), nil, &d); err != nil {
		return nil, err
	}
	return &d, nil
}

// DocumentQuery selects a box: Box is "outgoing" (default), "incoming" or
// "drafts"; From and To are dates (YYYY-MM-DD, To inclusive).
type DocumentQuery struct {
	Box, State, Query, Counterparty, Author, From, To, Cursor string
	Limit                                                     int
}

// Documents lists one page of a box of an organization and the cursor of
// the next page ("" on the last).
func (c *Client) Documents(ctx context.Context, orgID string, q DocumentQuery) ([]Document, string, error) {
	v := url.Values{}
	for k, s := range map[string]string{"box": q.Box, "state": q.State, "q": q.Query, "counterparty": q.Counterparty,
		"author": q.Author, "from": q.From, "to": q.To, "cursor": q.Cursor} {
		if s != "" {
			v.Set(k, s)
		}
	}
	if q.Limit > 0 {
		v.Set("limit", strconv.Itoa(q.Limit))
	}
	var out struct {
		Items []Document `json:"items"`
		Next  string     `json:"next_cursor"`
	}
	path := "/api/v1/orgs/" + url.PathEscape(orgID) + "/documents"
	if len(v) > 0 {
		path += "?" + v.Encode()
	}
	if err := c.do(ctx, "GET", path, nil, &out); err != nil {
		return nil, "", err
	}
	return out.Items, out.Next, nil
}

// SetRoute sets who signs a draft, in which order.
func (c *Client) SetRoute(ctx context.Context, docID string, stages []Stage) (*Document, error) {
	var d Document
	if err := c.do(ctx, "PUT", docPath(docID, "/route"), map[string]any{"stages": stages}, &d); err != nil {
		return nil, err
	}
	return &d, nil
}

// Send sends a draft on its route.
func (c *Client) Send(ctx context.Context, docID string) (*Document, error) {
	return c.docAction(ctx, docID, "/send", nil)
}

// Revoke withdraws a document on its way.
func (c *Client) Revoke(ctx context.Context, docID string) (*Document, error) {
	return c.docAction(ctx, docID, "/revoke", nil)
}

// Decline declines to sign, saying why.
func (c *Client) Decline(ctx context.Context, docID, comment string) (*Document, error) {
	return c.docAction(ctx, docID, "/decline", map[string]string{"comment": comment})
}

func (c *Client) docAction(ctx context.Context, docID, action string, in any) (*Document, error) {
	var d Document
	if err := c.do(ctx, "POST", docPath(docID, action), in, &d); err != nil {
		return nil, err
	}
	return &d, nil
}

func docPath(docID, rest string) string { return "/api/v1/documents/" + url.PathEscape(docID) + rest }

// Prepared is step 1 of the two-step flow: what the key must sign.
type Prepared struct {
	ID              string
	ToBeSigned      []byte
	DigestAlgorithm string
	Algorithm       string
	ExpiresAt       time.Time
}

// PrepareSignature starts a qualified signature with the signer's
// certificate (PEM, bound to the caller in the signing organization).
func (c *Client) PrepareSignature(ctx context.Context, docID string, certPEM []byte) (*Prepared, error) {
	var out struct {
		ID              string    `json:"prepare_id"`
		ToBeSigned      string    `json:"to_be_signed"`
		DigestAlgorithm string    `json:"digest_algorithm"`
		Algorithm       string    `json:"algorithm"`
		ExpiresAt       time.Time `json:"expires_at"`
	}
	if err := c.do(ctx, "POST", docPath(docID, "/signatures/prepare"), map[string]string{"certificate": string(certPEM)}, &out); err != nil {
		return nil, err
	}
	tbs, err := base64.StdEncoding.DecodeString(out.ToBeSigned)
	if err != nil {
		return nil, fmt.Errorf("client: prepare: to_be_signed is not base64: %w", err)
	}
	return &Prepared{ID: out.ID, ToBeSigned: tbs, DigestAlgorithm: out.DigestAlgorithm, Algorithm: out.Algorithm, ExpiresAt: out.ExpiresAt}, nil
}

// SignatureResult is what a signature came to. A signature that does not
// pass is an error (*paraph.Error whose Reason is the sub-indication), not
// a result.
type SignatureResult struct {
	ID            string `json:"id"`
	Result        string `json:"result"`
	SubIndication string `json:"sub_indication"`
	Document      struct {
		ID           string `json:"id"`
		State        string `json:"state"`
		CurrentStage int    `json:"current_stage"`
	} `json:"document"`
}

// CompleteSignature sends the signature value of a prepared signature.
func (c *Client) CompleteSignature(ctx context.Context, docID, prepareID string, value []byte) (*SignatureResult, error) {
	var res SignatureResult
	err := c.do(ctx, "POST", docPath(docID, "/signatures"), map[string]string{"prepare_id": prepareID,
		"signature": base64.StdEncoding.EncodeToString(value)}, &res)
	if err != nil {
		return nil, err
	}
	return &res, nil
}

// SubmitCMS uploads a detached CMS signature made elsewhere (DER).
func (c *Client) SubmitCMS(ctx context.Context, docID string, cms []byte) (*SignatureResult, error) {
	var res SignatureResult
	if err := c.do(ctx, "POST", docPath(docID, "/signatures"), map[string]string{"cms": base64.StdEncoding.EncodeToString(cms)}, &res); err != nil {
		return nil, err
	}
	return &res, nil
}

// SignDocument signs with the two-step flow: it checks that the key is the
// certificate's, prepares, signs the attributes locally (the key never
// leaves this process) and completes.
func (c *Client) SignDocument(ctx context.Context, docID string, certPEM []byte, signer crypto.Signer) (*SignatureResult, error) {
	certs, err := pki.Parse(certPEM)
	if err != nil {
		return nil, fmt.Errorf("certificate: %s", pki.Message(err))
	}
	leaf, _ := pki.SplitChain(certs)
	if pub, ok := signer.Public().(interface{ Equal(crypto.PublicKey) bool }); leaf.PublicKey == nil || !ok || !pub.Equal(leaf.PublicKey) {
		return nil, ErrKeyMismatch
	}
	p, err := c.PrepareSignature(ctx, docID, certPEM)
	if err != nil {
		return nil, err
	}
	value, err := SignToBeSigned(signer, p)
	if err != nil {
		return nil, err
	}
	return c.CompleteSignature(ctx, docID, p.ID, value)
}

// SignToBeSigned makes the signature value of a prepared signature:
//
//	ECDSA, RSA-PKCS1v15:           over DigestAlgorithm (SHA-256/384/512) of ToBeSigned
//	Ed25519:                       over ToBeSigned itself
//	GOST3410-2012-256 / 512:       over Streebog-256 / 512 of ToBeSigned (s‖r)
func SignToBeSigned(signer crypto.Signer, p *Prepared) ([]byte, error) {
	var digest []byte
	var opts crypto.SignerOpts
	switch {
	case p.Algorithm == "Ed25519":
		digest, opts = p.ToBeSigned, crypto.Hash(0)
	case p.DigestAlgorithm == "SHA-256":
		d := sha256.Sum256(p.ToBeSigned)
		digest, opts = d[:], crypto.SHA256
	case p.DigestAlgorithm == "SHA-384":
		d := sha512.Sum384(p.ToBeSigned)
		digest, opts = d[:], crypto.SHA384
	case p.DigestAlgorithm == "SHA-512":
		d := sha512.Sum512(p.ToBeSigned)
		digest, opts = d[:], crypto.SHA512
	case p.DigestAlgorithm == "Streebog-256":
		d := gost.Sum256(p.ToBeSigned)
		digest, opts = d[:], crypto.Hash(0)
	case p.DigestAlgorithm == "Streebog-512":
		d := gost.Sum512(p.ToBeSigned)
		digest, opts = d[:], crypto.Hash(0)
	default:
		return nil, fmt.Errorf("client: the server asks for %s with %s, which this client does not know", p.Algorithm, p.DigestAlgorithm)
	}
	sig, err := signer.Sign(rand.Reader, digest, opts)
	if err != nil {
		return nil, fmt.Errorf("sign (%s): %w", p.Algorithm, err)
	}
	return sig, nil
}

// DownloadFile writes the document's original to w.
func (c *Client) DownloadFile(ctx context.Context, docID string, w io.Writer) error {
	return c.download(ctx, docPath(docID, "/file"), w)
}

// DownloadSignature writes a qualified signature (detached CMS, DER) to w.
func (c *Client) DownloadSignature(ctx context.Context, docID, sigID string, w io.Writer) error {
	return c.download(ctx, docPath(docID, "/signatures/"+url.PathEscape(sigID)+"/cms"), w)
}

// DownloadPackage writes the ZIP package (original, every .sig, manifest,
// README with the openssl command) to w.
func (c *Client) DownloadPackage(ctx context.Context, docID string, w io.Writer) error {
	return c.download(ctx, docPath(docID, "/package.zip"), w)
}

func (c *Client) download(ctx context.Context, path string, w io.Writer) error {
	req, err := http.NewRequestWithContext(ctx, "GET", c.base+path, nil)
	if err != nil {
		return err
	}
	return c.send(req, w)
}
