"""Publishing a year: OUT/<year>/public/ with the reports, the annex, the page and the manifest.

Order of work, chosen for the time budget (< 60 s for a region of ~250 schools on 2 cores):
the marts are read once and the connection closed; a pool of two worker processes builds and
renders the municipal reports (HTML + PDF) while this process renders the regional report, its
DOCX and the annex. Each municipal task carries only its municipality's slice of the rows
(`ReportData.for_schools`), so a renderer's memory does not grow with the region. Everything is written into a fresh staging folder which replaces `public/`
only when complete, so a reader never sees a half-published year or files left from an earlier
run. `index.html` is written after every other file (it lists their hashes) and `manifest.json`
last (it lists every file but itself).
"""
from __future__ import annotations

import hashlib
import json
import multiprocessing
import os
import resource
import shutil
import time
from concurrent.futures import Future, ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

from reports import charts, outline
from reports.build import annex_tables, build_document
from reports.context import Context
from reports.data import ReportData, load
from reports.report_config import ReportConfig, load as load_config
from reports.formatting import fmt_bytes, fmt_date
from reports.render import municipal_links, region_links, render_html, running_title, software_version
from reports.typst_writer import release_memory as release_typst_memory, write_pdf
from reports.suppression import legend
from reports.templating import environment, static_text

WORKERS = 2


@dataclass
class PublicationResult:
    """What one publication wrote, and how long each part took (seconds)."""

    year: int
    public_dir: Path
    files: list[Path]
    manifest_path: Path
    index_path: Path
    timings: dict[str, float] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    # CPU seconds per file kind, summed over this process and the workers (rsoko bench):
    # build (the Document trees), charts, pdf, html, docx, xlsx, index (page + manifest), packs
    kinds: dict[str, float] = field(default_factory=dict)


# --- worker processes ------------------------------------------------------------------------

def _render_municipality(data: ReportData, mo_code: str, stage_dir: str, generated_at: datetime,
                         config: ReportConfig | None = None) -> dict:
    """In a worker: build, render and write one municipality's report from its slice of the rows."""
    return render_municipality(Context(data, config), mo_code, Path(stage_dir), generated_at)


def render_municipality(ctx: Context, mo_code: str, stage_dir: Path, generated_at: datetime) -> dict:
    """One municipal report: HTML with inline SVG, and the PDF; with the CPU seconds of each kind
    (CPU, not wall: the machine is shared, and wall seconds of a worker grow with whatever else runs)."""
    started = time.perf_counter()
    cpu = time.process_time()
    drawn = charts.drawing_seconds()
    doc = build_document(ctx, ctx.municipality(mo_code), generated_at=generated_at)
    built, built_cpu = time.perf_counter(), time.process_time()
    chart_s = charts.drawing_seconds() - drawn
    html_path = stage_dir / "mo" / f"{mo_code}.html"
    html_path.parent.mkdir(parents=True, exist_ok=True)
    html_path.write_text(render_html(doc, links=municipal_links(mo_code)), encoding="utf-8")
    html_cpu = time.process_time()
    write_pdf(doc, stage_dir / "mo" / f"{mo_code}.pdf", running_title(doc))
    release_typst_memory()      # a worker renders many reports: what Typst memoised for this one goes
    done, done_cpu = time.perf_counter(), time.process_time()
    return {"mo_code": mo_code, "build_s": built - started, "render_s": done - built, "cpu_s": done_cpu - cpu,
            "kinds": {"build": built_cpu - cpu - chart_s, "charts": chart_s, "html": html_cpu - built_cpu,
                      "pdf": done_cpu - html_cpu}}


# --- publication page and manifest ------------------------------------------------------------

def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def describe(rel: str, mo_names: dict[str, str]) -> tuple[str, str]:
    """(group, title) of a published file for the publication page."""
    fmt = {"pdf": "PDF", "html": "HTML", "docx": "DOCX", "xlsx": "XLSX"}.get(rel.rsplit(".", 1)[-1], "")
    if rel.startswith("mo/"):
        code = rel[3:].rsplit(".", 1)[0]
        return "Отчёты муниципалитетов", f"Отчёт муниципалитета «{mo_names.get(code, code)}» (код {code}), {fmt}"
    if rel.startswith("report."):
        extra = " (для редактирования)" if fmt == "DOCX" else ""
        return "Региональный аналитический отчёт", f"Региональный аналитический отчёт, {fmt}{extra}"
    if rel == "annex.xlsx":
        return "Приложение", "Приложение с данными таблиц отчёта, XLSX"
    if rel.startswith("effectiveness."):
        extra = " (для редактирования)" if fmt == "DOCX" else ""
        return "Справка об эффективности принятых мер", f"Справка об эффективности принятых мер, {fmt}{extra}"
    return "Прочее", rel


