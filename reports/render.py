"""HTML from the Jinja2 templates, and PDF from that same HTML with WeasyPrint.

The HTML file is self-contained (inline CSS, inline SVG charts) so it can be published and opened
anywhere. The PDF is rendered from the *same* HTML string plus one print-only stylesheet that
binds «DejaVu Sans» to the TrueType files shipped inside matplotlib, so the fonts embedded in the
PDF do not depend on what the publishing host has installed.
"""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path

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


@lru_cache(maxsize=1)
def font_css() -> str:
    """@font-face rules pointing at matplotlib's DejaVu TTFs (always present with matplotlib)."""
    import matplotlib

    fonts = Path(matplotlib.get_data_path()) / "fonts" / "ttf"
    faces = [("DejaVuSans.ttf", "normal", "normal"), ("DejaVuSans-Bold.ttf", "bold", "normal"),
             ("DejaVuSans-Oblique.ttf", "normal", "italic"), ("DejaVuSans-BoldOblique.ttf", "bold", "italic")]
    rules = []
    for name, weight, style in faces:
        path = fonts / name
        if path.exists():
            rules.append(f'@font-face {{ font-family: "DejaVu Sans"; src: url("{path.as_uri()}"); '
                         f"font-weight: {weight}; font-style: {style}; }}")
    return "\n".join(rules)


@lru_cache(maxsize=1)
def _weasy():
    """WeasyPrint objects reused across documents of one process (font configuration is costly)."""
    from weasyprint import CSS
    from weasyprint.text.fonts import FontConfiguration

    font_config = FontConfiguration()
    return CSS(string=font_css(), font_config=font_config), font_config


def write_pdf(html: str, target: Path, *, base_url: str | None = None) -> Path:
    """Render `html` to the PDF file `target` (A4, fonts embedded)."""
    from weasyprint import HTML

    css, font_config = _weasy()
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    HTML(string=html, base_url=base_url or str(target.parent)).write_pdf(
        str(target), stylesheets=[css], font_config=font_config)
    return target
