"""`rsoko` — command line of the regional education-quality warehouse.

Commands (help in English and Russian):
  rsoko generate   make a synthetic region inbox / сгенерировать синтетический регион
  rsoko run        ingest an inbox and publish one year / загрузить выгрузки и опубликовать год
  rsoko demo       generate the bundled synthetic region and run it / демонстрационный прогон
  rsoko bench      measure every stage at region or large scale / замеры производительности
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from rsoko import settings


def _cmd_generate(args: argparse.Namespace) -> int:
    from synthetic import generate_region, inject_defects

    years = tuple(range(args.first_year, args.last_year + 1))
    summary = generate_region(Path(args.out), Path(args.truth), seed=args.seed, scale=args.scale, years=years,
                              vpr_layout=args.vpr_layout, gia_layout=args.gia_layout)
    if args.defects:
        inject_defects(Path(args.out), Path(args.truth), seed=args.seed)
    print(f"Входная папка: {summary['inbox']}; эталон (ground truth): {summary['truth']}")
    for year in summary["years"]:
        print(f"  {year}: ВПР работ участников {summary['vpr_works'][year]:,}, "
              f"ГИА-11 строк {summary['gia11_rows'][year]:,}, ГИА-9 строк {summary['gia9_rows'][year]:,}")
    return 0


def stage_timings(timings: dict[str, float]) -> str:
    """`{"ingest_s": 1.2, ...}` -> «загрузка 1,2 с, …» with the Russian stage names. Only the stages:
    the per-file-kind seconds of publication (`publish_pdf_s`, …) are for `rsoko bench` and the log."""
    from rsoko.console import seconds_ru
    from rsoko.pipeline import STAGES

    return ", ".join(f"{STAGES[key.removesuffix('_s')]} {seconds_ru(seconds)}" for key, seconds in timings.items()
                     if key.removesuffix("_s") in STAGES)


def _run(inbox: Path, year: int | None, out: Path, db: Path | None, force: bool, *,
         dbt_target: Path | None = None, quiet: bool = False, verbose: bool = False) -> int:
    """One run for a person: arguments checked before anything is created, progress on stdout,
    one Russian line on stderr for a foreseen failure, everything in OUT/logs/run-*.log."""
    from rsoko.console import Console, close_log, open_run_log
    from rsoko.errors import RsokoError
    from rsoko.pipeline import configure, run_configured

    try:
        config = configure(inbox, year, out, db, force=force, dbt_target=dbt_target)
    except RsokoError as exc:                  # a mistyped --data: one line, nothing created
        print(f"Ошибка: {exc}", file=sys.stderr)
        return exc.exit_code
    log, log_path = open_run_log(config.out)
    log.info("rsoko run --data %s --out %s --db %s%s%s", config.inbox, config.out, config.warehouse,
             f" --year {year}" if year else "", " --force" if force else "")
    console = Console(log, quiet=quiet, verbose=verbose)
    try:
        with console:
            result = run_configured(config, console)
    except RsokoError as exc:
        log.error("%s", exc)
        if getattr(exc, "output", None):
            log.error("вывод dbt:\n%s", exc.output)
        print(f"Ошибка: {exc}", file=sys.stderr)     # one line; where the log is goes to stdout
        if not quiet:
            print(f"Журнал прогона: {log_path}")
        close_log(log)
        return exc.exit_code
    except BaseException:
        log.exception("непредвиденная ошибка")
        close_log(log)
        raise
    lines = []
    report = result.load_report
    if report is not None:
        lines.append(report.summary(ledger=str(result.year_dir / "data" / "ingestion_ledger.csv")))
    if result.skipped:
        lines.append(f"Входные данные и код не изменились: публикация за {result.year} год актуальна ({result.year_dir}).")
    else:
        if result.repaired:
            lines.append(f"Восстановлено после проверки по manifest.json: {'; '.join(result.repaired)}")
        lines.append(f"Таблицы данных: {result.year_dir / 'data'}")
        lines.append(f"Опубликовано: {result.year_dir / 'public'}  ({stage_timings(result.timings)})")
    lines.append(f"Журнал прогона: {log_path}")
    for line in lines:
        log.info("%s", line)
        if not quiet:
            print(line)
    close_log(log)
    return 0


def _cmd_run(args: argparse.Namespace) -> int:
    return _run(Path(args.data), args.year, Path(args.out), Path(args.db) if args.db else None, args.force,
                dbt_target=Path(args.dbt_target) if args.dbt_target else None, quiet=args.quiet,
                verbose=args.verbose)


def _cmd_demo(args: argparse.Namespace) -> int:
    from synthetic import generate_region

    base = Path(args.dir)
    inbox, truth, out = base / "inbox", base / "truth", base / "out"
    if not inbox.exists() or args.regenerate:
        generate_region(inbox, truth, seed=args.seed, scale="demo")
        if not args.quiet:
            print(f"Синтетический регион (данные вымышленные) создан: {inbox}")
    _demo_title_page(inbox)
    year = args.year or _latest_year(truth)
    return _run(inbox, year, out, None, args.force, quiet=args.quiet, verbose=args.verbose)


def _demo_title_page(inbox: Path) -> None:
    """The demo's inbox gets the shipped `config/report.toml` (fictitious institute), unless the
    person has put one there already: the demo shows a title page as a region would fill it."""
    import shutil

    target = inbox / settings.REPORT_CONFIG
    if not target.exists():
        shutil.copyfile(settings.PROJECT_ROOT / "config" / settings.REPORT_CONFIG, target)


def _latest_year(truth: Path) -> int:
    import json

    return max(json.loads((truth / "truth.json").read_text(encoding="utf-8"))["years"])


def _cmd_bench(args: argparse.Namespace) -> int:
    from rsoko.bench import run_bench, run_layouts

    if args.layouts:
        run_layouts(args.scale, Path(args.out), workdir=Path(args.workdir), seed=args.seed)
    else:
        run_bench(args.scale, Path(args.out), workdir=Path(args.workdir), seed=args.seed)
    return 0


def _add_talk_options(command: argparse.ArgumentParser) -> None:
    talk = command.add_mutually_exclusive_group()
    talk.add_argument("--quiet", action="store_true",
                      help="no progress and no summary; errors only / только ошибки, без хода работы")
    talk.add_argument("--verbose", action="store_true",
                      help="also each file's outcome and dbt's output / также итог по каждому файлу и вывод dbt")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="rsoko",
        description="RSOKO regional education-quality warehouse / региональная система оценки качества образования",
    )
    sub = parser.add_subparsers(dest="command", required=True)

    gen = sub.add_parser("generate", help="make a synthetic region inbox / сгенерировать синтетический регион")
    gen.add_argument("--out", required=True, help="inbox folder to write / папка выгрузок")
    gen.add_argument("--truth", required=True, help="ground truth folder, outside the inbox / папка эталона")
    gen.add_argument("--seed", type=int, default=2025)
    gen.add_argument("--scale", default="demo", help="demo | region | large | a multiplier of region")
    gen.add_argument("--first-year", type=int, default=2023)
    gen.add_argument("--last-year", type=int, default=2025)
    gen.add_argument("--defects", action="store_true", help="inject every contract defect / внести дефекты")
    gen.add_argument("--vpr-layout", choices=("normalised", "fisoko"), default="fisoko",
                     help="ВПР files: normalised (second layout) or fisoko (ФИС ОКО downloads and aggregate forms)"
                          " / макет ВПР: нормализованный или выгрузки ФИС ОКО с формами")
    gen.add_argument("--gia-layout", choices=("normalised", "rcoi"), default="rcoi",
                     help="ГИА files: rcoi (РЦОИ protocols with synthetic names, appeal protocols, the normalised CSV"
                          " for one municipality) or normalised / макет ГИА: протоколы РЦОИ или нормализованный")
    gen.set_defaults(func=_cmd_generate)

    from rsoko import __version__
    from rsoko.errors import EXIT_CODES

    parser.add_argument("--version", action="version", version=f"rsoko {__version__}")
    codes = "\n".join(f"  {code}  {text}" for code, text in EXIT_CODES.items())
    run = sub.add_parser(
        "run", help="ingest an inbox and publish a year / загрузить и опубликовать год",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog=f"exit codes / коды завершения:\n{codes}\n\nexample / пример:\n"
               "  .venv/bin/rsoko run --data INBOX --year 2025 --out OUT\n\n"
               "Progress goes to stdout (a progress display on a terminal, plain lines otherwise), the whole\n"
               "run to OUT/logs/run-YYYYmmdd-HHMMSS.log (not published). / Ход работы — в stdout, весь прогон —\n"
               "в журнал OUT/logs/run-ГГГГММДД-ЧЧММСС.log (не публикуется).")
    run.add_argument("--data", required=True, help="inbox folder / папка выгрузок")
    run.add_argument("--year", type=int,
                     help="year to publish (default: the latest with results) / год (по умолчанию последний с данными)")
    run.add_argument("--out", required=True, help="output folder / папка результатов")
    run.add_argument("--db", help="warehouse DuckDB file (default OUT/warehouse.duckdb) / файл хранилища")
    run.add_argument("--force", action="store_true", help="recompute even if nothing changed / пересчитать")
    _add_talk_options(run)
    run.add_argument("--dbt-target", help=argparse.SUPPRESS)   # rsoko bench: dbt artefacts for node timings
    run.set_defaults(func=_cmd_run)

    demo = sub.add_parser("demo", help="generate the demo region and run it / демонстрационный прогон")
    demo.add_argument("--dir", default=str(settings.PROJECT_ROOT / "var" / "demo"),
                      help="folder for inbox/, truth/ and out/ (default var/demo) / папка демонстрации")
    demo.add_argument("--seed", type=int, default=2025, help="generator seed / зерно генератора")
    demo.add_argument("--year", type=int,
                      help="year to publish (default: the last generated) / год (по умолчанию последний)")
    demo.add_argument("--regenerate", action="store_true",
                      help="write the synthetic inbox again / создать выгрузки заново")
    demo.add_argument("--force", action="store_true", help="recompute even if nothing changed / пересчитать")
    _add_talk_options(demo)
    demo.set_defaults(func=_cmd_demo)

    bench = sub.add_parser("bench", help="benchmark every stage / замеры производительности")
    bench.add_argument("--scale", choices=["region", "large"], default="region")
    bench.add_argument("--out", required=True, help="JSON file for the results")
    bench.add_argument("--workdir", default=str(settings.PROJECT_ROOT / "var" / "bench"))
    bench.add_argument("--seed", type=int, default=2025)
    bench.add_argument("--layouts", action="store_true",
                       help="ingestion only, real layouts (ФИС ОКО, РЦОИ) beside the normalised ones of the same region"
                            " / только загрузка: реальные макеты рядом с нормализованными")
    bench.set_defaults(func=_cmd_bench)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return args.func(args)


if __name__ == "__main__":
    raise SystemExit(main())