def _file_order(rel: str) -> tuple:
    group_rank = (0 if rel.startswith("report.") else 1 if rel == "annex.xlsx" else
                  2 if rel.startswith("effectiveness.") else 3)
    fmt_rank = {"pdf": 0, "html": 1, "docx": 2, "xlsx": 3}.get(rel.rsplit(".", 1)[-1], 9)
    return (group_rank, rel.rsplit(".", 1)[0], fmt_rank)


def file_entries(stage_dir: Path, exclude: set[str]) -> list[dict]:
    """Every file under stage_dir (relative POSIX path, size, SHA-256), in publication order."""
    entries = []
    for p in stage_dir.rglob("*"):
        if p.is_file():
            rel = p.relative_to(stage_dir).as_posix()
            if rel not in exclude:
                entries.append({"path": rel, "sha256": sha256_file(p), "bytes": p.stat().st_size})
    return sorted(entries, key=lambda e: _file_order(e["path"]))


def metadata_date(year: int) -> datetime:
    """The creation date stored in the DOCX and XLSX core properties: from the data (15 December
    of the report's year, as the PDFs do), not the clock — so a rerun on the same data, or a run
    killed and repeated, gives byte-identical files and the manifest's hashes change only when
    the data do. The moment of publication is in manifest.json and on index.html."""
    return datetime(int(year), 12, 15, tzinfo=timezone.utc)


CARDS = (
    ("Региональный аналитический отчёт", "report.", "DOCX — для редактирования; HTML — для чтения с телефона."),
    ("Приложение с данными таблиц отчёта", "annex.", "Один лист на каждую таблицу отчёта и полные таблицы по МО и ОО."),
    ("Справка об эффективности принятых мер", "effectiveness.", ""),
)


def _cards(entries: list[dict]) -> list[dict]:
    """The download cards of the page: the region's documents, PDF first."""
    out = []
    for title, prefix, note in CARDS:
        files = [e for e in entries if e["path"].startswith(prefix) and "/" not in e["path"]]
        if files:
            out.append({"title": title, "files": files, "note": note})
    return out


def write_index(stage_dir: Path, ctx: Context, generated_at: datetime) -> Path:
    """index.html: a download page — who publishes, the region's documents, its key results, each
    municipality's report, and every published file (but itself and manifest.json, which it
    links) with its size and SHA-256, folded."""
    from reports.document import DEFAULT_ORGANISATION
    from reports.index_page import key_results, municipality_links, publisher_lines
    from reports.report_config import region_subtitle

    entries = file_entries(stage_dir, {"index.html", "manifest.json"})
    groups: dict[str, list[dict]] = {}
    for e in entries:
        group, title = describe(e["path"], ctx.mo_names)
        e.update(title=title, size=fmt_bytes(e["bytes"]), format=e["path"].rsplit(".", 1)[-1].upper())
        groups.setdefault(group, []).append(e)
    published = {e["path"] for e in entries}
    organisation = ctx.config.institute if ctx.config is not None and ctx.config.institute else DEFAULT_ORGANISATION
    html = environment().get_template("index.html.j2").render(
        year=ctx.year, groups=groups, generated=fmt_date(generated_at), version=software_version(),
        region_name=region_subtitle(ctx.config, ctx.region_code), organisation=organisation,
        publisher=publisher_lines(ctx), cards=_cards(entries), key=key_results(ctx),
        municipalities=municipality_links(ctx, published), annex="annex.xlsx" if "annex.xlsx" in published else None,
        css=static_text("index.css"), legend=legend(), files_count=len(entries),
        rules_section=outline.number("introduction.reading_rules", "region"))
    target = stage_dir / "index.html"
    target.write_text(html, encoding="utf-8")
    return target


def ledger_inputs(data: ReportData) -> list[dict]:
    """manifest `inputs` from meta.ingestion_ledger: each distinct file version, rows as read."""
    led = data["ingestion_ledger"]
    out, seen = [], set()
    for r in led.sort_values(["file", "sha256"]).itertuples():
        key = (r.file, r.sha256)
        if key in seen:
            continue
        seen.add(key)
        out.append({"file": str(r.file), "kind": str(r.kind), "sha256": str(r.sha256),
                    "rows": None if r.rows_read != r.rows_read else int(r.rows_read)})
    return out


