package pdf

import (
	"cmp"
	"fmt"
	"math"
	"slices"

	"github.com/go-pdf/fpdf"
)

// A stamp is the box "ДОКУМЕНТ ПОДПИСАН ЭЛЕКТРОННОЙ ПОДПИСЬЮ" drawn on the
// original's page for each signature, the way Russian and Ukrainian
// documents show an electronic signature on paper. Sizes are millimetres.
const (
	stampW      = 80.0
	stampPad    = 2.0
	stampLabelW = 19.0
	stampLine   = 2.85 // a row's line, 6.5 pt text
	stampHeadH  = 3.1  // a heading line, 6.8 pt bold
	stampImageW = 23.0 // the column of a signer's images
	stampImageH = 18.0
	stampGap    = 4.0  // between stamps in a grid
	stampEdge   = 10.0 // from a page's edge to the stamps laid out on it
	// stampArea is the share of the last page, from the bottom, the
	// stamps without a place may take; the rest go to a page of their own.
	stampArea = 0.45
)

var (
	stampBlue  = [3]int{22, 62, 150}
	stampLabel = [3]int{88, 104, 140}
	stampInk   = [3]int{16, 30, 66}
)

type stamp struct {
	i       int // the signer's index
	s       *FinalSigner
	heading []string
	rows    []stampRow
	images  []string // fpdf image names: the drawn signature, the stamp
	h       float64  // natural height
}

type stampRow struct {
	label string
	lines []string
}

// newStamp measures signer i's stamp.
func (d *finalDoc) newStamp(i int) *stamp {
	p, t := d.pdf, d.t
	s := &d.f.Signers[i]
	st := &stamp{i: i, s: s}
	for j := range 2 {
		if name := d.image(i, j); name != "" {
			st.images = append(st.images, name)
		}
	}
	textW := stampW - 2*stampPad
	p.SetFont("DejaVu", "B", 6.8)
	st.heading = append(d.fit(t.stampTitle, textW, 1), d.fit(t.stampKinds[s.Method], textW, 2)...)
	valueW := textW - stampLabelW
	if len(st.images) > 0 {
		valueW -= stampImageW + 1
	}
	p.SetFont("DejaVu", "", 6.5)
	add := func(label, value string) {
		if value != "" {
			st.rows = append(st.rows, stampRow{label, d.fit(value, valueW, 3)})
		}
	}
	if s.Method == "qualified" {
		add(t.cert, s.CertSerial)
		add(t.stampOwner, s.Name)
	} else {
		add(t.stampSigner, s.Name)
	}
	add(t.position, s.Position)
	add(t.organization, s.Organization)
	if s.Method == "qualified" {
		add(t.validity, t.period(s.CertNotBefore, s.CertNotAfter))
		add(t.poa, s.POANumber)
	} else {
		add(t.stampCode, t.code(s))
	}
	add(t.stampSigned, t.time(s.SignedAt))
	lines := 0
	for _, r := range st.rows {
		lines += len(r.lines)
	}
	textH := stampPad + float64(len(st.heading))*stampHeadH + 1.6 + float64(lines)*stampLine + stampPad
	imagesH := 0.0
	if len(st.images) > 0 {
		imagesH = stampPad + float64(len(st.heading))*stampHeadH + 1.6 + stampImageH + stampPad
	}
	st.h = math.Max(textH, imagesH)
	return st
}

