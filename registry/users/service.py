"""The dashboard's users: add one, sign in with a password or a token, change the password, act as one.

Each takes the database URL and plain values, opens the one transaction and returns plain values.
A user acts in a scope (registry.scope) that follows from the role: the city's users and viewers
for every district, a district's users for their district alone, an agency's for its own rows.
"""
from __future__ import annotations

from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from sqlalchemy import delete, func, select

from core.errors import UserError
from registry.db import transaction
from registry.directory.queries import district_government, district_governments
from registry.directory.tables import Organisation
from registry.scope import CITY, EVERY_DISTRICT, acting_for
from registry.users.credentials import hash_password, hash_token, new_password, new_token, password_matches
from registry.users.tables import LoginFailure, User

# Five wrong passwords for one name within a quarter of an hour, then that name waits.
MAX_FAILURES = 5
FAILURE_WINDOW = timedelta(minutes=15)
MIN_PASSWORD_LENGTH = 10


class Role(StrEnum):
    CITY = "city"  # 市编委办: sees every district, acts
    DISTRICT = "district"  # a district's 编委办: sees and acts on its own district only
    AGENCY = "agency"  # a reviewing agency: sees what its organisation owes, cannot act
    VIEWER = "viewer"  # reads (the city, or one district), cannot act


ROLE_NAMES = {Role.CITY: "市级协调人", Role.DISTRICT: "区县协调人", Role.AGENCY: "审核机构", Role.VIEWER: "只读用户"}


class BadUser(UserError, ValueError):
    pass


class LoginLocked(UserError, PermissionError):
    def __init__(self, minutes: int) -> None:
        self.minutes = minutes
        super().__init__(f"登录失败次数过多，请 {minutes} 分钟后再试")


class BadPassword(UserError, ValueError):
    pass


@dataclass(frozen=True)
class UserView:
    name: str
    role: str
    district: str = ""  # a district's code for a district user (or a district's viewer), "" otherwise
    org: str = ""  # an agency user's organisation code
    must_change_password: bool = False

    @property
    def can_act(self) -> bool:
        """Whether the user may decide conflicts, waive, reopen and resend (through the service functions)."""
        return self.role in (Role.CITY, Role.DISTRICT)

    @property
    def scope(self) -> str:
        """The district scope the user's requests run in (registry.scope)."""
        if self.role == Role.CITY:
            return EVERY_DISTRICT
        if self.role == Role.VIEWER:
            return self.district or EVERY_DISTRICT
        return self.district or CITY

    @property
    def sees_every_district(self) -> bool:
        return self.scope == EVERY_DISTRICT

    @property
    def role_name(self) -> str:
        return ROLE_NAMES[Role(self.role)]


@dataclass(frozen=True)
class NewUser:
    user: UserView
    password: str  # for the first login only
    token: str  # for the API: shown once, stored as its digest


def _view(user: User) -> UserView:
    return UserView(user.name, user.role, user.district, user.org_code, user.must_change_password)


def acting_for_district(district: str) -> AbstractContextManager[None]:
    """A district user's command (REFORM_DISTRICT): everything it reads and writes is that district's."""
    return acting_for(district)


@contextmanager
def acting_as(user: UserView) -> Iterator[None]:
    """Run the block in the user's scope: whatever the service functions read or write inside it."""
    with acting_for(user.scope):
        yield


