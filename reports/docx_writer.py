"""The regional report as DOCX, for the institute to edit.

Written from the same `Document` tree as the HTML/PDF, so the text and the (suppressed) tables
are identical; charts are inserted as PNG (Word cannot take SVG). The table of contents is a Word
field that Word/LibreOffice fill in on opening («Обновить поле»). Large tables are written
through the XML of a prototype row, which is an order of magnitude faster than python-docx's
cell-by-cell API and keeps the annual report well inside the time budget.
"""
from __future__ import annotations

import copy
import io
from datetime import datetime, timezone
from pathlib import Path

from docx import Document as new_docx
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt, RGBColor

from reports.document import Chart, Document, ItemList, Paragraph, Section, Table
from reports.rules import group_by_addressee
from reports.suppression import legend

NUMERIC = {"int", "dec1", "dec2", "signed", "year", "date"}
FONT = "Arial"


LANG = "ru-RU"


def _lang(rpr) -> None:
    """ru-RU for Latin, East Asian and complex scripts: Word's spelling and hyphenation follow it."""
    for old in rpr.findall(qn("w:lang")):
        rpr.remove(old)
    lang = OxmlElement("w:lang")
    for attr in ("w:val", "w:eastAsia", "w:bidi"):
        lang.set(qn(attr), LANG)
    rpr.append(lang)


def _languages(d) -> None:
    """Russian everywhere: the document defaults, every style of the template, the theme setting."""
    styles = d.styles.element
    defaults = styles.find(qn("w:docDefaults"))
    for holder in [defaults.find(qn("w:rPrDefault"))] + styles.findall(qn("w:style")):
        rpr = holder.find(qn("w:rPr"))
        if rpr is None:
            rpr = OxmlElement("w:rPr")
            holder.append(rpr)
        _lang(rpr)
    settings = d.settings.element
    theme = settings.find(qn("w:themeFontLang"))
    if theme is not None:
        theme.set(qn("w:val"), LANG)
    # contents, page numbers and SEQ numbers are fields: refreshed when the file is opened
    update = OxmlElement("w:updateFields")
    update.set(qn("w:val"), "true")
    settings.find(qn("w:compat")).addprevious(update)


def _base_styles(d) -> None:
    st = d.styles["Normal"]
    st.font.name = FONT
    st.font.size = Pt(10)
    st.element.rPr.rFonts.set(qn("w:eastAsia"), FONT)
    st.paragraph_format.space_after = Pt(4)
    for name, size in (("Heading 1", 15), ("Heading 2", 12), ("Heading 3", 10.5), ("Title", 20)):
        h = d.styles[name]
        h.font.name = FONT
        h.font.size = Pt(size)
        h.font.color.rgb = RGBColor(0x1F, 0x4E, 0x79)
        rpr = h.element.get_or_add_rPr()
        rpr.get_or_add_rFonts().set(qn("w:ascii"), FONT)
        rpr.get_or_add_rFonts().set(qn("w:hAnsi"), FONT)
    cap = d.styles["Caption"]
    cap.font.name = FONT
    cap.font.size = Pt(8.5)
    cap.font.italic = False
    cap.font.color.rgb = RGBColor(0x1A, 0x1A, 0x1A)
    cap.paragraph_format.space_before = Pt(6)
    cap.paragraph_format.space_after = Pt(3)
    toc_head = d.styles["TOC Heading"]      # «Содержание»: looks like a chapter, is not in the contents
    toc_head.font.name = FONT
    toc_head.font.size = Pt(15)
    toc_head.font.bold = True
    toc_head.font.color.rgb = RGBColor(0x1F, 0x4E, 0x79)
    toc_head.element.get_or_add_pPr()
    for lvl in toc_head.element.pPr.findall(qn("w:outlineLvl")):
        toc_head.element.pPr.remove(lvl)


