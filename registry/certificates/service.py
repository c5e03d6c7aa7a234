"""The certificate ledger's use cases for the command line and scripts."""
from __future__ import annotations

from datetime import date

from core.errors import UserError
from registry.certificates import listing
from registry.db import transaction
from registry.directory.queries import find_organisation
from rules.certificates import DISPOSITIONS


class UnknownDisposition(UserError, ValueError):
    pass


def certificates_list(url: str, org_code: str | None = None, disposition: str | None = None,
                      campaign: str | None = None) -> list[dict]:
    """Every certificate of the current ledgers, by department, with its disposition and state."""
    if disposition is not None and disposition not in DISPOSITIONS:
        raise UnknownDisposition(f"没有处理方式 {disposition!r}，可用的：{'、'.join(DISPOSITIONS)}")
    with transaction(url) as session:
        if org_code is not None:
            org_code = find_organisation(session, org_code).code
        return listing.certificates_list(session, org_code, disposition, campaign)


def certificate_documents(url: str, as_of: date, campaign: str | None = None) -> list[tuple[str, bytes]]:
    """The 保留 and 取消 lists and the 告知承诺书, as (file name, content)."""
    with transaction(url) as session:
        return listing.certificate_documents(session, as_of, campaign)