def add_user(url: str, name: str, role: str, now: datetime, district: str = "", org: str = "") -> NewUser:
    """Add a user with a one-time password and an API token; every problem is named at once."""
    name, district, org = name.strip(), district.strip(), org.strip()
    with transaction(url) as session:
        problems = []
        if not name or len(name) > 100:
            problems.append("用户名不能为空，且不超过 100 个字符")
        elif session.scalar(select(User.id).where(User.name == name)) is not None:
            problems.append(f"用户 {name!r} 已存在，请换一个用户名")
        if role not in Role._value2member_map_:
            problems.append(f"没有角色 {role!r}，可用的角色：{'、'.join(Role)}")
        government = district_government(session, district) if district else None
        # In a province each other city is a scope of its own, as a district is: the scope its
        # districts' governments are in (registry/province).
        cities = sorted({g.district for g in district_governments(session) if g.district})
        if role == Role.DISTRICT and not district:
            problems.append("区县用户必须用 --district 指明区县代码（例如 210102）")
        if district and government is None and district not in cities:
            problems.append(f"没有区县代码 {district!r}，可用的区县代码："
                            f"{'、'.join(f'{g.division_code}（{g.short_name}）' for g in district_governments(session))}"
                            + (f"；各市的代码：{'、'.join(cities)}" if cities else ""))
        district = government.division_code if government else district
        if role == Role.AGENCY and not org:
            problems.append("审核机构用户必须用 --org 指明单位代码（例如 fzb）")
        found = session.scalar(select(Organisation).where(Organisation.code == org)) if org else None
        if org and found is None:
            problems.append(f"没有单位代码 {org!r}（单位代码见 reform directory export）")
        if org and role != Role.AGENCY:
            problems.append("只有审核机构（--role agency）的用户需要 --org")
        if problems:
            raise BadUser("；".join(problems))
        if found is not None and not district:
            district = found.district  # a district's own agency works in its district's rows
        password, token = new_password(), new_token()
        user = User(name=name, role=role, district=district, org_code=org, password_hash=hash_password(password),
                    must_change_password=True, token_hash=hash_token(token), created_at=now)
        session.add(user)
        session.flush()
        return NewUser(_view(user), password, token)


def authenticate(url: str, name: str, password: str, now: datetime) -> UserView | None:
    """The user if the password is theirs, else None (the failure counted); raises LoginLocked once a
    name has failed MAX_FAILURES times within FAILURE_WINDOW, whatever the password."""
    name = name.strip()
    with transaction(url) as session:
        since = now - FAILURE_WINDOW
        # Failures older than the window count no more: forgotten, so the table stays small.
        session.execute(delete(LoginFailure).where(LoginFailure.at <= since))
        failures = session.execute(select(func.count(), func.min(LoginFailure.at))
                                   .where(LoginFailure.name == name[:100], LoginFailure.at > since)).one()
        if failures[0] >= MAX_FAILURES:
            left = failures[1] + FAILURE_WINDOW - now
            raise LoginLocked(max(1, -(-int(left.total_seconds()) // 60)))
        user = session.scalar(select(User).where(User.name == name))
        if not password_matches(user.password_hash if user else None, password):
            session.add(LoginFailure(name=name[:100], at=now))
            return None
        session.execute(delete(LoginFailure).where(LoginFailure.name == name))
        return _view(user)


def user_named(url: str, name: str) -> UserView | None:
    """The user a signed session names, if they still exist."""
    with transaction(url) as session:
        user = session.scalar(select(User).where(User.name == name))
        return _view(user) if user else None


def user_for_token(url: str, token: str) -> UserView | None:
    """The user whose API token this is, or None."""
    if not token:
        return None
    with transaction(url) as session:
        user = session.scalar(select(User).where(User.token_hash == hash_token(token)))
        return _view(user) if user else None


def change_password(url: str, name: str, current: str, new: str) -> UserView:
    """Replace the user's password (the one-time one first of all), given the current one."""
    with transaction(url) as session:
        user = session.scalar(select(User).where(User.name == name))
        if user is None or not password_matches(user.password_hash, current):
            raise BadPassword("当前密码不正确")
        if len(new) < MIN_PASSWORD_LENGTH:
            raise BadPassword(f"新密码至少 {MIN_PASSWORD_LENGTH} 个字符")
        if new == current:
            raise BadPassword("新密码不能与当前密码相同")
        user.password_hash, user.must_change_password = hash_password(new), False
        return _view(user)


def list_users(url: str) -> list[UserView]:
    with transaction(url) as session:
        return [_view(u) for u in session.scalars(select(User).order_by(User.name))]
