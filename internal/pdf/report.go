package pdf

import (
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/go-fonts/dejavu/dejavusans"
	"github.com/go-fonts/dejavu/dejavusansbold"
	"github.com/go-fonts/dejavu/dejavusansmono"
	"github.com/go-pdf/fpdf"
)

// Report is a verification report as a PDF: what was checked, when, and
// the result. Its texts come translated from the caller, which knows the
// reader's language.
type Report struct {
	Title     string // e.g. "Verification report"
	Subtitle  string // e.g. the site and the time of the check
	Result    string // "passed", "indeterminate" or "failed": the banner's colour
	Verdict   string // the result in words, e.g. "Verified"
	Summary   string // a sentence under the verdict
	Sections  []ReportSection
	Footer    string // printed at the bottom of every page, e.g. "page {n} of {nb}" is added after it
	PageLabel string // "Page %d of %s"
	CheckedAt time.Time
}

// ReportSection is a heading with label–value rows.
type ReportSection struct {
	Heading string
	Rows    []ReportRow
}

// ReportRow is one fact; Mono sets hashes and serials in a fixed font, and
// Result colours a verification outcome.
type ReportRow struct {
	Label, Value string
	Mono         bool
	Result       string // "passed", "indeterminate", "failed" or ""
}

// Render writes the report.
func (r *Report) Render(w io.Writer) error {
	if r.Title == "" || r.Verdict == "" {
		return errors.New("pdf: a report needs a title and a verdict")
	}
	p := fpdf.New("P", "mm", "A4", "")
	p.SetMargins(margin, margin, margin)
	p.SetAutoPageBreak(true, margin+footerH)
	p.AddUTF8FontFromBytes("DejaVu", "", dejavusans.TTF)
	p.AddUTF8FontFromBytes("DejaVu", "B", dejavusansbold.TTF)
	p.AddUTF8FontFromBytes("DejaVuMono", "", dejavusansmono.TTF)
	p.SetCompression(true)
	p.SetCatalogSort(true)
	p.SetCreationDate(r.CheckedAt)
	p.SetModificationDate(r.CheckedAt)
	p.SetTitle(r.Title, true)
	p.SetCreator("Paraph", true)
	p.AliasNbPages("{nb}")
	pageLabel := r.PageLabel
	if pageLabel == "" {
		pageLabel = "%d / %s"
	}
	p.SetFooterFunc(func() {
		p.SetY(pageH - margin - footerH + 4)
		p.SetFont("DejaVu", "", 7)
		p.SetTextColor(110, 110, 110)
		p.CellFormat(contentW*0.75, 4, r.Footer, "", 0, "L", false, 0, "")
		p.CellFormat(contentW*0.25, 4, fmt.Sprintf(pageLabel, p.PageNo(), "{nb}"), "", 0, "R", false, 0, "")
		p.SetTextColor(0, 0, 0)
	})
	p.AddPage()

	p.SetFont("DejaVu", "B", 16)
	p.MultiCell(contentW, 8, r.Title, "", "L", false)
	if r.Subtitle != "" {
		p.SetFont("DejaVu", "", fontSmall)
		p.SetTextColor(90, 90, 90)
		p.MultiCell(contentW, 4.2, r.Subtitle, "", "L", false)
		p.SetTextColor(0, 0, 0)
	}
	p.Ln(4)

	// The verdict: a coloured band with the result in words.
	fill, ink := resultColours(r.Result)
	p.SetFillColor(fill[0], fill[1], fill[2])
	p.SetTextColor(ink[0], ink[1], ink[2])
	p.SetFont("DejaVu", "B", 13)
	p.CellFormat(contentW, 10, "  "+r.Verdict, "", 1, "L", true, 0, "")
	if r.Summary != "" {
		p.SetFont("DejaVu", "", fontBody)
		p.MultiCell(contentW, lineH+0.4, "  "+r.Summary, "", "L", true)
	}
	p.SetTextColor(0, 0, 0)
	p.Ln(5)

	const labelW = 55.0
	for _, s := range r.Sections {
		if p.GetY() > pageH-margin-footerH-25 {
			p.AddPage()
		}
		p.SetFont("DejaVu", "B", 11)
		p.CellFormat(contentW, 7, s.Heading, "B", 1, "L", false, 0, "")
		p.Ln(1.5)
		for _, row := range s.Rows {
			p.SetFont("DejaVu", "", fontSmall)
			p.SetTextColor(90, 90, 90)
			y := p.GetY()
			labelLines := p.SplitText(row.Label, labelW-2)
			font, size := "DejaVu", fontBody
			if row.Mono {
				font, size = "DejaVuMono", fontSmall
			}
			p.SetFont(font, "", size)
			valueLines := p.SplitText(row.Value, contentW-labelW)
			h := float64(max(len(labelLines), len(valueLines), 1)) * lineH
			if y+h > pageH-margin-footerH {
				p.AddPage()
				y = p.GetY()
			}
			p.SetFont("DejaVu", "", fontSmall)
			p.SetXY(margin, y)
			p.MultiCell(labelW-2, lineH, row.Label, "", "L", false)
			p.SetXY(margin+labelW, y)
			if row.Result != "" {
				_, c := resultColours(row.Result)
				p.SetTextColor(c[0], c[1], c[2])
				font = "DejaVu"
				p.SetFont(font, "B", size)
			} else {
				p.SetTextColor(0, 0, 0)
				p.SetFont(font, "", size)
			}
			p.MultiCell(contentW-labelW, lineH, row.Value, "", "L", false)
			p.SetTextColor(0, 0, 0)
			p.SetY(y + h + 0.8)
		}
		p.Ln(3)
	}
	if err := p.Error(); err != nil {
		return fmt.Errorf("pdf: render the report: %w", err)
	}
	if err := p.Output(w); err != nil {
		return fmt.Errorf("pdf: write the report: %w", err)
	}
	return nil
}

// resultColours gives a result's background and ink.
func resultColours(result string) (fill, ink [3]int) {
	switch result {
	case "passed":
		return [3]int{225, 243, 230}, [3]int{22, 110, 52}
	case "indeterminate":
		return [3]int{255, 244, 214}, [3]int{122, 82, 0}
	default:
		return [3]int{252, 228, 228}, [3]int{170, 30, 30}
	}
}
