"""A table as read from a file, before conversion, and the text normalisation used to match
headers, sheet names and category values (the bottom of :mod:`jxedu.ingest`)."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

import pandas as pd

from jxedu.core.schema import Table


def norm_text(s: str) -> str:
    """NFKC-normalise, strip every whitespace, lower-case ASCII (for matching headers and names)."""
    s = unicodedata.normalize("NFKC", str(s))
    return re.sub(r"\s+", "", s).lower()


@dataclass
class RawTable:
    """One table as read, before conversion.

    Attributes
    ----------
    table
        Its schema.
    file, sheet
        Where it came from (file name relative to the data set; sheet for workbooks).
    data
        Cells as strings (``NaN`` for empty), columns = English keys of the recognised columns,
        index = Excel row numbers. Personal-data columns are already gone.
    headers
        English key -> header as found in the file.
    """

    table: Table
    file: str
    sheet: str | None
    data: pd.DataFrame
    headers: dict[str, str] = field(default_factory=dict)

    def header(self, key: str) -> str:
        """Header as found for ``key`` (the schema's Chinese header if the column is absent)."""
        if key in self.headers:
            return self.headers[key]
        try:
            return self.table.column(key).zh
        except KeyError:
            return key

    def where(self) -> str:
        """File (and sheet) as Chinese text."""
        return f"{self.file} 工作表“{self.sheet}”" if self.sheet else self.file
