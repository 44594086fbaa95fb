package web

import (
	"bytes"
	"cmp"
	"context"

	"paraph/internal/pdf"
	"paraph/internal/verify"
)

// reportPDF lays out a verification report in the reader's language; the
// service seals it.
func (w *Web) reportPDF(ctx context.Context, v *view, rep *verify.Report) ([]byte, error) {
	t := v.T
	out := &pdf.Report{Title: t("verify.report_title"), Result: rep.Result, Verdict: t("verify.result." + rep.Result),
		Subtitle: t("verify.report_subtitle", "site", w.opts.BaseURL, "when", v.Date(rep.CheckedAt)),
		Footer:   t("verify.report_footer", "site", w.opts.BaseURL), PageLabel: t("verify.report_page"), CheckedAt: rep.CheckedAt}
	out.Summary = v.Reason(rep.Reason, rep.Message)
	if rep.Reason == "" {
		out.Summary = t("verify.summary." + rep.Result)
	}
	file := pdf.ReportSection{Heading: t("verify.file_checked")}
	add := func(s *pdf.ReportSection, label, value string, mono bool) {
		if value != "" {
			s.Rows = append(s.Rows, pdf.ReportRow{Label: label, Value: value, Mono: mono})
		}
	}
	add(&file, t("verify.file_name"), rep.FileName, false)
	if rep.Size > 0 {
		add(&file, t("verify.size"), v.Size(rep.Size), false)
	}
	add(&file, "SHA-256", rep.SHA256, true)
	if o := rep.Original; o != nil {
		add(&file, t("verify.original"), o.Name, false)
		add(&file, t("verify.original")+" · SHA-256", o.SHA256, true)
	}
	add(&file, t("verify.report_checked_at"), v.Date(rep.CheckedAt), false)
	out.Sections = append(out.Sections, file)
	for _, d := range rep.Documents {
		s := pdf.ReportSection{Heading: t("verify.document")}
		add(&s, t("verify.doc_name"), d.Title, false)
		add(&s, t("verify.organization"), d.Organization, false)
		add(&s, t("verify.completed"), v.Date(d.CompletedAt), false)
		add(&s, t("verify.report_link"), d.VerifyURL, true)
		for _, sg := range d.Signers {
			s.Rows = append(s.Rows, pdf.ReportRow{Label: sg.Name, Value: v.Indication(sg.Result, "").Text + " · " +
				t("doc.sig."+sg.Method) + " · " + v.Date(sg.SignedAt), Result: sg.Result})
		}
		out.Sections = append(out.Sections, s)
	}
	if sl := rep.Seal; sl != nil {
		s := pdf.ReportSection{Heading: t("verify.seal")}
		s.Rows = append(s.Rows, pdf.ReportRow{Label: t("verify.report_result"), Value: v.Indication(sl.Indication, "").Text, Result: sl.Indication})
		if sl.Indication == verify.Passed {
			add(&s, "", t("verify.seal_ok"), false)
		} else {
			add(&s, "", v.Reason(sl.Reason, sl.Message), false)
		}
		add(&s, t("verify.seal_by"), sl.Signer, false)
		if !sl.SignedAt.IsZero() {
			add(&s, t("verify.sealed_at"), v.Date(sl.SignedAt), false)
		}
		if !sl.Timestamp.IsZero() {
			add(&s, t("verify.timestamp"), v.Date(sl.Timestamp), false)
		}
		out.Sections = append(out.Sections, s)
	}
	for _, sg := range rep.Signatures {
		s := pdf.ReportSection{Heading: t("verify.signature_of", "name", cmp.Or(sg.Signer, t("verify.unknown_signer")))}
		ib := v.Indication(sg.Indication, sg.SubIndication)
		s.Rows = append(s.Rows, pdf.ReportRow{Label: t("verify.report_result"), Value: ib.Text, Result: sg.Indication})
		add(&s, "", ib.Note, false)
		add(&s, t("verify.organization"), sg.Organization, false)
		if !sg.SigningTime.IsZero() {
			add(&s, t("doc.sig_time"), v.Date(sg.SigningTime), false)
		}
		add(&s, t("cert.serial"), sg.Serial, true)
		add(&s, t("cert.issuer"), sg.Issuer, false)
		if !sg.NotAfter.IsZero() {
			add(&s, t("verify.validity"), v.Date(sg.NotBefore)+" — "+v.Date(sg.NotAfter), false)
		}
		add(&s, t("cert.algorithm"), sg.KeyAlgorithm, false)
		out.Sections = append(out.Sections, s)
	}
	var buf bytes.Buffer
	if err := out.Render(&buf); err != nil {
		return nil, err
	}
	return w.svc.SealPDF(ctx, buf.Bytes())
}