def write_manifest(stage_dir: Path, year: int, generated_at: datetime, inputs: list[dict]) -> Path:
    files = file_entries(stage_dir, {"manifest.json"})
    manifest = {
        "year": int(year),
        "generated_at": generated_at.isoformat(timespec="seconds"),
        "software_version": software_version(),
        "inputs": [{"file": i["file"], "kind": i["kind"], "sha256": i["sha256"], "rows": i.get("rows")} for i in inputs],
        "files": files,
    }
    target = stage_dir / "manifest.json"
    target.write_text(json.dumps(manifest, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    return target


def write_effectiveness(ctx: Context, stage_dir: Path, generated_at: datetime,
                        kinds: dict[str, float] | None = None) -> list[Path]:
    """effectiveness.pdf and effectiveness.docx: the справка, through the report's own writers
    (the seconds of each kind are added to `kinds`)."""
    from reports.docx_writer import write_docx
    from reports.sections.effectiveness import build_effectiveness_document, running_title as effectiveness_title

    kinds = {} if kinds is None else kinds
    with _timed(kinds, "build"):
        doc = build_effectiveness_document(ctx, generated_at=generated_at)
    with _timed(kinds, "pdf"):
        pdf = write_pdf(doc, stage_dir / "effectiveness.pdf", effectiveness_title(doc))
        release_typst_memory()
    with _timed(kinds, "docx"):
        docx = write_docx(doc, stage_dir / "effectiveness.docx", created=metadata_date(ctx.year),
                          running=effectiveness_title(doc))
    return [pdf, docx]


@contextmanager
def _timed(kinds: dict[str, float], kind: str):
    """Add the CPU seconds of the block (this process, all its threads: Typst compiles on native
    threads) to kinds[kind]."""
    started = time.process_time()
    try:
        yield
    finally:
        kinds[kind] = kinds.get(kind, 0.0) + time.process_time() - started


def _swap_in(stage_dir: Path, public_dir: Path) -> None:
    """Replace public/ by the complete staging folder: exchanged in one rename where the system
    allows it, so public/ never disappears (see rsoko.atomic); the old copy is removed afterwards."""
    from rsoko.atomic import swap_in

    swap_in(stage_dir, public_dir)


# --- the entry point ---------------------------------------------------------------------------

POOL_START = "spawn"
"""How the publication's workers start: from a clean interpreter, paying their imports (about 2 s
each). Forking them from the publishing process was measured on the large region (cb2a8cb): no
faster (publication 464.5 → 476.6 s, `public/` 86.3 → 89.7 s) and 1.4 GB more PSS, the forked
workers holding copies of the pages the publishing process went on writing; and a fork after
Typst's compiler has started its native threads hung in the child's first compile."""


def _cpu_seconds() -> float:
    """CPU time of this process and of its finished children (the worker pool), in seconds."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime


def publish(warehouse: Path, year: int, out_dir: Path, *, inputs: list[dict] | None = None,
            generated_at: datetime | None = None, workers: int = WORKERS, packs: bool = True,
            config_path: Path | None = None) -> PublicationResult:
    """Render and publish `out_dir/public/` for `year` from the warehouse (opened read-only).

    `out_dir` is the year's folder (OUT/<year>). `inputs` ([{file, kind, sha256, rows}]) go to
    manifest.json as given; when None they are read from meta.ingestion_ledger. `generated_at`
    (default: now, local time) is printed in the reports and recorded in the manifest.
    With `packs`, the restricted school packs (reports.packs) are built on the same pool into
    their own staging folder and swapped in as `out_dir/restricted/` after `public/`; nothing of
    them is listed in public/.
    `config_path` is the region's `report.toml` (reports.report_config: the title pages); when it
    is None or absent the documents name the region by its code and a warning says so.
    """
    t0 = time.perf_counter()
    cpu0 = _cpu_seconds()
    timings: dict[str, float] = {}
    kinds: dict[str, float] = {}
    generated_at = generated_at or datetime.now().astimezone()
    out_dir = Path(out_dir)
    public_dir = out_dir / "public"
    stage_dir = out_dir / f".public.staging-{os.getpid()}"
    if stage_dir.exists():
        shutil.rmtree(stage_dir)
    (stage_dir / "mo").mkdir(parents=True)

    data = load(Path(warehouse), int(year))
    config, warnings = load_config(config_path)
    ctx = Context(data, config)
    warnings += [f"в хранилище нет таблицы {t}: соответствующие разделы отчёта пусты" for t in data.missing]
    from reports import packs as school_packs

    pack_data = school_packs.load(Path(warehouse), int(year)) if packs else None
    if packs and pack_data is None:
        warnings.append("в хранилище нет таблиц пакетов ОО (marts.mart_pack_*): restricted/ не сформирован")
    pack_stage = school_packs.stage_dir(out_dir) if pack_data is not None else None
    timings["load_s"] = time.perf_counter() - t0

    try:
        futures: list[Future] = []
        pool = None
        feeder = None
        if workers > 0 and ctx.mo_codes:
            pool = ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context(POOL_START))
            futures = [pool.submit(_render_municipality, data.for_schools(ctx.municipality(mo).school_codes), mo,
                                   str(stage_dir), generated_at, config) for mo in ctx.mo_codes]
        feeder = (school_packs.submit(pool, pack_data, pack_stage, generated_at)
                  if pool is not None and pack_data is not None else None)
        try:
            step = time.perf_counter()
            drawn = charts.drawing_seconds()
            with _timed(kinds, "build"):
                doc = build_document(ctx, ctx.region, generated_at=generated_at, png=True)
            with _timed(kinds, "html"):
                (stage_dir / "report.html").write_text(render_html(doc, links=region_links(ctx.mo_names)),
                                                       encoding="utf-8")
            timings["region_build_s"] = time.perf_counter() - step

            step = time.perf_counter()
            with _timed(kinds, "pdf"):
                write_pdf(doc, stage_dir / "report.pdf", running_title(doc))
                release_typst_memory()
            timings["region_pdf_s"] = time.perf_counter() - step

            from reports.annex import write_annex
            from reports.docx_writer import write_docx

            step = time.perf_counter()
            with _timed(kinds, "docx"):
                write_docx(doc, stage_dir / "report.docx", created=metadata_date(ctx.year), running=running_title(doc))
            timings["region_docx_s"] = time.perf_counter() - step

            step = time.perf_counter()
            with _timed(kinds, "build"):
                tables = annex_tables(ctx, doc)
            with _timed(kinds, "xlsx"):
                write_annex(tables, stage_dir / "annex.xlsx",
                            title=f"Приложение к аналитическому отчёту за {ctx.year} год: данные таблиц",
                            created=metadata_date(ctx.year))
            timings["annex_s"] = time.perf_counter() - step

            step = time.perf_counter()
            write_effectiveness(ctx, stage_dir, generated_at, kinds)
            timings["effectiveness_s"] = time.perf_counter() - step
            own_charts = charts.drawing_seconds() - drawn      # drawn while building this process's documents

            if pool is None:
                results = [render_municipality(ctx, mo, stage_dir, generated_at) for mo in ctx.mo_codes]
            else:
                step = time.perf_counter()
                results = [f.result() for f in futures]
                timings["municipal_wait_s"] = time.perf_counter() - step
                timings["municipal_cpu_s"] = sum(r["cpu_s"] for r in results)
            # every public file but the index and manifest is staged now (rsoko bench: public/
            # against the raw parse); the packs may still be running on the pool
            timings["public_s"] = time.perf_counter() - t0
            kinds["build"] -= own_charts
            kinds["charts"] = kinds.get("charts", 0.0) + own_charts
            for r in results:
                for kind, seconds in r["kinds"].items():
                    kinds[kind] = kinds.get(kind, 0.0) + seconds
            step = time.perf_counter()
            if pack_data is not None:
                packed = (school_packs.collect(feeder, pack_data, pack_stage, generated_at) if feeder is not None
                          else school_packs.build_all(pack_data, pack_stage, generated_at))
                timings["packs_wait_s"] = time.perf_counter() - step
                timings["packs_cpu_s"] = sum(r["cpu_s"] for r in packed)
                kinds["packs"] = timings["packs_cpu_s"]
        finally:
            if feeder is not None:
                feeder.stop()
            if pool is not None:
                pool.shutdown(wait=True, cancel_futures=True)

        with _timed(kinds, "index"):
            write_index(stage_dir, ctx, generated_at)
            manifest_inputs = inputs if inputs is not None else ledger_inputs(data)
            write_manifest(stage_dir, ctx.year, generated_at, manifest_inputs)
        _swap_in(stage_dir, public_dir)
        if pack_stage is not None:
            school_packs.swap_in(pack_stage, out_dir)
    except BaseException:
        shutil.rmtree(stage_dir, ignore_errors=True)
        if pack_stage is not None:
            shutil.rmtree(pack_stage, ignore_errors=True)
        raise

    files = sorted(p for p in public_dir.rglob("*") if p.is_file())
    timings["total_s"] = time.perf_counter() - t0
    timings["cpu_s"] = _cpu_seconds() - cpu0
    return PublicationResult(year=ctx.year, public_dir=public_dir, files=files,
                             manifest_path=public_dir / "manifest.json", index_path=public_dir / "index.html",
                             timings=timings, warnings=warnings, kinds=kinds)
