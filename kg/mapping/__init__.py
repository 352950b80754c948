"""Source tables and their CSVW metadata to named graphs, with strict input checks.

The public face is :func:`map_tables`; the submodules hold the pieces: ``metadata`` reads the
CSVW metadata, ``reader`` the CSV files, ``datatypes`` checks cells, ``templates`` makes IRIs and
``engine`` turns rows into quads.
"""

from kg.mapping.engine import MappedTable, MappingResult, map_table_group, map_tables
from kg.mapping.metadata import TableGroupSpec, TableSpec, load_table_group

__all__ = [
    "MappedTable",
    "MappingResult",
    "TableGroupSpec",
    "TableSpec",
    "load_table_group",
    "map_table_group",
    "map_tables",
]
