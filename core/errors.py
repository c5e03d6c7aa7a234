"""The one base for everything a user can cause: a bad file, an unknown code, a step out of order.

Its message is for the official who caused it, in Chinese, whole: the CLI prints it as one line
and exits 2. Anything that is not a UserError is our own bug and keeps its traceback.
"""
from __future__ import annotations


class UserError(Exception):
    """Bad input or a request the campaign's state does not allow."""


class MissingFile(UserError, FileNotFoundError):
    """A file named on the command line (a workbook, a plan, a calendar) that is not there."""
