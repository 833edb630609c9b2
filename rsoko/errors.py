"""Errors a person running rsoko reads: one Russian line each, with the exit code the CLI returns.

Anything the pipeline can foresee (no results for the year, a busy or unreadable warehouse, a
missing inbox, a failing dbt test) is raised as one of these, so the CLI prints its message and
exits with its code instead of a traceback. `rsoko run --help` lists the codes.
"""
from __future__ import annotations


class RsokoError(RuntimeError):
    """A failure explained in one Russian line (the message), with the CLI's exit code."""

    exit_code = 1


class InputMissing(RsokoError):
    """The inbox folder given does not exist or is not a folder (nothing is created)."""

    exit_code = 2


class NothingToPublish(RsokoError):
    """The inbox has no ГИА or ВПР data for the requested year."""

    exit_code = 2


class PublicationStopped(RsokoError):
    """dbt build failed: a model did not build or a blocking test failed."""

    exit_code = 3


class Busy(RsokoError):
    """Another run holds the warehouse or the output folder."""

    exit_code = 4


class StorageError(RsokoError):
    """The warehouse or an output file could not be read or written (disk, permissions, damage)."""

    exit_code = 5


EXIT_CODES: dict[int, str] = {
    0: "published, or already up to date / опубликовано или уже актуально",
    1: "unexpected error (with a traceback) / непредвиденная ошибка",
    2: "no inbox folder, or no ГИА/ВПР results for the year / нет папки выгрузок или результатов за год",
    3: "dbt build or a blocking data test failed / модели dbt или блокирующая проверка не прошли",
    4: "another run holds the warehouse or OUT / хранилище или папка занята другим прогоном",
    5: "warehouse or output files unreadable or unwritable / ошибка чтения или записи файлов",
}
