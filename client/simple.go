package client

import (
	"context"
	"encoding/base64"
	"net/url"
	"strings"
	"time"

	"paraph"
)

// SigningLink is what a signing link opens for a person outside.
type SigningLink struct {
	Document struct {
		ID       string `json:"id"`
		Title    string `json:"title"`
		Kind     string `json:"kind"`
		Number   string `json:"number"`
		Date     string `json:"date"`
		Amount   string `json:"amount"`
		Currency string `json:"currency"`
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
	CodeSentTo   string `json:"code_sent_to"` // masked
	Ready        bool   `json:"ready"`        // it is this signer's turn
}

// linkPath is the API path of a signing link; token may be the whole link
// as it was sent (https://…/s/<token>).
func linkPath(token, rest string) string {
	if i := strings.LastIndex(token, "/s/"); i >= 0 {
		token = token[i+3:]
	}
	return "/api/v1/signing/" + url.PathEscape(strings.TrimSpace(token)) + rest
}

// LookupSigningLink opens a signing link (no account needed: the link is
// the credential).
func (c *Client) LookupSigningLink(ctx context.Context, token string) (*SigningLink, error) {
	var out SigningLink
	if err := c.do(ctx, "GET", linkPath(token, ""), nil, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// RequestSigningCode sends the link's signer a one-time code; it returns
// where it went, masked.
func (c *Client) RequestSigningCode(ctx context.Context, token string) (string, error) {
	var out struct {
		SentTo string `json:"sent_to"`
	}
	err := c.do(ctx, "POST", linkPath(token, "/code"), map[string]string{}, &out)
	return out.SentTo, err
}

// SimpleSignature is a simple signature: the one-time code and a PNG or
// JPEG signature image (and stamp, optional unless asked for), and the
// requested fields filled in, by name (checkboxes "true").
type SimpleSignature struct {
	Code   string
	Image  []byte
	Stamp  []byte
	Fields map[string]string
}

func (s SimpleSignature) body() map[string]any {
	b := map[string]any{"code": s.Code, "image": base64.StdEncoding.EncodeToString(s.Image)}
	if len(s.Stamp) > 0 {
		b["stamp"] = base64.StdEncoding.EncodeToString(s.Stamp)
	}
	if len(s.Fields) > 0 {
		b["fields"] = s.Fields
	}
	return b
}

// SignByLink signs by a link with a simple signature.
func (c *Client) SignByLink(ctx context.Context, token string, sig SimpleSignature) (*SignatureResult, error) {
	var res SignatureResult
	if err := c.do(ctx, "POST", linkPath(token, "/sign"), sig.body(), &res); err != nil {
		return nil, err
	}
	return &res, nil
}

// RequestMemberSigningCode sends the caller a code for a simple signature
// of a document; it returns where it went, masked.
func (c *Client) RequestMemberSigningCode(ctx context.Context, docID string) (string, error) {
	var out struct {
		SentTo string `json:"sent_to"`
	}
	err := c.do(ctx, "POST", docPath(docID, "/signatures/code"), map[string]string{}, &out)
	return out.SentTo, err
}

// SignAsMember makes the caller's simple signature of a document.
func (c *Client) SignAsMember(ctx context.Context, docID string, sig SimpleSignature) (*SignatureResult, error) {
	var res SignatureResult
	if err := c.do(ctx, "POST", docPath(docID, "/signatures/simple"), sig.body(), &res); err != nil {
		return nil, err
	}
	return &res, nil
}

// Remind tells the signers a document waits for, again (at most once an
// hour; sooner is a *paraph.Error with Reason "remind_too_soon").
func (c *Client) Remind(ctx context.Context, docID string) error {
	return c.do(ctx, "POST", docPath(docID, "/remind"), map[string]string{}, nil)
}

// Funnel is how many of an organization's documents sit at each step
// (draft, waiting_us, waiting_counterparty, completed, declined_or_revoked)
// and whom the waiting ones wait for.
type Funnel struct {
	Counts  map[string]int `json:"counts"`
	Waiting []struct {
		ID           string    `json:"id"`
		Title        string    `json:"title"`
		Number       string    `json:"number"`
		SentAt       time.Time `json:"sent_at"`
		CurrentStage int       `json:"current_stage"`
		WaitsFor     []string  `json:"waits_for"`
	} `json:"waiting"`
}

// Funnel returns the funnel of an organization.
func (c *Client) Funnel(ctx context.Context, orgID string) (*Funnel, error) {
	var f Funnel
	if err := c.do(ctx, "GET", "/api/v1/orgs/"+url.PathEscape(orgID)+"/funnel", nil, &f); err != nil {
		return nil, err
	}
	return &f, nil
}

// ActParty is one side of an act.
type ActParty struct {
	Name           string `json:"name"`
	INN            string `json:"inn,omitempty"`
	KPP            string `json:"kpp,omitempty"`
	OGRN           string `json:"ogrn,omitempty"`
	EDRPOU         string `json:"edrpou,omitempty"`
	Address        string `json:"address,omitempty"`
	Bank           string `json:"bank,omitempty"`
	Account        string `json:"account,omitempty"`
	Signer         string `json:"signer,omitempty"`
	SignerPosition string `json:"signer_position,omitempty"`
}

// ActLine is one row of an act. Price is per unit, VAT included, in major
// units as written ("4500.00"); VATRate is in percent, -1 for no VAT.
type ActLine struct {
	Name     string `json:"name"`
	Unit     string `json:"unit,omitempty"`
	Quantity string `json:"quantity"`
	Price    string `json:"price"`
	VATRate  int    `json:"vat_rate"`
}

// Act is the act of completed works to fill. Date is YYYY-MM-DD; Language
// is ru (the default) or uk.
type Act struct {
	Language     string    `json:"language,omitempty"`
	Number       string    `json:"number"`
	Date         string    `json:"date"`
	Place        string    `json:"place,omitempty"`
	Contractor   ActParty  `json:"contractor"`
	Customer     ActParty  `json:"customer"`
	Basis        string    `json:"basis,omitempty"`
	Lines        []ActLine `json:"lines"`
	Currency     string    `json:"currency"`
	Comment      string    `json:"comment,omitempty"`
	DepartmentID string    `json:"department_id,omitempty"`
}

// CreateAct fills the act template; the server renders it to PDF and
// creates a draft.
func (c *Client) CreateAct(ctx context.Context, orgID string, act Act) (*Document, error) {
	var d Document
	if err := c.do(ctx, "POST", "/api/v1/orgs/"+url.PathEscape(orgID)+"/documents/act", act, &d); err != nil {
		return nil, err
	}
	return &d, nil
}