// draw draws the stamp with its top-left corner at x, y and height h.
func (d *finalDoc) drawStamp(st *stamp, x, y, h float64) {
	p := d.pdf
	// A light veil keeps the stamp readable where it falls on text,
	// without hiding that text.
	p.SetAlpha(0.85, "Normal")
	p.SetFillColor(255, 255, 255)
	p.RoundedRect(x, y, stampW, h, 1.6, "1234", "F")
	p.SetAlpha(1, "Normal")
	p.SetDrawColor(stampBlue[0], stampBlue[1], stampBlue[2])
	p.SetLineWidth(0.5)
	p.RoundedRect(x, y, stampW, h, 1.6, "1234", "D")
	p.SetLineWidth(0.15)
	p.RoundedRect(x+0.8, y+0.8, stampW-1.6, h-1.6, 1.1, "1234", "D")

	cy := y + stampPad
	p.SetFont("DejaVu", "B", 6.8)
	p.SetTextColor(stampBlue[0], stampBlue[1], stampBlue[2])
	for _, l := range st.heading {
		p.SetXY(x+stampPad, cy)
		p.CellFormat(stampW-2*stampPad, stampHeadH, l, "", 0, "C", false, 0, "")
		cy += stampHeadH
	}
	cy += 0.6
	p.Line(x+stampPad+1, cy, x+stampW-stampPad-1, cy)
	cy += 1.0
	top := cy
	for _, r := range st.rows {
		p.SetFont("DejaVu", "", 5.8)
		p.SetTextColor(stampLabel[0], stampLabel[1], stampLabel[2])
		p.SetXY(x+stampPad, cy)
		p.CellFormat(stampLabelW, stampLine, r.label+":", "", 0, "L", false, 0, "")
		p.SetFont("DejaVu", "", 6.5)
		p.SetTextColor(stampInk[0], stampInk[1], stampInk[2])
		for _, l := range r.lines {
			p.SetXY(x+stampPad+stampLabelW, cy)
			p.CellFormat(stampW-2*stampPad-stampLabelW, stampLine, l, "", 0, "L", false, 0, "")
			cy += stampLine
		}
	}
	if len(st.images) > 0 {
		// As on paper, the drawn signature lies over the stamp.
		ix := x + stampW - stampPad - stampImageW
		if len(st.images) == 1 {
			d.drawImage(st.images[0], ix, top, stampImageW, stampImageH)
		} else {
			d.drawImage(st.images[1], ix, top, stampImageW, stampImageH)
			d.drawImage(st.images[0], ix, top+stampImageH/4, stampImageW, stampImageH/2)
		}
	}
	p.SetTextColor(0, 0, 0)
	p.SetDrawColor(0, 0, 0)
	p.SetLineWidth(0.2)
}

// spot is where one stamp goes: page counts from 1 (0 for a page of
// stamps of its own, then extra numbers them), x and y from the top-left.
type spot struct {
	st         *stamp
	page       int
	extra      int
	x, y, h    float64
	fixedPlace bool
}

// layoutStamps decides where every stamp goes. A signer's Place is kept
// when it names a page and a point on it (moved inwards so the whole box
// shows); the other stamps line up in a grid along the bottom of the last
// page, clear of the placed ones, and those that do not fit there go on
// pages of their own after it.
func layoutStamps(stamps []*stamp, pages []page) []spot {
	var spots []spot
	var rest []*stamp
	for _, st := range stamps {
		pl := st.s.Place
		if pl == nil || pl.Page < 1 || pl.Page > len(pages) || pl.X < 0 || pl.Y < 0 {
			rest = append(rest, st)
			continue
		}
		pg := pages[pl.Page-1]
		if pl.X >= pg.w || pl.Y >= pg.h {
			rest = append(rest, st)
			continue
		}
		x := math.Max(0, math.Min(pl.X, pg.w-stampW))
		y := math.Max(0, math.Min(pl.Y, pg.h-st.h))
		spots = append(spots, spot{st: st, page: pl.Page, x: x, y: y, h: st.h, fixedPlace: true})
	}
	if len(rest) == 0 {
		return spots
	}
	rowH := 0.0
	for _, st := range rest {
		rowH = math.Max(rowH, st.h)
	}
	last := len(pages)
	lp := pages[last-1]
	var taken []spot
	for _, sp := range spots {
		if sp.page == last {
			taken = append(taken, sp)
		}
	}
	cells := bottomCells(lp.w, lp.h, rowH, len(rest), taken)
	for i, c := range cells {
		spots = append(spots, spot{st: rest[i], page: last, x: c[0], y: c[1], h: rowH})
	}
	rest = rest[len(cells):]
	// Pages of their own: A4, a heading, then rows from the top.
	cols := gridColumns(pageW)
	rows := max(1, int((pageH-2*margin-extraHeadH+stampGap)/(rowH+stampGap)))
	x0 := (pageW - gridWidth(cols)) / 2
	for i, st := range rest {
		n := i / (cols * rows)
		k := i % (cols * rows)
		x := x0 + float64(k%cols)*(stampW+stampGap)
		y := margin + extraHeadH + float64(k/cols)*(rowH+stampGap)
		spots = append(spots, spot{st: st, extra: n + 1, x: x, y: y, h: rowH})
	}
	return spots
}

