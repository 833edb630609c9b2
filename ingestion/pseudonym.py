"""Pseudonymisation at the door (input contract §10): names and documents never get past the reader.

A РЦОИ protocol names its participants (`Фамилия`, `Имя`, `Отчество`, identity document). At
ingestion each gets `ID участника` = the first 16 hex characters of HMAC-SHA256 over the
normalised `Фамилия|Имя|Отчество|document`, keyed by the institute's pseudonymisation key. The
key is a file outside the warehouse and the outputs (`rsoko.settings.pseudonym_key_path`),
created with owner-only permissions (0600) by the first run that needs it. The warehouse keeps
the key's fingerprint in `meta.pseudonym_key`; a later run with another key stops instead of
silently giving every pupil a new id (that would break ОГЭ → ЕГЭ → admissions links).

Why HMAC rather than a plain hash: names and document numbers are guessable, so an unkeyed hash
could be reversed by hashing a list of candidates; without the key that is impossible.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import logging
import os
import re
import secrets
from pathlib import Path

import numpy as np

log = logging.getLogger("rsoko.pseudonym")

KEY_BYTES = 32
ID_HEX = 16
_SPACES = re.compile(r"\s+")
_NOT_DIGIT = re.compile(r"\D+")


class KeyMismatch(SystemExit):
    """The key at hand is not the one this warehouse was built with: the run must stop.

    A SystemExit so that no reader's «one bad file never stops the run» handler swallows it and
    the CLI prints the Russian message without a traceback.
    """


# ------------------------------------------------------------------ normalisation and ids
def norm_name(value: object) -> str:
    """A name part as hashed: upper case, `Ё`→`Е`, single spaces, trimmed (None → '')."""
    if value is None or (isinstance(value, float) and value != value):
        return ""
    return _SPACES.sub(" ", str(value).replace("\xa0", " ")).strip().upper().replace("Ё", "Е")


def norm_document(value: object) -> str:
    """The document's digits only (`1111 222222`, `11 11 №222222` → `1111222222`)."""
    if value is None or (isinstance(value, float) and value != value):
        return ""
    text = str(value)
    if text.endswith(".0") and text[:-2].isdigit():  # a number cell read as float text
        text = text[:-2]
    return _NOT_DIGIT.sub("", text)


def person_id(key: bytes, surname: object, name: object, patronymic: object, document: object) -> str | None:
    """`ID участника` of one person; None when there is nothing to identify them by."""
    parts = [norm_name(surname), norm_name(name), norm_name(patronymic), norm_document(document)]
    if not (parts[0] or parts[1]) and not parts[3]:
        return None
    msg = "|".join(parts).encode("utf-8")
    return hmac.new(key, msg, hashlib.sha256).hexdigest()[:ID_HEX]


def person_ids(key: bytes, surname, name, patronymic, document) -> np.ndarray:
    """`person_id` over arrays: the same ids, computed column-wise.

    A protocol of a few hundred rows repeats first names and patronymics many times, so each
    distinct value is normalised once (`_normalised`), and the HMAC is the one-shot
    `hmac.digest` (OpenSSL, no HMAC object per row). Distinct people rarely repeat within a
    file, so the HMAC per row is the floor. `tests/test_pseudonym.py` checks the result
    against `person_id` row by row.
    """
    parts = [_normalised(surname, norm_name), _normalised(name, norm_name), _normalised(patronymic, norm_name),
             _normalised(document, norm_document)]
    out = np.empty(len(parts[0]), dtype=object)
    digest = hmac.digest
    for i, (s, n, p, d) in enumerate(zip(*parts)):
        if not (s or n) and not d:
            out[i] = None
        else:
            out[i] = digest(key, f"{s}|{n}|{p}|{d}".encode("utf-8"), "sha256").hex()[:ID_HEX]
    return out


def _normalised(values, norm) -> list[str]:
    """`norm` of every value, computed once per distinct value (blanks → '').

    Keyed by type and value: `1` and `1.0` are equal as keys but normalise differently.
    """
    seen: dict = {}
    out = []
    for v in values:
        k = (v.__class__, v)
        try:
            got = seen.get(k)
        except TypeError:  # an unhashable cell: normalised on its own
            out.append(norm(v))
            continue
        if got is None:
            got = seen[k] = norm(v)
        out.append(got)
    return out


def fingerprint(key: bytes) -> str:
    """What the warehouse records of the key: a hash of it, never the key (and not an id)."""
    return hashlib.sha256(b"rsoko pseudonym key fingerprint\x00" + key).hexdigest()[:32]


