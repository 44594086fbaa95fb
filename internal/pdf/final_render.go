package pdf

import (
	"bytes"
	"fmt"
	"image"
	_ "image/jpeg" // signature images may be JPEG
	"image/png"
	"strconv"
	"strings"
	"unicode"

	"github.com/go-fonts/dejavu/dejavusans"
	"github.com/go-fonts/dejavu/dejavusansbold"
	"github.com/go-fonts/dejavu/dejavusansmono"
	"github.com/go-pdf/fpdf"
	"github.com/pdfcpu/pdfcpu/pkg/pdfcpu/model"
)

// finalDoc is the fpdf document of the pages a final PDF adds: first an
// overlay page for each original page that takes stamps (drawn over that
// page later, never shown alone), then pages with the stamps the last page
// had no room for, then the protocol.
type finalDoc struct {
	f            *Final
	t            *finalWords
	pdf          *fpdf.Fpdf
	protocolFrom int            // fpdf page number of the protocol's first page
	images       map[int]string // fpdf image names of signer i's image (2i) and stamp (2i+1)
}

// render builds the final PDF's bytes; f is valid. A PDF original is
// stamped when it can be; when it cannot (another format, a damaged or
// encrypted PDF, or anything pdfcpu fails at while changing it), the
// protocol alone carries the original as an attachment, so a completed
// document always gets its final PDF.
func (f *Final) render() ([]byte, error) {
	if f.isPDF() {
		if b, err := f.renderStamped(); err == nil {
			return b, nil
		}
	}
	d, err := f.renderPages(nil)
	if err != nil {
		return nil, err
	}
	ctx, err := readRendered(d)
	if err != nil {
		return nil, err
	}
	return f.finish(ctx)
}

// renderStamped builds the final PDF on the original's pages. Any panic of
// pdfcpu on the original's objects is an error here.
func (f *Final) renderStamped() (b []byte, err error) {
	defer func() {
		if r := recover(); r != nil {
			b, err = nil, fmt.Errorf("%w: panic: %v", errUnreadable, r)
		}
	}()
	orig, err := readOriginal(f.Original)
	if err != nil {
		return nil, err
	}
	var placed []int
	for _, s := range f.Signers {
		if s.Place != nil {
			placed = append(placed, s.Place.Page)
		}
	}
	geo, err := pages(orig, placed)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", errUnreadable, err)
	}
	var overlays []int // the original page of each overlay page, in order
	rendered, err := f.renderPages(func(d *finalDoc) { overlays = d.stamps(geo) })
	if err != nil {
		return nil, err
	}
	src, err := readRendered(rendered)
	if err != nil {
		return nil, err
	}
	c := newCopier(src, orig)
	for i, pg := range overlays {
		if err := c.stampOnto(i+1, pg, geo[pg-1].matrix()); err != nil {
			return nil, fmt.Errorf("stamp page %d: %w", pg, err)
		}
	}
	for p := len(overlays) + 1; p <= src.PageCount; p++ {
		if err := c.appendPage(p); err != nil {
			return nil, fmt.Errorf("append page: %w", err)
		}
	}
	if err := dropAttachments(orig); err != nil {
		return nil, fmt.Errorf("attachments of the original: %w", err)
	}
	return f.finish(orig)
}

// renderPages renders with fpdf what stamps draws (nothing when nil),
// then the protocol.
func (f *Final) renderPages(stamps func(*finalDoc)) ([]byte, error) {
	d := &finalDoc{f: f, t: finalTexts[f.Lang]}
	d.setup()
	d.registerImages()
	if stamps != nil {
		stamps(d)
	}
	d.protocol()
	var buf bytes.Buffer
	if err := d.pdf.Output(&buf); err != nil {
		return nil, fmt.Errorf("render: %w", err)
	}
	return buf.Bytes(), nil
}

// finish attaches the files and writes the result.
func (f *Final) finish(ctx *model.Context) ([]byte, error) {
	if err := attach(ctx, f.attachments(), f.CompletedAt); err != nil {
		return nil, err
	}
	b, err := writeCanonical(ctx, f.CompletedAt)
	if err != nil {
		return nil, fmt.Errorf("write: %w", err)
	}
	return b, nil
}

// attachments are the files the final PDF carries: the original first.
func (f *Final) attachments() []Attachment {
	t := finalTexts[f.Lang]
	files := []Attachment{{Name: f.FileName, Description: t.file, Data: f.Original}}
	return append(files, f.Signatures...)
}

func (d *finalDoc) setup() {
	p := fpdf.New("P", "mm", "A4", "")
	d.pdf = p
	p.SetMargins(margin, margin, margin)
	p.SetAutoPageBreak(false, margin+footerH) // breaks are placed by hand
	p.AddUTF8FontFromBytes("DejaVu", "", dejavusans.TTF)
	p.AddUTF8FontFromBytes("DejaVu", "B", dejavusansbold.TTF)
	p.AddUTF8FontFromBytes("DejaVuMono", "", dejavusansmono.TTF)
	p.SetCompression(true)
	p.SetCatalogSort(true)
	p.SetCreationDate(d.f.CompletedAt.UTC())
	p.SetModificationDate(d.f.CompletedAt.UTC())
	p.SetTitle(clean(d.f.Title), true)
	p.SetSubject(d.t.protocol+" "+d.t.protocolSub, true)
	p.SetCreator("Paraph", true)
	p.SetAuthor(clean(d.f.Organization), true)
	p.SetFooterFunc(d.footer)
}