def _page_setup(d, running: str) -> None:
    """A4; the title page has neither header nor page number (a different first page); every
    other page has the running title in the header and «Страница N из M» in the footer."""
    sec = d.sections[0]
    sec.orientation = WD_ORIENT.PORTRAIT
    sec.page_width, sec.page_height = Cm(21.0), Cm(29.7)
    sec.left_margin, sec.right_margin = Cm(2.2), Cm(1.5)
    sec.top_margin, sec.bottom_margin = Cm(2.0), Cm(1.7)
    sec.different_first_page_header_footer = True
    h = sec.header.paragraphs[0]
    h.alignment = WD_ALIGN_PARAGRAPH.LEFT
    run = h.add_run(running)
    run.font.size = Pt(7.5)
    run.font.color.rgb = RGBColor(0x5A, 0x5A, 0x5A)
    border = OxmlElement("w:pBdr")
    bottom = OxmlElement("w:bottom")
    for attr, val in (("w:val", "single"), ("w:sz", "4"), ("w:space", "1"), ("w:color", "999999")):
        bottom.set(qn(attr), val)
    border.append(bottom)
    h._p.get_or_add_pPr().append(border)
    p = sec.footer.paragraphs[0]
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    p.add_run("Страница ").font.size = Pt(7.5)
    _field(p, "PAGE", "1")
    p.add_run(" из ").font.size = Pt(7.5)
    _field(p, "NUMPAGES", "1")


def _field(paragraph, instruction: str, placeholder: str, *, bold: bool = False) -> None:
    """A Word field (PAGE, TOC, SEQ) as fldChar begin/instr/separate/end runs."""
    def run_with(el):
        r = OxmlElement("w:r")
        if bold:
            rpr = OxmlElement("w:rPr")
            rpr.append(OxmlElement("w:b"))
            r.append(rpr)
        r.append(el)
        paragraph._p.append(r)
    begin = OxmlElement("w:fldChar")
    begin.set(qn("w:fldCharType"), "begin")
    begin.set(qn("w:dirty"), "true")
    run_with(begin)
    instr = OxmlElement("w:instrText")
    instr.set(qn("xml:space"), "preserve")
    instr.text = f" {instruction} "
    run_with(instr)
    sep = OxmlElement("w:fldChar")
    sep.set(qn("w:fldCharType"), "separate")
    run_with(sep)
    t = OxmlElement("w:t")
    t.text = placeholder
    run_with(t)
    end = OxmlElement("w:fldChar")
    end.set(qn("w:fldCharType"), "end")
    run_with(end)


def _set_cell_text(tc, text: str, *, bold: bool = False, align: str | None = None, size: float = 7.5,
                   shade: str | None = None, color: str | None = None) -> None:
    """Fill a <w:tc> (which holds one empty paragraph) with one run of text."""
    p = tc.find(qn("w:p"))
    ppr = OxmlElement("w:pPr")
    spacing = OxmlElement("w:spacing")
    spacing.set(qn("w:after"), "0")
    ppr.append(spacing)
    if align:
        jc = OxmlElement("w:jc")
        jc.set(qn("w:val"), align)
        ppr.append(jc)
    p.append(ppr)
    r = OxmlElement("w:r")
    rpr = OxmlElement("w:rPr")
    if bold:
        rpr.append(OxmlElement("w:b"))
    if color:
        c = OxmlElement("w:color")
        c.set(qn("w:val"), color)
        rpr.append(c)
    sz = OxmlElement("w:sz")
    sz.set(qn("w:val"), str(int(size * 2)))
    rpr.append(sz)
    r.append(rpr)
    t = OxmlElement("w:t")
    t.set(qn("xml:space"), "preserve")
    t.text = text
    r.append(t)
    p.append(r)
    if shade:
        tcpr = tc.get_or_add_tcPr()
        shd = OxmlElement("w:shd")
        shd.set(qn("w:val"), "clear")
        shd.set(qn("w:color"), "auto")
        shd.set(qn("w:fill"), shade)
        tcpr.append(shd)


