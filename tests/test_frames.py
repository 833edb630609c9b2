"""rsoko.frames.frame_chunks on a real DuckDB result: what the data tables' export and the school
packs' reading rely on — the first frame even when empty (columns and types known), then only
non-empty frames, together every row once in order."""
from __future__ import annotations

import duckdb
import pandas as pd

from rsoko.frames import frame_chunks


def test_rows_come_in_chunks_of_whole_vectors_and_add_up_to_the_result():
    con = duckdb.connect()
    result = con.execute("select i, 'школа ' || i::varchar as name from range(5000) t(i) order by i")
    chunks = list(frame_chunks(result, 1))            # one vector: 2 048 rows
    assert [len(c) for c in chunks] == [2048, 2048, 904]
    whole = pd.concat(chunks, ignore_index=True)
    assert whole["i"].tolist() == list(range(5000)) and whole["name"].iloc[4999] == "школа 4999"


def test_an_empty_result_is_one_empty_frame_with_its_columns():
    con = duckdb.connect()
    chunks = list(frame_chunks(con.execute("select 1::integer as n, 'x' as t where false"), 16))
    assert len(chunks) == 1 and chunks[0].empty and list(chunks[0].columns) == ["n", "t"]
    assert str(chunks[0]["n"].dtype) == "int32"
