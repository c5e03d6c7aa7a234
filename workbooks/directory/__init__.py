"""Reading and writing the organisation directory as YAML or Excel.

The directory is typed in by coordinators, so every problem is reported at once, in
Chinese, with the file, the row and the field, before anything reaches the database.
"""
from workbooks.directory.fields import FIELDS, HEADERS, SHEET_TITLE
from workbooks.directory.problems import DirectoryFileError
from workbooks.directory.read import read_directory
from workbooks.directory.writers import write_directory

__all__ = ["FIELDS", "HEADERS", "SHEET_TITLE", "DirectoryFileError", "read_directory", "write_directory"]
