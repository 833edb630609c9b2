"""The Jinja2 environment of the report, and the prose kept in templates.

Fixed prose (purpose, legal basis, how to read the tables) lives in `templates/prose.j2` as
macros, so the institute edits wording in one template and it reaches HTML, PDF and DOCX alike:
a macro's output is split into paragraphs at blank lines; lines starting with «- » are bullets.
"""
from __future__ import annotations

from functools import lru_cache
from importlib import resources

import jinja2

from reports.document import Paragraph


@lru_cache(maxsize=1)
def environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("reports", "templates"),
        autoescape=jinja2.select_autoescape(["html", "j2"]),
        trim_blocks=True,
        lstrip_blocks=True,
        undefined=jinja2.StrictUndefined,
    )
    env.filters["svg_data_uri"] = svg_data_uri
    return env


def svg_data_uri(svg: str) -> str:
    """An SVG as a data: URI. The PDF embeds charts this way: WeasyPrint draws an SVG image
    about three times faster than the same SVG inline in the HTML tree (no cascade over it)."""
    import base64

    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode("utf-8")).decode("ascii")


@lru_cache(maxsize=None)
def static_text(name: str) -> str:
    """A file of reports/static (CSS), inlined so each published HTML file stands alone."""
    return resources.files("reports").joinpath("static", name).read_text(encoding="utf-8")


def prose(macro: str, **kwargs) -> list[Paragraph]:
    """Paragraphs of one prose macro of templates/prose.j2."""
    module = environment().get_template("prose.j2").make_module()
    raw = str(getattr(module, macro)(**kwargs))
    paragraphs: list[Paragraph] = []
    for chunk in raw.split("\n\n"):
        lines = [ln.strip() for ln in chunk.strip().splitlines() if ln.strip()]
        if not lines:
            continue
        if all(ln.startswith("- ") for ln in lines):
            paragraphs.extend(Paragraph(_unescape(ln[2:]), "bullet") for ln in lines)
        else:
            paragraphs.append(Paragraph(_unescape(" ".join(lines))))
    return paragraphs


def _unescape(text: str) -> str:
    """Macro output is autoescaped Markup; paragraphs hold plain text (escaped again on output)."""
    return jinja2.utils.markupsafe.Markup(text).unescape()
