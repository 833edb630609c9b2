"""The title page of every published document from one small file the region edits: `report.toml`.

Why a file and not the warehouse: who publishes (region, institute, city, compilers, the person
who approves) is not data about pupils or schools and changes without any export changing; a region
edits it in a text editor beside its exports (the inbox root, `rsoko.settings.REPORT_CONFIG`).
Why TOML: the standard library reads it (`tomllib`), it allows comments in Russian and has no
indentation traps. The file is read once per publication (`publication.publish`) into the
`Context`; the PDF, DOCX and HTML title pages and the справка take it from there.

Without the file the documents name the region by its code, as before, and the publication
records a Russian warning. A file that cannot be read, or a key of the wrong type, never stops the
publication either: the warning names the file and the key, and that key is left out.
"""
from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path

from reports.document import DEFAULT_ORGANISATION, Cover

MISSING_WARNING = ("файл оформления титульного листа {name} не найден в папке выгрузок: на титульных листах "
                   "указан код субъекта вместо названия региона, учреждение и составители не указаны")


@dataclass(frozen=True)
class Approval:
    """The approval block «УТВЕРЖДАЮ» in the top right corner of a title page."""

    position: str               # «Директор ГАУ ДПО „Институт развития образования“»
    name: str                   # «И. И. Иванов»
    date: str = ""              # «„__“ ________ 2025 г.»; empty: a blank line to be filled by hand


@dataclass(frozen=True)
class ReportConfig:
    """Who publishes: what the title pages print. Every field may be empty (then it is not printed)."""

    region: str = ""
    institute: str = ""
    city: str = ""
    compilers: tuple[str, ...] = ()
    approval: Approval | None = None
    source: str = ""            # the file's name, for messages


def cover(config: "ReportConfig | None") -> Cover:
    """The title page's parts from the configuration (the defaults without one)."""
    if config is None:
        return Cover()
    approval = (config.approval.position, config.approval.name, config.approval.date) if config.approval else None
    return Cover(organisation=config.institute or DEFAULT_ORGANISATION, approval=approval,
                 compilers=config.compilers, place=config.city, region=config.region)


def region_subtitle(config: "ReportConfig | None", region_code: str) -> str:
    """The regional documents' subtitle: the region's name from the file, else its code (as before)."""
    if config is not None and config.region:
        return config.region
    return f"Регион (код субъекта Российской Федерации {region_code})"


def _text(table: dict, key: str, where: str, problems: list[str]) -> str:
    value = table.get(key, "")
    if isinstance(value, str):
        return value.strip()
    problems.append(f"{where}: значение ключа «{key}» должно быть строкой в кавычках; ключ не учтён")
    return ""


def parse(data: dict, name: str) -> tuple[ReportConfig, list[str]]:
    """The configuration from a parsed TOML table, and Russian messages for what was left out; pure."""
    problems: list[str] = []
    known = {"region", "institute", "city", "compilers", "approval"}
    for key in sorted(set(data) - known):
        problems.append(f"{name}: неизвестный ключ «{key}» не учтён (ожидаются: {', '.join(sorted(known))})")
    compilers_raw = data.get("compilers", [])
    if isinstance(compilers_raw, str):
        compilers_raw = [compilers_raw]
    if not isinstance(compilers_raw, list) or not all(isinstance(c, str) for c in compilers_raw):
        problems.append(f"{name}: «compilers» должен быть списком строк, например [\"Иванова А. А.\"]; ключ не учтён")
        compilers_raw = []
    approval = None
    raw = data.get("approval")
    if isinstance(raw, dict):
        where = f"{name}, раздел [approval]"
        position, person = _text(raw, "position", where, problems), _text(raw, "name", where, problems)
        if position or person:
            approval = Approval(position, person, _text(raw, "date", where, problems))
    elif raw is not None:
        problems.append(f"{name}: «approval» должен быть разделом [approval] с ключами position, name, date; не учтён")
    config = ReportConfig(region=_text(data, "region", name, problems), institute=_text(data, "institute", name, problems),
                          city=_text(data, "city", name, problems),
                          compilers=tuple(c.strip() for c in compilers_raw if c.strip()), approval=approval, source=name)
    return config, problems


def load(path: Path | None) -> tuple[ReportConfig | None, list[str]]:
    """(the configuration or None, Russian warnings) from `path`; never raises for a bad file."""
    from rsoko.settings import REPORT_CONFIG

    if path is None or not Path(path).is_file():
        return None, [MISSING_WARNING.format(name=REPORT_CONFIG)]
    path = Path(path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except UnicodeDecodeError:
        return None, [f"{path.name}: файл не в кодировке UTF-8; титульные листы оформлены без него (по коду субъекта)"]
    except tomllib.TOMLDecodeError as exc:
        return None, [f"{path.name}: ошибка в записи файла ({exc}); титульные листы оформлены без него (по коду субъекта)"]
    return parse(data, path.name)
