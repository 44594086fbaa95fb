package pdf

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/go-pdf/fpdf"
	"rsc.io/qr"
)

// The protocol's geometry, mm, on A4 with the act's margins.
const (
	qrSize      = 32.0 // the QR code, its quiet zone included
	qrColumn    = qrSize + 8
	protoLabelW = 38.0
	cardLabelW  = 31.0
	cardGap     = 6.0
	cardHeadH   = 7.5
	cardLine    = 4.0 // a card's value line, 8.5 pt
	// Values longer than these many lines are cut with "…", so that
	// no block outgrows a page: the protocol states facts of a few words,
	// and the full values are in the attached files and the service.
	maxDetailLines = 8
	maxCardLines   = 6
	maxFieldLines  = 30
)

var (
	colorPassed        = [3]int{22, 120, 64}
	colorIndeterminate = [3]int{176, 110, 0}
	colorFailed        = [3]int{186, 32, 32}
	colorLabel         = [3]int{105, 112, 125}
	colorBand          = [3]int{236, 240, 247}
)

// qrCode encodes the verification link at level M: it still reads with
// part of the code smudged or folded, and stays small for a link.
func qrCode(url string) (*qr.Code, error) { return qr.Encode(url, qr.M) }

// protocol renders the signing protocol on pages of its own.
func (d *finalDoc) protocol() {
	p, t, f := d.pdf, d.t, d.f
	p.AddPageFormat("P", fpdf.SizeType{Wd: pageW, Ht: pageH})
	d.protocolFrom = p.PageNo()

	d.qrBlock()
	p.SetXY(margin, margin)
	p.SetFont("DejaVu", "B", 16)
	p.CellFormat(contentW-qrColumn, 8, t.protocol, "", 2, "L", false, 0, "")
	p.SetFont("DejaVu", "", 10.5)
	p.SetTextColor(colorLabel[0], colorLabel[1], colorLabel[2])
	p.CellFormat(contentW-qrColumn, 5.5, t.protocolSub, "", 2, "L", false, 0, "")
	p.SetTextColor(0, 0, 0)
	p.Ln(4)

	w := contentW - qrColumn
	d.detail(w, t.document, f.Title, "B")
	d.detail(w, t.number, t.numberAndDate(f.Number, f.Date), "")
	d.detail(w, t.sender, f.Organization, "")
	d.detail(w, t.documentID, f.DocumentID, "")
	file := f.FileName + " · " + groupDigits(len(f.Original)) + " " + t.bytes
	if f.ContentType != "" {
		file += "\n" + f.ContentType
	}
	d.detail(w, t.file, file, "")
	sum := strings.ToLower(strings.TrimSpace(f.SHA256))
	d.detail(w, t.sha256, sum[:32]+"\n"+sum[32:], "mono")
	d.detail(w, t.completed, t.time(f.CompletedAt), "")
	p.SetY(max(p.GetY(), margin+qrSize+22))

	p.Ln(1)
	p.SetFont("DejaVu", "", 7.5)
	p.SetTextColor(colorLabel[0], colorLabel[1], colorLabel[2])
	note := fmt.Sprintf(t.attachedOriginal, f.FileName)
	if len(f.Signatures) > 0 {
		note = fmt.Sprintf(t.attachments, f.FileName, len(f.Signatures))
	}
	for _, l := range d.fit(note, contentW, 4) {
		p.CellFormat(contentW, 3.6, l, "", 2, "L", false, 0, "")
	}
	p.SetTextColor(0, 0, 0)

	p.Ln(5)
	d.ensure(8 + cardHeadH + 4*cardLine)
	p.SetFont("DejaVu", "B", 12)
	p.CellFormat(contentW, 7, t.signatures+" ("+strconv.Itoa(len(f.Signers))+")", "", 2, "L", false, 0, "")
	y := p.GetY() + 0.5
	p.SetLineWidth(0.4)
	p.Line(margin, y, pageW-margin, y)
	p.SetLineWidth(0.2)
	p.SetY(y + 3)
	for i := range f.Signers {
		d.card(i)
	}
	p.RegisterAlias("{np}", strconv.Itoa(p.PageNo()-d.protocolFrom+1))
}

// bottom is the lowest y the protocol's content may reach.
func (d *finalDoc) bottom() float64 { return pageH - margin - footerH }

// ensure starts a new protocol page unless h mm fit below.
func (d *finalDoc) ensure(h float64) {
	if d.pdf.GetY()+h <= d.bottom() {
		return
	}
	d.pdf.AddPageFormat("P", fpdf.SizeType{Wd: pageW, Ht: pageH})
	d.pdf.SetXY(margin, margin)
}

