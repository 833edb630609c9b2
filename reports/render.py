"""HTML from the Jinja2 templates (the PDF is written from the same `Document` by typst_writer).

The HTML file is self-contained (inline CSS, inline SVG charts) so it can be published and opened
anywhere.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from reports.document import Document
from reports.rules import group_by_addressee
from reports.suppression import legend
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


@dataclass(frozen=True)
class ReportLinks:
    """Where a published report's HTML leads (relative paths): back to the publication page, its own
    PDF, the regional report, the annex and, from the regional report, every municipal report."""

    index: str
    pdf: str
    annex: str
    region: str | None = None                   # the regional report, from a municipal one
    municipalities: list[tuple[str, str]] = field(default_factory=list)   # (name, path)


def region_links(mo_names: dict[str, str]) -> ReportLinks:
    """The links of report.html (at the root of public/)."""
    return ReportLinks(index="index.html", pdf="report.pdf", annex="annex.xlsx",
                       municipalities=[(name, f"mo/{code}.html") for code, name in sorted(mo_names.items(),
                                                                                           key=lambda kv: (kv[1], kv[0]))])


def municipal_links(mo_code: str) -> ReportLinks:
    """The links of mo/<code>.html (one folder down)."""
    return ReportLinks(index="../index.html", pdf=f"{mo_code}.pdf", annex="../annex.xlsx", region="../report.html")


def render_html(doc: Document, *, for_pdf: bool = False, links: ReportLinks | None = None) -> str:
    """The report as one standalone HTML document.

    `for_pdf` embeds the charts as SVG data URIs instead of inline <svg> (same pictures; see
    templating.svg_data_uri for why). `links` adds the navigation bar of a published report (a
    reader who opened it from a link in a message finds the rest of the publication).
    """
    template = environment().get_template("report.html.j2")
    return template.render(doc=doc, css=static_text("report.css"), legend=legend(), version=software_version(),
                           running_title=running_title(doc), group_by_addressee=group_by_addressee,
                           chart_mode="img" if for_pdf else "inline", links=links)
