package pdf

import (
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/go-fonts/dejavu/dejavusans"
	"github.com/go-fonts/dejavu/dejavusansbold"
	"github.com/go-pdf/fpdf"

	"paraph"
)

// Page geometry, mm: A4 with 15 mm margins; the table's columns fill the
// 180 mm between them.
const (
	margin    = 15.0
	pageW     = 210.0
	pageH     = 297.0
	contentW  = pageW - 2*margin
	footerH   = 10.0
	lineH     = 4.6 // body text at 9.5 pt
	cellPad   = 1.2
	fontBody  = 9.5
	fontSmall = 8.0
)

// columns of the table: №, name, quantity, unit, price, amount.
var colW = [6]float64{9, 87, 18, 14, 26, 26}

// words are the act's fixed texts in each language.
type words struct {
	title, from, subtitle, yearSuffix      string
	months                                 [12]string
	contractor, customer, basis, place     string
	cols                                   [6]string
	total, vatIncl, noVAT, vat             string
	count                                  string // "Всего оказано услуг %d, на сумму %s %s"
	inWords, statement, comment            string
	sign, stamp, page                      string
	inn, kpp, ogrn, ogrnip, edrpou, rnokpp string
	account, bank                          string
}

var texts = map[string]*words{
	"ru": {
		title: "Акт № %s", from: "от", subtitle: "выполненных работ (оказанных услуг)", yearSuffix: "г.",
		months:     [12]string{"января", "февраля", "марта", "апреля", "мая", "июня", "июля", "августа", "сентября", "октября", "ноября", "декабря"},
		contractor: "Исполнитель", customer: "Заказчик", basis: "Основание", place: "Место составления",
		cols:  [6]string{"№", "Наименование работ, услуг", "Кол-во", "Ед.", "Цена", "Сумма"},
		total: "Итого:", vatIncl: "В т.ч. %s %d%%:", noVAT: "Без НДС", vat: "НДС",
		count:     "Всего оказано услуг %d, на сумму %s %s",
		inWords:   "Сумма прописью:",
		statement: "Вышеперечисленные услуги выполнены полностью и в срок. Заказчик претензий по объёму, качеству и срокам оказания услуг не имеет.",
		comment:   "Примечание",
		sign:      "подпись", stamp: "М.П.", page: "Стр. %d из %s",
		inn: "ИНН", kpp: "КПП", ogrn: "ОГРН", ogrnip: "ОГРНИП", edrpou: "ЕГРПОУ", rnokpp: "РНУКПН",
		account: "р/с", bank: "в",
	},
	"uk": {
		title: "Акт № %s", from: "від", subtitle: "виконаних робіт (наданих послуг)", yearSuffix: "р.",
		months:     [12]string{"січня", "лютого", "березня", "квітня", "травня", "червня", "липня", "серпня", "вересня", "жовтня", "листопада", "грудня"},
		contractor: "Виконавець", customer: "Замовник", basis: "Підстава", place: "Місце складання",
		cols:  [6]string{"№", "Найменування робіт, послуг", "Кільк.", "Од.", "Ціна", "Сума"},
		total: "Разом:", vatIncl: "У т.ч. %s %d%%:", noVAT: "Без ПДВ", vat: "ПДВ",
		count:     "Усього надано послуг %d, на суму %s %s",
		inWords:   "Сума прописом:",
		statement: "Вищезазначені послуги виконані повністю і в строк. Замовник претензій щодо обсягу, якості та строків надання послуг не має.",
		comment:   "Примітка",
		sign:      "підпис", stamp: "М.П.", page: "Стор. %d з %s",
		inn: "ІПН", kpp: "КПП", ogrn: "ОГРН", ogrnip: "ОГРНІП", edrpou: "ЄДРПОУ", rnokpp: "РНОКПП",
		account: "IBAN", bank: "в",
	},
}

// currencySign is the short currency name after amounts.
var currencySign = map[string]map[string]string{
	"ru": {"RUB": "руб.", "UAH": "грн", "BYN": "бел. руб.", "USD": "долл. США", "EUR": "евро"},
	"uk": {"RUB": "руб.", "UAH": "грн", "BYN": "біл. руб.", "USD": "дол. США", "EUR": "євро"},
}

// Render validates the act and writes it as a PDF to w. The output depends
// only on the act (the PDF's dates are the act's date), so the same act
// renders to the same bytes.
func (a *Act) Render(w io.Writer) error {
	if err := a.Validate(); err != nil {
		return err
	}
	r := &renderer{act: a, t: texts[a.Language], totals: a.Totals()}
	r.setup()
	r.header()
	r.parties()
	r.table()
	r.summary()
	r.signatures()
	if err := r.pdf.Error(); err != nil {
		return fmt.Errorf("pdf: render act %s: %w", a.Number, err)
	}
	if err := r.pdf.Output(w); err != nil {
		return fmt.Errorf("pdf: write act %s: %w", a.Number, err)
	}
	return nil
}