// detail writes one "label: value" line of the document's details in a
// column of width w; style "B" is bold, "mono" a monospaced value.
func (d *finalDoc) detail(w float64, label, value, style string) {
	if strings.TrimSpace(value) == "" {
		return
	}
	p := d.pdf
	family, st, size := "DejaVu", style, fontBody
	if style == "mono" {
		family, st, size = "DejaVuMono", "", 8.5
	}
	p.SetFont(family, st, size)
	lines := d.fit(value, w-protoLabelW, maxDetailLines)
	d.ensure(float64(len(lines))*lineH + 1.2)
	y := p.GetY()
	p.SetFont("DejaVu", "", fontSmall)
	p.SetTextColor(colorLabel[0], colorLabel[1], colorLabel[2])
	p.SetXY(margin, y+0.3)
	p.CellFormat(protoLabelW, lineH, label, "", 0, "L", false, 0, "")
	p.SetTextColor(0, 0, 0)
	p.SetFont(family, st, size)
	for i, l := range lines {
		p.SetXY(margin+protoLabelW, y+float64(i)*lineH)
		p.CellFormat(w-protoLabelW, lineH, l, "", 0, "L", false, 0, "")
	}
	p.SetXY(margin, y+float64(len(lines))*lineH+1.2)
}

// qrBlock draws the QR code of the verification link at the top right,
// the link printed under it, both clickable.
func (d *finalDoc) qrBlock() {
	p, t := d.pdf, d.t
	x, y := pageW-margin-qrSize, margin
	p.SetFont("DejaVu", "B", 7.5)
	p.SetXY(x, y)
	p.CellFormat(qrSize, 4, t.verify, "", 0, "C", false, 0, "")
	y += 4.5
	code, err := qrCode(d.f.VerifyURL)
	if err != nil { // Validate encoded it
		p.SetError(fmt.Errorf("QR code: %w", err))
		return
	}
	drawQR(p, code, x, y, qrSize)
	p.LinkString(x, y, qrSize, qrSize, d.f.VerifyURL)
	y += qrSize + 0.5
	p.SetFont("DejaVu", "", 5.8)
	p.SetTextColor(40, 60, 130)
	lines := d.fit(d.f.VerifyURL, qrSize+6, 6)
	for i, l := range lines {
		p.SetXY(x-3, y+float64(i)*2.6)
		p.CellFormat(qrSize+6, 2.6, l, "", 0, "C", false, 0, "")
	}
	p.LinkString(x-3, y, qrSize+6, float64(len(lines))*2.6, d.f.VerifyURL)
	p.SetTextColor(0, 0, 0)
}

// drawQR draws code as filled squares in a size×size box at x, y, with a
// quiet zone of two modules. Each row's dark runs become rectangles of one
// path, filled once, so that viewers show no seams between modules.
func drawQR(p *fpdf.Fpdf, code *qr.Code, x, y, size float64) {
	const quiet = 2
	m := size / float64(code.Size+2*quiet)
	k := p.GetConversionRatio()
	_, ph := p.GetPageSize()
	p.SetFillColor(0, 0, 0)
	var b strings.Builder
	for row := range code.Size {
		for col := 0; col < code.Size; {
			if !code.Black(col, row) {
				col++
				continue
			}
			run := col
			for run < code.Size && code.Black(run, row) {
				run++
			}
			rx := x + float64(quiet+col)*m
			ry := y + float64(quiet+row)*m
			fmt.Fprintf(&b, "%.3f %.3f %.3f %.3f re\n", rx*k, (ph-ry)*k, float64(run-col)*m*k, -m*k)
			col = run
		}
	}
	b.WriteString("f\n")
	p.RawWriteStr(b.String())
}

// cardRow is one "label: value" line of a signer's card.
type cardRow struct {
	label string
	lines []string
}

