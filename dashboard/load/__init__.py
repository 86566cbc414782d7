"""The write side: the only code that writes the database.

    writer.py   ingest (jixiao ingest), update (jixiao app's start-up), stage_uploads / commit / discard (数据导入)
    files.py    the writers' lock, staged copies (write-ahead log included), taking over a killed writer's copy,
                the atomic swap
    batch.py    files -> parsed Documents (worker processes for large loads) -> the store, batch by batch
    store.py    Documents -> rows of the tables (dashboard/sql/tables.sql), one transaction per batch
    uploads.py  files imported through the app, kept beside the database for rebuilds
    marks.py    复核 statuses set on the 复核清单 page (through the same lock, copy and swap), logged for rebuilds
    result.py   LoadResult, the one result type of every write

Parsing is dashboard/ingest/ (pure); reading is dashboard/db.py and dashboard/reader.py.
"""

from dashboard.load.batch import expand_paths
from dashboard.load.files import DatabaseBusy, DatabaseUnreadable, StaleStage, lock_holder
from dashboard.load.marks import Mark, mark
from dashboard.load.result import FileResult, LoadResult
from dashboard.load.store import SchemaOutdated
from dashboard.load.uploads import Upload, upload_destination
from dashboard.load.writer import StagedImport, commit, discard, ingest, stage_uploads, update

__all__ = [
    "DatabaseBusy",
    "DatabaseUnreadable",
    "FileResult",
    "LoadResult",
    "Mark",
    "SchemaOutdated",
    "StagedImport",
    "StaleStage",
    "Upload",
    "commit",
    "discard",
    "expand_paths",
    "ingest",
    "lock_holder",
    "mark",
    "stage_uploads",
    "update",
    "upload_destination",
]