# ------------------------------------------------------------------ the key file
def load_or_create(path: Path) -> tuple[bytes, bool]:
    """(key, created): read the key at `path`, or create it there with permissions 0600.

    The file is opened with O_EXCL and mode 0600 in one call, so the key is never readable by
    others, not even between creation and a later chmod.
    """
    path = Path(path)
    if path.exists():
        data = path.read_bytes().strip()
        try:
            key = bytes.fromhex(data.decode("ascii"))
        except (UnicodeDecodeError, ValueError):
            key = b""
        if len(key) < 16:
            raise KeyMismatch(f"Ошибка: файл ключа псевдонимизации {path} повреждён (ожидается не менее 32 "
                              "шестнадцатеричных символов); восстановите ключ из резервной копии")
        return key, False
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    key = secrets.token_bytes(KEY_BYTES)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        os.write(fd, key.hex().encode("ascii") + b"\n")
    finally:
        os.close(fd)
    os.chmod(path, 0o600)  # in case the umask or the file system widened it
    return key, True


def _inside(child: Path, parent: Path) -> bool:
    try:
        child.resolve().relative_to(parent.resolve())
        return True
    except ValueError:
        return False


# ------------------------------------------------------------------ one load's key session
_DDL = """
create schema if not exists meta;
create table if not exists meta.pseudonym_key (
    fingerprint varchar not null,   -- fingerprint(key): the key itself is never stored here
    recorded_at timestamp not null
)
"""


class Session:
    """The key as one load uses it: loaded lazily (only a protocol needs it), checked against
    the warehouse's recorded fingerprint, and recorded there after the load if it was used."""

    def __init__(self, recorded: str | None, path: Path, forbidden: tuple[Path, ...] = ()):
        self.recorded = recorded
        self.path = Path(path)
        self.forbidden = forbidden
        self._key: bytes | None = None
        self.created = False

    @property
    def used(self) -> bool:
        return self._key is not None

    def key(self) -> bytes:
        if self._key is None:
            for place in self.forbidden:
                if _inside(self.path, place):
                    raise KeyMismatch(f"Ошибка: ключ псевдонимизации {self.path} лежит внутри {place}; ключ хранится "
                                      "вне входной папки, хранилища и публикаций (задайте RSOKO_KEY)")
            if self.recorded is not None and not self.path.exists():
                raise KeyMismatch(
                    f"Ошибка: хранилище построено с ключом псевдонимизации (отпечаток {self.recorded}), а файла ключа "
                    f"{self.path} нет. Новый ключ разорвал бы связь ID участников с прошлыми годами: восстановите "
                    "ключ или укажите его путь в RSOKO_KEY")
            key, created = load_or_create(self.path)
            fp = fingerprint(key)
            if self.recorded is not None and fp != self.recorded:
                raise KeyMismatch(
                    f"Ошибка: ключ псевдонимизации {self.path} (отпечаток {fp}) не тот, с которым построено хранилище "
                    f"(отпечаток {self.recorded}); с другим ключом ID участников не совпали бы с прошлыми годами. "
                    "Укажите прежний ключ в RSOKO_KEY или начните новое хранилище")
            if created:
                log.warning("создан ключ псевдонимизации %s (права 0600, отпечаток %s); храните его и его "
                            "резервную копию: без него ID участников следующих лет не совпадут", self.path, fp)
            self._key, self.created = key, created
        return self._key

    def record(self, con) -> None:
        """After the load: remember the key's fingerprint in a warehouse that has none yet."""
        if self._key is not None and self.recorded is None:
            con.execute("insert into meta.pseudonym_key values (?, ?)", [fingerprint(self._key), dt.datetime.now()])
            self.recorded = fingerprint(self._key)


_current: Session | None = None


def begin(con, forbidden: tuple[Path, ...] = ()) -> Session:
    """Start the key session of one load on warehouse `con` (reads the recorded fingerprint)."""
    global _current
    from rsoko.settings import out_path, pseudonym_key_path

    con.execute(_DDL)
    row = con.execute("select fingerprint from meta.pseudonym_key order by recorded_at limit 1").fetchone()
    _current = Session(row[0] if row else None, pseudonym_key_path(), (*forbidden, out_path()))
    return _current


def end(con) -> None:
    """Record the fingerprint if the load used the key; close the session."""
    global _current
    if _current is not None:
        _current.record(con)
    _current = None


def current_key() -> bytes:
    """The key for a reader. Outside a load (a look at one file) the key is read but not checked."""
    global _current
    if _current is None:
        from rsoko.settings import out_path, pseudonym_key_path

        _current = Session(None, pseudonym_key_path(), (out_path(),))
    return _current.key()