type renderer struct {
	act    *Act
	t      *words
	totals Totals
	pdf    *fpdf.Fpdf
}

func (r *renderer) setup() {
	p := fpdf.New("P", "mm", "A4", "")
	r.pdf = p
	p.SetMargins(margin, margin, margin)
	// Breaks are placed by hand (rows, totals and signatures stay whole), so
	// automatic breaks only guard against a single cell taller than a page.
	p.SetAutoPageBreak(false, margin+footerH)
	p.AddUTF8FontFromBytes("DejaVu", "", dejavusans.TTF)
	p.AddUTF8FontFromBytes("DejaVu", "B", dejavusansbold.TTF)
	p.SetCompression(true)
	p.SetCatalogSort(true)
	date := time.Date(r.act.Date.Year(), r.act.Date.Month(), r.act.Date.Day(), 0, 0, 0, 0, time.UTC)
	p.SetCreationDate(date)
	p.SetModificationDate(date)
	p.SetTitle(r.title()+" "+r.t.subtitle, true)
	p.SetCreator("Paraph", true)
	p.SetAuthor(r.act.Contractor.Name, true)
	p.AliasNbPages("{nb}")
	p.SetFooterFunc(func() {
		p.SetY(pageH - margin - footerH + 4)
		p.SetFont("DejaVu", "", 7)
		p.SetTextColor(110, 110, 110)
		p.CellFormat(contentW/2, 4, r.title(), "", 0, "L", false, 0, "")
		p.CellFormat(contentW/2, 4, fmt.Sprintf(r.t.page, p.PageNo(), "{nb}"), "", 0, "R", false, 0, "")
		p.SetTextColor(0, 0, 0)
	})
	p.AddPage()
}

func (r *renderer) title() string {
	d := r.act.Date
	return fmt.Sprintf(r.t.title, r.act.Number) + " " + r.t.from + " " +
		fmt.Sprintf("%d %s %d %s", d.Day(), r.t.months[d.Month()-1], d.Year(), r.t.yearSuffix)
}

// bottom is the lowest y content may reach on a page.
func (r *renderer) bottom() float64 { return pageH - margin - footerH }

// ensure starts a new page unless h mm fit below the current position.
func (r *renderer) ensure(h float64) bool {
	if r.pdf.GetY()+h <= r.bottom() {
		return false
	}
	r.pdf.AddPage()
	return true
}

func (r *renderer) header() {
	p := r.pdf
	p.SetFont("DejaVu", "B", 15)
	p.CellFormat(contentW, 8, r.title(), "", 1, "L", false, 0, "")
	p.SetFont("DejaVu", "", 10.5)
	p.CellFormat(contentW, 5.5, r.t.subtitle, "", 1, "L", false, 0, "")
	if r.act.Place != "" {
		p.SetFont("DejaVu", "", fontSmall)
		p.SetTextColor(90, 90, 90)
		p.CellFormat(contentW, 4.5, r.t.place+": "+r.act.Place, "", 1, "L", false, 0, "")
		p.SetTextColor(0, 0, 0)
	}
	y := p.GetY() + 1.5
	p.SetLineWidth(0.5)
	p.Line(margin, y, pageW-margin, y)
	p.SetLineWidth(0.2)
	p.SetY(y + 3)
}

func (r *renderer) parties() {
	r.labelled(r.t.contractor, r.partyText(&r.act.Contractor))
	r.labelled(r.t.customer, r.partyText(&r.act.Customer))
	if r.act.Basis != "" {
		r.labelled(r.t.basis, r.act.Basis)
	}
	r.pdf.Ln(2)
}

// labelled writes "Label:" in bold in a left column and wraps text beside it.
func (r *renderer) labelled(label, text string) {
	p := r.pdf
	const labelW = 28.0
	p.SetFont("DejaVu", "", fontBody)
	lines := p.SplitText(text, contentW-labelW)
	r.ensure(float64(len(lines))*lineH + 1.5)
	y := p.GetY()
	p.SetFont("DejaVu", "B", fontBody)
	p.CellFormat(labelW, lineH, label+":", "", 0, "L", false, 0, "")
	p.SetFont("DejaVu", "", fontBody)
	for i, l := range lines {
		p.SetXY(margin+labelW, y+float64(i)*lineH)
		p.CellFormat(contentW-labelW, lineH, l, "", 0, "L", false, 0, "")
	}
	p.SetXY(margin, y+float64(len(lines))*lineH+1.5)
}