def _caption(d, label: str, number: int, title: str, *, keep_with_next: bool, center: bool = False) -> None:
    """«Таблица N. …» / «Рисунок N. …» in the Caption style, N a SEQ field (Word's «Вставить
    название»), so a list of tables or figures can be built from them and numbers follow edits."""
    cap = d.add_paragraph(style="Caption")
    cap.paragraph_format.keep_with_next = keep_with_next
    if center:
        cap.alignment = WD_ALIGN_PARAGRAPH.CENTER
    cap.add_run(f"{label} ").bold = True
    _field(cap, f"SEQ {label} \\* ARABIC", str(number), bold=True)
    cap.add_run(f". {title}").bold = label == "Таблица"


def _table(d, t: Table) -> None:
    _caption(d, "Таблица", t.number, t.title, keep_with_next=True)
    ncols = len(t.columns)
    table = d.add_table(rows=1, cols=ncols)
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    widths = t.widths or [1.0] * ncols
    total = sum(widths)
    usable = 17.3
    for i, col in enumerate(table.columns):
        col.width = Cm(usable * widths[i] / total)
    header = table.rows[0]
    if not t.show_head:     # column titles live in each group's own header row
        t_cols = [""] * ncols
    else:
        t_cols = list(t.columns)
    trpr = header._tr.get_or_add_trPr()
    th = OxmlElement("w:tblHeader")
    th.set(qn("w:val"), "true")
    trpr.append(th)
    proto = copy.deepcopy(header._tr)  # an empty row with the right cells, before filling the header
    for tr_pr in proto.findall(qn("w:trPr")):
        proto.remove(tr_pr)
    for tc, title in zip(header._tr.findall(qn("w:tc")), t_cols):
        _set_cell_text(tc, title, bold=True, align="center", shade="E8EEF5")
    if not t.show_head:
        table._tbl.remove(header._tr)
    tbl = table._tbl
    for group, rows in t.grouped():
        if group:
            tr = copy.deepcopy(proto)
            tcs = tr.findall(qn("w:tc"))
            for extra in tcs[1:]:
                tr.remove(extra)
            span = OxmlElement("w:gridSpan")
            span.set(qn("w:val"), str(ncols))
            tcs[0].get_or_add_tcPr().append(span)
            _set_cell_text(tcs[0], group, bold=True, shade="F3F6F9")
            tbl.append(tr)
        for row in rows:
            tr = copy.deepcopy(proto)
            tcs = tr.findall(qn("w:tc"))
            spanned = sum(c.span - 1 for c in row.cells)
            for extra in tcs[len(tcs) - spanned:] if spanned else []:
                tr.remove(extra)
            for tc, cell in zip(tr.findall(qn("w:tc")), row.cells):
                if cell.span > 1:
                    span = OxmlElement("w:gridSpan")
                    span.set(qn("w:val"), str(cell.span))
                    tc.get_or_add_tcPr().append(span)
                _set_cell_text(tc, cell.text, bold=row.emphasis or row.header or cell.mark == "worse",
                               shade="F7F9FB" if row.header else None,
                               align="right" if cell.kind in NUMERIC else ("center" if cell.status == "suppressed" else None),
                               color="B00020" if cell.mark == "worse" else None)
            tbl.append(tr)
    notes = list(t.notes) + ([legend()] if t.needs_legend else [])
    for n in notes:
        p = d.add_paragraph()
        run = p.add_run(n)
        run.font.size = Pt(7.5)
    d.add_paragraph()


def _chart(d, c: Chart) -> None:
    if c.png:
        d.add_picture(io.BytesIO(c.png), width=Cm(16.5 if c.wide else 9.0))
        d.paragraphs[-1].alignment = WD_ALIGN_PARAGRAPH.CENTER
        d.paragraphs[-1].paragraph_format.keep_with_next = True
    _caption(d, "Рисунок", c.number, c.caption + ("" if c.png else " (см. PDF-версию отчёта)"),
             keep_with_next=False, center=True)


def _items(d, block: ItemList) -> None:
    if not block.items:
        d.add_paragraph(block.empty_text).runs[0].italic = True
        return
    for addressee, items in group_by_addressee(block.items):
        p = d.add_paragraph()
        p.paragraph_format.keep_with_next = True
        p.add_run(addressee).bold = True
        for it in items:
            d.add_paragraph(it.text, style="List Number")
            for e in it.printed_evidence:
                ep = d.add_paragraph(e, style="List Bullet 2")
                ep.runs[0].font.size = Pt(8.5)