// extraHeadH is the height of the heading of a page of stamps.
const extraHeadH = 14.0

func gridColumns(w float64) int { return int((w - 2*stampEdge + stampGap) / (stampW + stampGap)) }

func gridWidth(cols int) float64 { return float64(cols)*stampW + float64(cols-1)*stampGap }

// bottomCells returns up to n free cells of a grid along the bottom of a
// w×h page, rows of height rowH counted from the bottom, within stampArea
// of the page and clear of the taken spots; in reading order.
func bottomCells(w, h, rowH float64, n int, taken []spot) [][2]float64 {
	cols := gridColumns(w)
	rows := int((h*stampArea + stampGap) / (rowH + stampGap))
	if cols < 1 || rows < 1 {
		return nil
	}
	x0 := (w - gridWidth(cols)) / 2
	var cells [][2]float64
	for r := 0; r < rows && len(cells) < n; r++ {
		y := h - stampEdge - rowH - float64(r)*(rowH+stampGap)
		for c := range cols {
			x := x0 + float64(c)*(stampW+stampGap)
			free := true
			for _, t := range taken {
				if x < t.x+stampW+stampGap/2 && t.x < x+stampW+stampGap/2 && y < t.y+t.h+stampGap/2 && t.y < y+rowH+stampGap/2 {
					free = false
					break
				}
			}
			if free {
				cells = append(cells, [2]float64{x, y})
			}
		}
	}
	// The lowest rows were filled first; a reader starts at the top left.
	slices.SortFunc(cells, func(a, b [2]float64) int {
		return cmp.Or(cmp.Compare(a[1], b[1]), cmp.Compare(a[0], b[0]))
	})
	if len(cells) > n {
		// the top row is only partly needed: it keeps its first cells
		cells = trimTopRow(cells, n)
	}
	return cells
}

// trimTopRow drops cells of the top row, from its right end, until n remain.
func trimTopRow(cells [][2]float64, n int) [][2]float64 {
	top := cells[0][1]
	var row, others [][2]float64
	for _, c := range cells {
		if c[1] == top {
			row = append(row, c)
		} else {
			others = append(others, c)
		}
	}
	keep := n - len(others)
	return append(row[:keep], others...)
}

// stamps renders the overlay pages and the pages of stamps of their own,
// and returns the original page each overlay page belongs on, in order.
// spotsWhere returns the spots that match, in order.
func spotsWhere(spots []spot, match func(spot) bool) []spot {
	var out []spot
	for _, sp := range spots {
		if match(sp) {
			out = append(out, sp)
		}
	}
	return out
}

func (d *finalDoc) stamps(pages []page) []int {
	stamps := make([]*stamp, len(d.f.Signers))
	for i := range stamps {
		stamps[i] = d.newStamp(i)
	}
	spots := layoutStamps(stamps, pages)
	var overlays []int
	for pg := 1; pg <= len(pages); pg++ {
		on := spotsWhere(spots, func(sp spot) bool { return sp.page == pg })
		if len(on) == 0 {
			continue
		}
		d.pdf.AddPageFormat("P", fpdf.SizeType{Wd: pages[pg-1].w, Ht: pages[pg-1].h})
		for _, sp := range on {
			d.drawStamp(sp.st, sp.x, sp.y, sp.h)
		}
		overlays = append(overlays, pg)
	}
	for n := 1; ; n++ {
		on := spotsWhere(spots, func(sp spot) bool { return sp.extra == n })
		if len(on) == 0 {
			break
		}
		d.pdf.AddPageFormat("P", fpdf.SizeType{Wd: pageW, Ht: pageH})
		// The heading lines up with the grid of stamps under it.
		p := d.pdf
		x, w := (pageW-gridWidth(gridColumns(pageW)))/2, gridWidth(gridColumns(pageW))
		p.SetFont("DejaVu", "B", 11)
		for i, l := range d.fit(fmt.Sprintf(d.t.extraStamps, d.f.Title), w, 2) {
			p.SetXY(x-p.GetCellMargin(), margin+float64(i)*5.5)
			p.CellFormat(w, 5.5, l, "", 0, "L", false, 0, "")
		}
		for _, sp := range on {
			d.drawStamp(sp.st, sp.x, sp.y, sp.h)
		}
	}
	return overlays
}