// partyText is the party's line of details: name, identifiers, address, bank.
func (r *renderer) partyText(pt *Party) string {
	t := r.t
	parts := []string{pt.Name}
	add := func(label, v string) {
		if v = strings.TrimSpace(v); v != "" {
			parts = append(parts, label+" "+v)
		}
	}
	add(t.inn, pt.INN)
	add(t.kpp, pt.KPP)
	if len(strings.TrimSpace(pt.OGRN)) == 15 {
		add(t.ogrnip, pt.OGRN)
	} else {
		add(t.ogrn, pt.OGRN)
	}
	if len(strings.TrimSpace(pt.EDRPOU)) == 10 {
		add(t.rnokpp, pt.EDRPOU)
	} else {
		add(t.edrpou, pt.EDRPOU)
	}
	add("", pt.Address)
	switch {
	case pt.Account != "" && pt.Bank != "":
		parts = append(parts, t.account+" "+pt.Account+" "+t.bank+" "+pt.Bank)
	case pt.Account != "":
		add(t.account, pt.Account)
	case pt.Bank != "":
		add("", pt.Bank)
	}
	for i := range parts {
		parts[i] = strings.TrimSpace(parts[i])
	}
	return strings.Join(parts, ", ")
}

func (r *renderer) tableHeader() {
	p := r.pdf
	p.SetFont("DejaVu", "B", fontSmall)
	p.SetFillColor(232, 235, 240)
	cur := currencySign[r.act.Language][r.act.Currency]
	for i, c := range r.t.cols {
		if i >= 4 {
			c += ", " + cur
		}
		p.CellFormat(colW[i], 7, c, "1", 0, "C", true, 0, "")
	}
	p.Ln(-1)
}

func (r *renderer) table() {
	p := r.pdf
	r.ensure(7 + 2*lineH + 2*cellPad)
	r.tableHeader()
	p.SetFont("DejaVu", "", fontSmall+0.5)
	const rowLine = 4.0
	for i, l := range r.act.Lines {
		lt := r.totals.Lines[i]
		nameLines := p.SplitText(l.Name, colW[1]-2*cellPad)
		h := float64(len(nameLines))*rowLine + 2*cellPad
		// A row never splits: when it does not fit, the table continues on
		// a new page under a repeated header. The last row also takes the
		// totals with it, so they never stand alone on a page.
		need := h
		if i == len(r.act.Lines)-1 {
			need += r.summaryHeight()
		}
		if r.ensure(need) {
			r.tableHeader()
			p.SetFont("DejaVu", "", fontSmall+0.5)
		}
		x, y := p.GetX(), p.GetY()
		cells := []struct {
			text  string
			align string
		}{
			{strconv.Itoa(i + 1), "C"}, {"", "L"}, {lt.Quantity, "R"}, {l.Unit, "C"},
			{formatMoney(l.Price), "R"}, {formatMoney(lt.Amount), "R"},
		}
		cx := x
		for j, c := range cells {
			p.Rect(cx, y, colW[j], h, "D")
			if j == 1 {
				for k, nl := range nameLines {
					p.SetXY(cx+cellPad, y+cellPad+float64(k)*rowLine)
					p.CellFormat(colW[1]-2*cellPad, rowLine, nl, "", 0, "L", false, 0, "")
				}
			} else {
				p.SetXY(cx+cellPad, y+cellPad)
				p.CellFormat(colW[j]-2*cellPad, rowLine, c.text, "", 0, c.align, false, 0, "")
			}
			cx += colW[j]
		}
		p.SetXY(x, y+h)
	}
}

func (r *renderer) summary() {
	p := r.pdf
	t, tot := r.t, r.totals
	cur := currencySign[r.act.Language][r.act.Currency]
	rows := [][2]string{{t.total, formatMoney(tot.Total)}}
	if len(tot.ByRate) == 0 {
		rows = append(rows, [2]string{t.noVAT, "—"})
	}
	for _, rv := range tot.ByRate {
		rows = append(rows, [2]string{fmt.Sprintf(t.vatIncl, t.vat, rv.Rate), formatMoney(rv.VAT)})
	}
	words, err := paraph.AmountInWords(tot.Total, r.act.Currency, r.act.Language)
	if err != nil { // Validate bounds the total, so this is a bug
		p.SetError(fmt.Errorf("amount in words: %w", err))
		return
	}
	p.SetFont("DejaVu", "", fontBody)
	countText := fmt.Sprintf(t.count, len(r.act.Lines), formatMoney(tot.Total), cur)
	wordLines := p.SplitText(words, contentW)
	stmtLines := p.SplitText(t.statement, contentW)
	// The totals, the sum in words and the statement stay together (the
	// table made room for them under its last row).
	r.ensure(r.summaryHeight())

	p.Ln(1.5)
	for _, row := range rows {
		p.SetFont("DejaVu", "B", fontBody)
		p.SetX(margin + contentW - 26 - 60)
		p.CellFormat(60, 5.5, row[0], "", 0, "R", false, 0, "")
		p.CellFormat(26, 5.5, row[1], "", 1, "R", false, 0, "")
	}
	p.Ln(3)
	p.SetFont("DejaVu", "", fontBody)
	p.CellFormat(contentW, lineH, countText, "", 1, "L", false, 0, "")
	p.SetFont("DejaVu", "B", fontBody)
	for _, l := range wordLines {
		p.CellFormat(contentW, lineH, l, "", 1, "L", false, 0, "")
	}
	p.Ln(2)
	y := p.GetY()
	p.Line(margin, y, pageW-margin, y)
	p.Ln(2)
	p.SetFont("DejaVu", "", fontBody)
	for _, l := range stmtLines {
		p.CellFormat(contentW, lineH, l, "", 1, "L", false, 0, "")
	}
	if c := strings.TrimSpace(r.act.Comment); c != "" {
		p.Ln(2)
		r.labelled(t.comment, c)
	}
}

