"""The yearly analytical report and its publication (OUT/<year>/public/).

Public entry points (the CLI and Dagster call exactly these):
- `publish(warehouse, year, out_dir, *, inputs=None, generated_at=None) -> PublicationResult`
  reads the marts read-only and writes `out_dir/public/` (out_dir is the year's folder, OUT/<year>):
  report.pdf/.html/.docx, mo/<Код МО>.pdf/.html, annex.xlsx, index.html, manifest.json;
- `deadline_status(out_dir, year, today) -> (ok, message)` with out_dir the OUT root.

Modules:
- data         — reads the marts of docs/architecture.md (read-only) into frames, then closes the file;
- context      — lookups over them and the report's scope (region or one municipality);
- suppression  — the one function that decides how a number may be published (n < 5 → «*», 5–9 → «†»);
- cells        — table cells, every number through `suppression.suppress`;
- rules        — conclusions and recommendations as small pure functions over plain records;
- charts       — the report's charts, written as SVG (reports.svg: text as text, PNG by resvg);
- build        — assembles a `document.Document` (the five sections) for a scope;
- document     — the format-independent report tree;
- templating, render — Jinja2 templates (templates/) → HTML; typst_writer — the same tree → PDF (Typst);
- docx_writer, annex — the DOCX of the regional report and the XLSX data annex;
- publication  — the process pool, index.html, manifest.json and the atomic swap of public/;
- deadline     — the 15 December check.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

__all__ = ["publish", "deadline_status", "PublicationResult"]

if TYPE_CHECKING:  # pragma: no cover
    from reports.deadline import deadline_status
    from reports.publication import PublicationResult, publish


def __getattr__(name: str):
    """Import lazily: `import reports` stays cheap for Dagster's code location and the CLI."""
    if name in ("publish", "PublicationResult"):
        from reports import publication
        return getattr(publication, name)
    if name == "deadline_status":
        from reports.deadline import deadline_status
        return deadline_status
    raise AttributeError(name)
