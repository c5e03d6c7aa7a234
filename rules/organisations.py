"""Plain records that cross the boundary between files, the database and the rules.

They carry no SQLAlchemy state, so readers of directory and calendar files can be
tested without a database and tasks can pass them around as plain values.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum


class OrgKind(StrEnum):
    """What an organisation is in the plan."""

    DEPARTMENT = "department"  # 市直部门 / 直属单位 (the lead agencies are departments too)
    DISTRICT = "district"  # 区、县(市)人民政府
    # 国有企业 (国有企事业单位) under its industry regulator (task 15); never one of the departments.
    ENTERPRISE = "enterprise"


class OrgRole(StrEnum):
    """Roles an organisation plays in the campaign, besides owing its own inventory."""

    COORDINATOR = "coordinator"  # 市编委办: runs the campaign
    LEAD_AGENCY = "lead_agency"  # the four reviewing agencies
    GENERAL_OFFICE = "general_office"  # 市政府办公厅: publication, supervision (督查)
    BIG_DATA = "big_data"  # 市大数据局
    REGULATOR = "regulator"  # 行业主管部门 of state-owned enterprises


@dataclass(frozen=True)
class Person:
    name: str = ""
    email: str = ""
    phone: str = ""


@dataclass(frozen=True)
class OrgRecord:
    """One row of the directory: an organisation and its three contacts."""

    code: str
    name: str
    short_name: str
    kind: OrgKind
    roles: tuple[OrgRole, ...] = ()
    division_code: str = ""  # GB/T 2260: a district's own, and that of the departments under it
    parent_code: str = ""  # a district department's district government, an enterprise's regulator
    address: str = ""
    contact: Person = field(default_factory=Person)  # 工作联系人
    leader: Person = field(default_factory=Person)  # 分管领导
    head: Person = field(default_factory=Person)  # 主要负责同志 (第一责任人)