// summaryHeight is the height summary() takes before the comment: the
// totals rows, the count, the sum in words and the statement.
func (r *renderer) summaryHeight() float64 {
	p := r.pdf
	rows := max(1, len(r.totals.ByRate)) + 1
	words, _ := paraph.AmountInWords(r.totals.Total, r.act.Currency, r.act.Language)
	p.SetFont("DejaVu", "B", fontBody)
	wl := len(p.SplitText(words, contentW))
	p.SetFont("DejaVu", "", fontBody)
	sl := len(p.SplitText(r.t.statement, contentW))
	p.SetFont("DejaVu", "", fontSmall+0.5) // the table's font, which calls this mid-table
	return 1.5 + float64(rows)*5.5 + 3 + float64(1+wl+sl)*lineH + 4
}

func (r *renderer) signatures() {
	p := r.pdf
	const colGap = 10.0
	w := (contentW - colGap) / 2
	p.SetFont("DejaVu", "", fontBody)
	type block struct {
		label string
		lines []string
		party *Party
	}
	blocks := []block{{r.t.contractor, nil, &r.act.Contractor}, {r.t.customer, nil, &r.act.Customer}}
	maxLines := 0
	for i := range blocks {
		b := &blocks[i]
		if b.party.SignerPosition != "" {
			b.lines = append(b.lines, p.SplitText(b.party.SignerPosition, w)...)
		}
		b.lines = append(b.lines, p.SplitText(b.party.Name, w)...)
		maxLines = max(maxLines, len(b.lines))
	}
	const signH = 30.0 // the signature line, its caption and room for a stamp
	r.ensure(10 + 6 + float64(maxLines)*lineH + signH)
	p.Ln(10)
	top := p.GetY()
	for i, b := range blocks {
		x := margin + float64(i)*(w+colGap)
		p.SetXY(x, top)
		p.SetFont("DejaVu", "B", fontBody+1)
		p.CellFormat(w, 6, b.label, "", 2, "L", false, 0, "")
		p.SetFont("DejaVu", "", fontBody)
		for _, l := range b.lines {
			p.SetX(x)
			p.CellFormat(w, lineH, l, "", 2, "L", false, 0, "")
		}
		lineY := top + 6 + float64(maxLines)*lineH + 14
		p.SetDrawColor(0, 0, 0)
		p.Line(x+1, lineY, x+45, lineY) // 1 mm in, where the text's cell margin puts the letters above
		p.SetXY(x+47, lineY-lineH)
		signer := strings.TrimSpace(b.party.Signer)
		if signer != "" {
			signer = "/ " + signer + " /"
		}
		p.CellFormat(w-47, lineH, signer, "", 0, "L", false, 0, "")
		p.SetFont("DejaVu", "", 6.5)
		p.SetTextColor(110, 110, 110)
		p.SetXY(x, lineY+0.5)
		p.CellFormat(45, 3, r.t.sign, "", 0, "C", false, 0, "")
		p.SetTextColor(0, 0, 0)
		p.SetFont("DejaVu", "", fontBody)
		p.SetXY(x, lineY+8)
		p.CellFormat(w, lineH, r.t.stamp, "", 0, "L", false, 0, "")
	}
	p.SetXY(margin, top+6+float64(maxLines)*lineH+signH)
}

// formatMoney writes kopecks as acts do: "1 234 567,89".
func formatMoney(k int64) string {
	s := strconv.FormatInt(k/100, 10)
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(' ')
		}
		b.WriteRune(c)
	}
	return fmt.Sprintf("%s,%02d", b.String(), k%100)
}
