"""HTML from the Jinja2 templates (the PDF is written from the same `Document` by typst_writer).

The HTML file is self-contained (inline CSS, inline SVG charts) so it can be published and opened
anywhere.
"""
from __future__ import annotations

from reports.document import Document
from reports.rules import group_by_addressee
from reports.suppression import LEGEND
from reports.templating import environment, static_text


def software_version() -> str:
    """The version recorded in generated files and the manifest."""
    try:
        from rsoko import __version__
        return str(__version__)
    except Exception:  # pragma: no cover - rsoko is part of the same distribution
        from importlib.metadata import version
        return version("rsoko")


def running_title(doc: Document) -> str:
    return f"Аналитический отчёт за {doc.year} год · {doc.scope_name}"


def render_html(doc: Document, *, for_pdf: bool = False) -> str:
    """The report as one standalone HTML document.

    `for_pdf` embeds the charts as SVG data URIs instead of inline <svg> (same pictures; see
    templating.svg_data_uri for why).
    """
    template = environment().get_template("report.html.j2")
    return template.render(doc=doc, css=static_text("report.css"), legend=LEGEND, version=software_version(),
                           running_title=running_title(doc), group_by_addressee=group_by_addressee,
                           chart_mode="img" if for_pdf else "inline")
