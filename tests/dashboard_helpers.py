"""A registry for the dashboard's tests: the city's campaign, 和平区's own, a review conflict, and one
user of each role with their password already changed."""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime

from starlette.testclient import TestClient

from dashboard.app import create_app
from dashboard.settings import DashboardSettings
from registry.districts.service import open_campaign
from registry.users import service as users
from tests.review_helpers import accepted_list, all_agencies_reply, merge, route

AS_OF = date(2016, 12, 28)  # after 和平区 opened its campaign; the city's inventory long overdue
SECRET = "a test key that signs the session cookies, long enough"
PASSWORD = "一个足够长的新密码-2016"
# 市法制办 would cancel the first item of 市教育局's list, the others keep it: a conflict to decide.
CANCEL_BY_LEGAL_OFFICE = {"fzb": {0: ("取消", "无法律法规依据", "")}}


@dataclass(frozen=True)
class Person:
    name: str
    role: str
    password: str
    token: str


def make_registry(url: str) -> int:
    """和平区's campaign opened and 市教育局's list in conflict; returns the submission's id."""
    submission_id = accepted_list(url, "jyj")
    route(url, submission_id)
    all_agencies_reply(url, submission_id, CANCEL_BY_LEGAL_OFFICE)
    merge(url, submission_id)
    open_campaign(url, "210102", date(2016, 12, 20), datetime(2016, 12, 20, 9))
    return submission_id


def add_people(url: str) -> dict[str, Person]:
    """One user per role, each with the one-time password replaced (as after their first login)."""
    people = {}
    for name, role, extra in (("市编委办王丽", "city", {}), ("和平区编委办", "district", {"district": "210102"}),
                              ("市法制办审核", "agency", {"org": "fzb"}), ("观察员", "viewer", {})):
        made = users.add_user(url, name, role, datetime(2016, 12, 1, 9), **extra)
        users.change_password(url, name, made.password, PASSWORD)
        people[role] = Person(name, role, PASSWORD, made.token)
    return people


def dashboard_client(url: str, as_of: date = AS_OF) -> TestClient:
    app = create_app(url, DashboardSettings(secret=SECRET), as_of=as_of)
    return TestClient(app, base_url="http://dashboard.test")


def csrf_of(html: str) -> str:
    return re.search(r'name="csrf" value="([^"]+)"', html).group(1)


def log_in(client: TestClient, name: str, password: str = PASSWORD):
    csrf = csrf_of(client.get("/login").text)
    return client.post("/login", data={"name": name, "password": password, "csrf": csrf}, follow_redirects=False)


def bearer(person: Person) -> dict[str, str]:
    return {"Authorization": f"Bearer {person.token}"}


@dataclass(frozen=True)
class Built:
    url: str
    people: dict[str, Person]
    submission_id: int


def built_registries(seeded_templates, tmp_path_factory, postgres_database):
    """Build the dashboard's registry once per backend; each test then gets a copy (milliseconds)."""
    import shutil

    from registry.db import engine_for

    built: dict[str, Built] = {}
    drops = []

    def template(backend: str) -> Built:
        if backend not in built:
            if backend == "sqlite":
                url = f"sqlite:///{tmp_path_factory.mktemp('dashboard') / 'registry.db'}"
                shutil.copyfile(seeded_templates("sqlite").split("///", 1)[1], url.split("///", 1)[1])
            else:
                url, drop = postgres_database(seeded_templates("postgresql").rsplit("/", 1)[1])
                drops.append(drop)
            submission_id = make_registry(url)
            people = add_people(url)
            engine_for(url).dispose()  # a template must have no open connections
            built[backend] = Built(url, people, submission_id)
        return built[backend]

    return template, drops


def copy_of(backend: str, template: Built, tmp_path, postgres_database) -> tuple[Built, callable]:
    import shutil

    if backend == "sqlite":
        path = tmp_path / "registry.db"
        shutil.copyfile(template.url.split("///", 1)[1], path)
        return Built(f"sqlite:///{path}", template.people, template.submission_id), lambda: None
    url, drop = postgres_database(template.url.rsplit("/", 1)[1])
    return Built(url, template.people, template.submission_id), drop