// card writes signer i's block: a band with the name and the result, then
// two columns (the signature; the certificate or the code's evidence and
// the images), then the fields the signer filled in.
func (d *finalDoc) card(i int) {
	p, t := d.pdf, d.t
	s := &d.f.Signers[i]
	colW := (contentW - cardGap) / 2
	valueW := colW - cardLabelW
	p.SetFont("DejaVu", "", 8.5)
	rows := func(pairs ...string) []cardRow {
		var out []cardRow
		for j := 0; j < len(pairs); j += 2 {
			if strings.TrimSpace(pairs[j+1]) != "" {
				out = append(out, cardRow{pairs[j], d.fit(pairs[j+1], valueW, maxCardLines)})
			}
		}
		return out
	}
	left := rows(t.position, s.Position, t.organization, s.Organization, t.method, t.methods[s.Method],
		t.signedAt, t.time(s.SignedAt))
	if s.SubIndication != "" {
		// The band shows the result; the reason needs a row of its own.
		left = append(left, rows(t.result, t.outcome(s))...)
	}
	var right []cardRow
	if s.Method == "qualified" {
		right = rows(t.cert, s.CertSerial, t.issuer, s.CertIssuer, t.validity, t.period(s.CertNotBefore, s.CertNotAfter),
			t.keyAlgorithm, s.KeyAlgorithm, t.poa, s.POANumber)
	} else {
		right = rows(t.channel, t.code(s), t.ip, s.IP)
	}
	sig, seal := d.image(i, 0), d.image(i, 1)
	imagesLabel := t.signatureImage
	imagesH := 0.0
	switch {
	case sig != "" && seal != "":
		imagesLabel, imagesH = t.signatureImage+", "+strings.ToLower(t.stampImage), 24
	case seal != "":
		imagesLabel, imagesH = t.stampImage, 24
	case sig != "":
		imagesH = 16
	}
	height := func(rs []cardRow) float64 {
		h := 0.0
		for _, r := range rs {
			h += float64(len(r.lines))*cardLine + 0.8
		}
		return h
	}
	bodyH := max(height(left), height(right)+imagesH+cond(imagesH > 0, 2.0, 0))
	d.ensure(cardHeadH + 2 + bodyH + 2)

	// the band: number and name, the result on the right
	y := p.GetY()
	p.SetFillColor(colorBand[0], colorBand[1], colorBand[2])
	p.Rect(margin, y, contentW, cardHeadH, "F")
	resultColor := map[string][3]int{"passed": colorPassed, "indeterminate": colorIndeterminate, "failed": colorFailed}[s.Result]
	mark := map[string]string{"passed": "✓ ", "indeterminate": "? ", "failed": "✗ "}[s.Result]
	p.SetFont("DejaVu", "B", 8.5)
	result := mark + t.results[s.Result]
	resultW := p.GetStringWidth(result) + 4
	p.SetFont("DejaVu", "B", 10)
	name := d.fit(strconv.Itoa(i+1)+". "+s.Name, contentW-resultW-2, 1)[0]
	p.SetXY(margin+1, y)
	p.CellFormat(contentW-resultW-2, cardHeadH, name, "", 0, "L", false, 0, "")
	p.SetFont("DejaVu", "B", 8.5)
	p.SetTextColor(resultColor[0], resultColor[1], resultColor[2])
	p.SetXY(pageW-margin-resultW-1, y)
	p.CellFormat(resultW, cardHeadH, result, "", 0, "R", false, 0, "")
	p.SetTextColor(0, 0, 0)

	top := y + cardHeadH + 2
	d.cardColumn(margin, top, left, valueW)
	ry := d.cardColumn(margin+colW+cardGap, top, right, valueW)
	if imagesH > 0 {
		ix, iy := margin+colW+cardGap, ry+1
		p.SetFont("DejaVu", "", 7)
		p.SetTextColor(colorLabel[0], colorLabel[1], colorLabel[2])
		p.SetXY(ix, iy+0.2)
		p.CellFormat(cardLabelW, cardLine, imagesLabel, "", 0, "L", false, 0, "")
		p.SetTextColor(0, 0, 0)
		ix += cardLabelW
		if sig != "" {
			d.drawImage(sig, ix, iy, 32, 16)
			ix += 34
		}
		if seal != "" {
			d.drawImage(seal, ix, iy, 22, 22)
		}
	}
	p.SetXY(margin, top+bodyH)

	if len(s.Fields) > 0 {
		p.SetFont("DejaVu", "B", 8)
		d.ensure(5 + cardLine)
		p.SetX(margin)
		p.CellFormat(contentW, 5, t.fields, "", 2, "L", false, 0, "")
		labelW := 60.0
		for _, fl := range s.Fields {
			p.SetFont("DejaVu", "", 8.5)
			lines := d.fit(fl.Value, contentW-labelW, maxFieldLines)
			p.SetFont("DejaVu", "", 7.5)
			labels := d.fit(fl.Label, labelW, maxCardLines)
			h := float64(max(len(lines), len(labels)))*cardLine + 0.8
			d.ensure(h)
			fy := p.GetY()
			p.SetTextColor(colorLabel[0], colorLabel[1], colorLabel[2])
			for k, l := range labels {
				p.SetXY(margin, fy+float64(k)*cardLine)
				p.CellFormat(labelW, cardLine, l, "", 0, "L", false, 0, "")
			}
			p.SetTextColor(0, 0, 0)
			p.SetFont("DejaVu", "", 8.5)
			for k, l := range lines {
				p.SetXY(margin+labelW, fy+float64(k)*cardLine)
				p.CellFormat(contentW-labelW, cardLine, l, "", 0, "L", false, 0, "")
			}
			p.SetXY(margin, fy+h)
		}
	}
	p.SetY(p.GetY() + 4)
}

// cardColumn writes rows from x, y and returns the y below them.
func (d *finalDoc) cardColumn(x, y float64, rows []cardRow, valueW float64) float64 {
	p := d.pdf
	for _, r := range rows {
		p.SetFont("DejaVu", "", 7)
		p.SetTextColor(colorLabel[0], colorLabel[1], colorLabel[2])
		p.SetXY(x, y+0.2)
		p.CellFormat(cardLabelW, cardLine, r.label, "", 0, "L", false, 0, "")
		p.SetTextColor(0, 0, 0)
		p.SetFont("DejaVu", "", 8.5)
		for _, l := range r.lines {
			p.SetXY(x+cardLabelW, y)
			p.CellFormat(valueW, cardLine, l, "", 0, "L", false, 0, "")
			y += cardLine
		}
		y += 0.8
	}
	return y
}

func cond[T any](c bool, a, b T) T {
	if c {
		return a
	}
	return b
}

// groupDigits writes n with thin groups of three: "1 234 567".
func groupDigits(n int) string {
	s := strconv.Itoa(n)
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(' ')
		}
		b.WriteRune(c)
	}
	return b.String()
}