// registerImages adds the signers' images to the document once each, so a
// stamp and the protocol can both show them. PNGs that fpdf cannot embed
// as they are (16-bit, interlaced) are re-encoded first.
func (d *finalDoc) registerImages() {
	d.images = map[int]string{}
	for i, s := range d.f.Signers {
		for j, data := range [][]byte{s.Image, s.Stamp} {
			if data == nil {
				continue
			}
			kind := imageType(data)
			if kind == "png" && !fpdfPNG(data) {
				img, err := png.Decode(bytes.NewReader(data))
				if err != nil {
					continue // Validate decoded it; nothing to show if not
				}
				var buf bytes.Buffer
				if err := (&png.Encoder{CompressionLevel: png.BestSpeed}).Encode(&buf, img); err != nil {
					continue
				}
				data = buf.Bytes()
			}
			name := "signer" + strconv.Itoa(i) + "-" + strconv.Itoa(j)
			d.pdf.RegisterImageOptionsReader(name, fpdf.ImageOptions{ImageType: kind}, bytes.NewReader(data))
			d.images[2*i+j] = name
		}
	}
}

// fpdfPNG tells whether fpdf embeds the PNG as it is: 8 bits or fewer per
// channel, not interlaced.
func fpdfPNG(b []byte) bool {
	// IHDR follows the signature: length, type, width, height, then bit
	// depth (byte 24) and, after colour type, compression and filter, the
	// interlace method (byte 28).
	return len(b) > 28 && string(b[12:16]) == "IHDR" && b[24] <= 8 && b[28] == 0
}

// checkImage tells whether b decodes as a PNG or JPEG image.
func checkImage(b []byte) error {
	_, _, err := image.DecodeConfig(bytes.NewReader(b))
	return err
}

// image returns the fpdf name of signer i's image (j=0) or stamp (j=1).
func (d *finalDoc) image(i, j int) string { return d.images[2*i+j] }

// drawImage fits a registered image into the w×h box at x, y, centred.
func (d *finalDoc) drawImage(name string, x, y, w, h float64) {
	info := d.pdf.GetImageInfo(name)
	if info == nil || info.Width() <= 0 || info.Height() <= 0 {
		return
	}
	iw, ih := w, w*info.Height()/info.Width()
	if ih > h {
		iw, ih = h*info.Width()/info.Height(), h
	}
	d.pdf.ImageOptions(name, x+(w-iw)/2, y+(h-ih)/2, iw, ih, false, fpdf.ImageOptions{}, 0, "")
}

func (d *finalDoc) footer() {
	p := d.pdf
	if d.protocolFrom == 0 || p.PageNo() < d.protocolFrom {
		return
	}
	y := pageH - margin - footerH + 4
	p.SetDrawColor(200, 205, 215)
	p.SetLineWidth(0.2)
	p.Line(margin, y-1, pageW-margin, y-1)
	p.SetY(y)
	p.SetFont("DejaVu", "", 7)
	p.SetTextColor(110, 110, 110)
	p.CellFormat(contentW*0.7, 4, d.t.protocol+" · "+clean(d.f.DocumentID), "", 0, "L", false, 0, "")
	p.CellFormat(contentW*0.3, 4, fmt.Sprintf(d.t.page, p.PageNo()-d.protocolFrom+1, "{np}"), "", 0, "R", false, 0, "")
	p.SetTextColor(0, 0, 0)
}

// clean makes outside text safe for fpdf: control characters become
// spaces (line breaks are kept) and characters outside the Basic
// Multilingual Plane, which fpdf's UTF-8 fonts cannot index, become U+FFFD.
func clean(s string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case r == '\n':
			return r
		case r == '\t' || r == '\r' || unicode.IsControl(r):
			return ' '
		case r > 0xFFFF:
			return '\uFFFD'
		}
		return r
	}, s)
}

// fit splits text to lines of width w in the current font, at most max
// lines; a cut last line ends with "…".
func (d *finalDoc) fit(text string, w float64, max int) []string {
	lines := d.pdf.SplitText(clean(text), w)
	if len(lines) == 0 {
		return []string{""}
	}
	if max > 0 && len(lines) > max {
		lines = lines[:max]
		last := []rune(lines[max-1])
		for len(last) > 0 && d.pdf.GetStringWidth(string(last)+"…") > w-2*d.pdf.GetCellMargin() {
			last = last[:len(last)-1]
		}
		lines[max-1] = strings.TrimRight(string(last), " ") + "…"
	}
	return lines
}
