"""What a file's bytes are, whatever its name says: an Excel workbook, a PDF, a Word or an OFD document.

Only the signature and a zip's list of entries are read (never its contents), so a hostile file
costs no more than its own size here.
"""
from __future__ import annotations

import io
import zipfile

from rules.documents import Format

PDF_SIGNATURE = b"%PDF-"
# PDF readers accept a little junk before the signature; so does this.
PDF_SEARCH_BYTES = 1024
ZIP_SIGNATURE = b"PK\x03\x04"


def sniff(content: bytes) -> Format | None:
    """The format the content shows, or None when it is none of ours (or damaged); macros are workbooks.safety's to refuse."""
    if PDF_SIGNATURE in content[:PDF_SEARCH_BYTES]:
        return Format.PDF
    if not content.startswith(ZIP_SIGNATURE):
        return None
    try:
        names = {name.lower() for name in zipfile.ZipFile(io.BytesIO(content)).namelist()}
    except (zipfile.BadZipFile, ValueError, OSError, EOFError):
        return None
    if "word/document.xml" in names:
        return Format.DOCX
    if "ofd.xml" in names:
        return Format.OFD
    if "[content_types].xml" in names and any(name.startswith("xl/") for name in names):
        return Format.XLSX
    return None
