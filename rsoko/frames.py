"""DuckDB query results as pandas frames, a chunk at a time.

Converting a large result to pandas at once makes one Python object per text cell for all of it
(a data table or a pack mart of the large region: tens of millions), and the memory they took stays
with the process. Both the data tables' export (`rsoko.pipeline`) and the school packs' reading
(`reports.packs`) therefore walk the result chunk by chunk with this one iterator.
"""
from __future__ import annotations

from collections.abc import Iterator

import duckdb
import pandas as pd


def frame_chunks(result: duckdb.DuckDBPyConnection, vectors: int) -> Iterator[pd.DataFrame]:
    """The rows of an executed query as frames of `vectors` × 2 048 rows.

    The first frame is always yielded, empty when the query has no rows, so a caller knows the
    columns and their types; after it only non-empty frames follow.
    """
    chunk = result.fetch_df_chunk(vectors)
    yield chunk
    while len(chunk := result.fetch_df_chunk(vectors)):
        yield chunk
