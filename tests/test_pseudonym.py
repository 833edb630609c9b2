"""Pseudonymisation key and ids (input contract §10): HMAC, key file 0600, fingerprint checked."""
from __future__ import annotations

import hashlib
import hmac
import stat

import duckdb
import pytest

from ingestion import pseudonym
from rsoko import settings


@pytest.fixture
def key_path(tmp_path, monkeypatch):
    path = tmp_path / "keys" / "pseudonym.key"
    monkeypatch.setenv("RSOKO_KEY", str(path))
    return path


def test_id_is_hmac_sha256_of_the_normalised_fields_truncated_to_16_hex():
    key = bytes(range(32))
    expected = hmac.new(key, "СОЛОВЬЕВ|ПЕТР|АНДРЕЕВИЧ|6712104870".encode(), hashlib.sha256).hexdigest()[:16]
    assert pseudonym.person_id(key, "  Соловьёв ", "пётр", "Андреевич", "6712 104870") == expected
    # spelling noise that the normalisation removes gives the same id; another document does not
    assert pseudonym.person_id(key, "СОЛОВЬЕВ", "Петр", "андреевич\xa0", "67 12 №104870") == expected
    assert pseudonym.person_id(key, "Соловьёв", "Пётр", "Андреевич", "6712 104871") != expected
    assert pseudonym.person_id(b"another key " * 3, "Соловьёв", "Пётр", "Андреевич", "6712 104870") != expected
    assert pseudonym.person_id(key, None, None, None, None) is None


def test_key_path_comes_from_the_environment_or_the_user_config_folder(tmp_path, monkeypatch):
    monkeypatch.setenv("RSOKO_KEY", str(tmp_path / "k"))
    assert settings.pseudonym_key_path() == (tmp_path / "k").resolve()
    monkeypatch.delenv("RSOKO_KEY")
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "cfg"))
    path = settings.pseudonym_key_path()
    assert path == (tmp_path / "cfg" / "rsoko" / "pseudonym.key").resolve()
    assert settings.PROJECT_ROOT not in path.parents


def test_first_need_creates_the_key_owner_only_then_reuses_it(key_path):
    con = duckdb.connect(":memory:")
    s = pseudonym.begin(con)
    assert not key_path.exists()          # nothing needed the key yet
    key = s.key()
    assert key_path.exists() and s.created
    assert stat.S_IMODE(key_path.stat().st_mode) == 0o600
    pseudonym.end(con)
    recorded = con.execute("select fingerprint from meta.pseudonym_key").fetchall()
    assert recorded == [(pseudonym.fingerprint(key),)]
    assert key.hex() not in recorded[0][0]
    s2 = pseudonym.begin(con)
    assert s2.key() == key and not s2.created
    pseudonym.end(con)
    assert con.execute("select count(*) from meta.pseudonym_key").fetchone()[0] == 1


def test_another_key_on_an_existing_warehouse_stops_with_a_clear_message(key_path, tmp_path, monkeypatch):
    con = duckdb.connect(":memory:")
    pseudonym.begin(con).key()
    pseudonym.end(con)
    other = tmp_path / "other.key"
    monkeypatch.setenv("RSOKO_KEY", str(other))
    s = pseudonym.begin(con)
    with pytest.raises(pseudonym.KeyMismatch) as exc:  # the key is missing: a new one would break the links
        s.key()
    assert "восстановите ключ" in str(exc.value) and not other.exists()
    pseudonym.load_or_create(other)
    with pytest.raises(pseudonym.KeyMismatch) as exc:
        pseudonym.begin(con).key()
    assert "не тот, с которым построено хранилище" in str(exc.value)


def test_a_key_inside_the_inbox_or_out_is_refused(tmp_path, monkeypatch):
    inbox = tmp_path / "inbox"
    monkeypatch.setenv("RSOKO_KEY", str(inbox / "pseudonym.key"))
    con = duckdb.connect(":memory:")
    with pytest.raises(pseudonym.KeyMismatch):
        pseudonym.begin(con, forbidden=(inbox,)).key()
    assert not (inbox / "pseudonym.key").exists()
    monkeypatch.setenv("RSOKO_OUT", str(tmp_path / "out"))
    monkeypatch.setenv("RSOKO_KEY", str(tmp_path / "out" / "k.key"))
    with pytest.raises(pseudonym.KeyMismatch):
        pseudonym.begin(con).key()


def test_ids_over_columns_are_the_ids_of_each_row():
    """`person_ids` (normalising each distinct value once) gives what `person_id` gives row by row,
    for spelling noise, blanks, NaN, numbers and a document read as a float."""
    import numpy as np

    key = bytes(range(32))
    surname = np.array(["  Соловьёв ", "СОЛОВЬЕВ", None, float("nan"), "Ли", "Ли", 1, 1.0, "", "Ким"], dtype=object)
    name = np.array(["пётр", "Петр", None, None, "Анна", "Анна", "1", "1", "", None], dtype=object)
    patronymic = np.array(["Андреевич", "андреевич\xa0", None, None, None, "Юн", None, None, "", None], dtype=object)
    document = np.array(["6712 104870", "67 12 №104870", None, "4510123456", 4510123456.0, "4510 123456", None,
                         None, "", "12 34"], dtype=object)
    got = pseudonym.person_ids(key, surname, name, patronymic, document)
    expected = [pseudonym.person_id(key, *row) for row in zip(surname, name, patronymic, document)]
    assert list(got) == expected
    assert got[0] == got[1] and got[2] is None and got[8] is None
    assert got[6] != got[7]   # the name 1 and the name 1.0 are written differently
