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
from reports.suppression import LEGEND

NUMERIC = {"int", "dec1", "dec2", "signed"}
FONT = "Arial"


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


def _page_setup(d) -> None:
    sec = d.sections[0]
    sec.orientation = WD_ORIENT.PORTRAIT
    sec.page_width, sec.page_height = Cm(21.0), Cm(29.7)
    sec.left_margin, sec.right_margin = Cm(2.2), Cm(1.5)
    sec.top_margin, sec.bottom_margin = Cm(2.0), Cm(1.7)
    # page numbers in the footer
    p = sec.footer.paragraphs[0]
    p.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    _field(p, "PAGE", "1")


def _field(paragraph, instruction: str, placeholder: str) -> None:
    """A Word field (PAGE, TOC) as fldChar begin/instr/separate/end runs."""
    def run_with(el):
        r = OxmlElement("w:r")
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


def _table(d, t: Table) -> None:
    cap = d.add_paragraph()
    cap.paragraph_format.keep_with_next = True
    cap.add_run(f"Таблица {t.number}. {t.title}").bold = True
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
    notes = list(t.notes) + ([LEGEND] if t.needs_legend else [])
    for n in notes:
        p = d.add_paragraph()
        run = p.add_run(n)
        run.font.size = Pt(7.5)
    d.add_paragraph()


def _chart(d, c: Chart) -> None:
    if c.png:
        d.add_picture(io.BytesIO(c.png), width=Cm(16.5 if c.wide else 9.0))
        d.paragraphs[-1].alignment = WD_ALIGN_PARAGRAPH.CENTER
    p = d.add_paragraph()
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    run = p.add_run(f"Рисунок {c.number}. {c.caption}" + ("" if c.png else " (см. PDF-версию отчёта)"))
    run.font.size = Pt(8.5)


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


def write_docx(doc: Document, target: Path, *, created: datetime | None = None) -> Path:
    """Write `doc` as an editable DOCX at `target` (dated `created`, reproducibly)."""
    d = new_docx()
    _base_styles(d)
    _page_setup(d)
    core = d.core_properties
    core.title = doc.title
    core.subject = doc.subtitle
    core.author = "РСОКО"
    core.language = "ru-RU"
    if created is not None:
        stamp = created.astimezone(timezone.utc).replace(tzinfo=None) if created.tzinfo else created
        core.created = core.modified = stamp
        core.revision = 1
    p = d.add_paragraph("Региональная система оценки качества образования")
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    for _ in range(6):
        d.add_paragraph()
    t = d.add_paragraph(doc.title, style="Title")
    t.alignment = WD_ALIGN_PARAGRAPH.CENTER
    sp = d.add_paragraph(doc.subtitle)
    sp.alignment = WD_ALIGN_PARAGRAPH.CENTER
    sp.runs[0].font.size = Pt(13)
    gp = d.add_paragraph(f"Дата формирования: {doc.generated}")
    gp.alignment = WD_ALIGN_PARAGRAPH.CENTER
    d.add_page_break()
    d.add_paragraph("Содержание", style="Heading 1")
    _field(d.add_paragraph(), 'TOC \\o "1-2" \\h \\z \\u', "Оглавление формируется при открытии документа (обновите поле, F9).")
    for s in doc.sections:
        _section(d, s)
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    buf = io.BytesIO()
    d.save(buf)
    target.write_bytes(_normalised_zip(buf.getvalue()))
    return target