def _section(d, s: Section) -> None:
    if s.depth == 1:
        d.add_page_break()
    d.add_heading(f"{s.number}. {s.title}", level=min(s.depth, 3))
    for b in s.blocks:
        if isinstance(b, Paragraph):
            d.add_paragraph(b.text, style="List Bullet" if b.style == "bullet" else None)
        elif isinstance(b, Table):
            _table(d, b)
        elif isinstance(b, Chart):
            _chart(d, b)
        elif isinstance(b, ItemList):
            _items(d, b)
    for child in s.subsections:
        _section(d, child)


def _title_page(d, doc: Document) -> None:
    """Organisation, «УТВЕРЖДАЮ» block, title, region, compilers, city and year (doc.cover)."""
    c = doc.cover
    p = d.add_paragraph()
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    p.add_run(c.organisation).bold = True
    lines = c.approval_lines(doc.year)
    for line in lines:
        ap = d.add_paragraph(line)
        ap.paragraph_format.left_indent = Cm(9.0)
        ap.paragraph_format.space_after = Pt(2)
    for _ in range(6 if lines else 8):
        d.add_paragraph()
    t = d.add_paragraph(doc.title, style="Title")
    t.alignment = WD_ALIGN_PARAGRAPH.CENTER
    for text, size in ((doc.subtitle, 13), (c.region if doc.kind == "municipality" else "", 11)):
        if text:
            sp = d.add_paragraph(text)
            sp.alignment = WD_ALIGN_PARAGRAPH.CENTER
            sp.runs[0].font.size = Pt(size)
    for _ in range(6):
        d.add_paragraph()
    if c.compilers:
        d.add_paragraph().add_run("Составители:").bold = True
        for name in c.compilers:
            d.add_paragraph(name).paragraph_format.space_after = Pt(0)
        d.add_paragraph()
    gp = d.add_paragraph(f"Дата формирования: {doc.generated}")
    gp.alignment = WD_ALIGN_PARAGRAPH.CENTER
    gp.runs[0].font.size = Pt(8)
    fp = d.add_paragraph(c.foot(doc.year))
    fp.alignment = WD_ALIGN_PARAGRAPH.CENTER
    fp.runs[0].font.size = Pt(11)


def _normalised_zip(data: bytes) -> bytes:
    """The same archive with fixed entry dates, so equal content gives an equal file (and hash)."""
    import zipfile

    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            fixed = zipfile.ZipInfo(info.filename, date_time=(1980, 1, 1, 0, 0, 0))
            fixed.compress_type = zipfile.ZIP_DEFLATED
            dst.writestr(fixed, src.read(info.filename))
    return out.getvalue()


def write_docx(doc: Document, target: Path, *, created: datetime | None = None, running: str | None = None) -> Path:
    """Write `doc` as an editable DOCX at `target` (dated `created`, reproducibly); `running` is
    the header of every page but the title page (default: the title and the scope)."""
    d = new_docx()
    _base_styles(d)
    _languages(d)
    _page_setup(d, running or f"{doc.title} · {doc.scope_name}")
    core = d.core_properties
    core.title = doc.title
    core.subject = doc.subtitle
    core.author = "РСОКО"
    core.language = "ru-RU"
    if created is not None:
        stamp = created.astimezone(timezone.utc).replace(tzinfo=None) if created.tzinfo else created
        core.created = core.modified = stamp
        core.revision = 1
    _title_page(d, doc)
    d.add_page_break()
    d.add_paragraph("Содержание", style="TOC Heading")
    _field(d.add_paragraph(), 'TOC \\o "1-2" \\h \\z \\u', "Оглавление формируется при открытии документа (обновите поле, F9).")
    for s in doc.sections:
        _section(d, s)
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    buf = io.BytesIO()
    d.save(buf)
    target.write_bytes(_normalised_zip(buf.getvalue()))
    return target
