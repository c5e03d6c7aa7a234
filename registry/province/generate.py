"""A province to try the project on: every city's and district's directory and plan, as files.

The files are the project's own formats, the ones `reform directory import` and the plan loader
read, so a generated province is loaded, checked and refused the same way a real one would be.
The home city is the shipped sample (Shenyang's directory, plan and district directories, copied
as they are); every other city is made up around its real districts and counties: about 60
departments besides its four lead agencies, its government office and its big-data bureau, and
for each district about 25 departments besides its own four agencies and office. Every city's
plan is the city plan named for that city; every district's is the template the project derives
for a district (registry.districts.plans). Nothing here needs a database: it sits in the registry
because it derives from the registry's seed and district template, beside the loader that reads
what it writes.

The same seed gives the same province, byte for byte; each city and district draws from its own
random stream, so a smaller province is a part of the larger one.
"""
from __future__ import annotations

import random
import shutil
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from registry.districts.plans import Naming, template_text
from registry.province.manifest import MANIFEST, CityEntry, DistrictEntry, Manifest, manifest_text
from registry.province.names import (
    CITIES,
    CITY_AGENCIES,
    CITY_DEPARTMENTS,
    DISTRICT_AGENCIES,
    DISTRICT_DEPARTMENTS,
    EXTRA_DIVISIONS,
    GIVEN_NAMES,
    PLACE_SYLLABLES,
    PROVINCE_CODE,
    PROVINCE_NAME,
    STREETS,
    SURNAMES,
    City,
)
from registry.seed import DISTRICTS_DIR, SAMPLE_DIRECTORY, SHENYANG_2016

HOME = "2101"  # the registry's home city: the shipped sample
_DUMPER = getattr(yaml, "CSafeDumper", yaml.SafeDumper)
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
# Departments every district has, whatever its size; the rest are drawn.
_DISTRICT_CORE = 10


@dataclass(frozen=True)
class Sizes:
    cities: int = 14
    districts_per_city: int | None = None  # None: each city's real number of districts and counties
    departments: int = 60  # a made-up city's departments besides its agencies, give or take a tenth
    district_departments: int = 40  # a district's departments besides its agencies, give or take a tenth
    # A district's 街道办事处 or a county's 乡镇人民政府: they run service halls and owe inventories too.
    townships: int = 40


@dataclass
class Generated:
    """What was written: the manifest and the counts of what loading it will create."""

    folder: Path
    manifest: Manifest
    organisations: Counter = field(default_factory=Counter)  # by kind: department, district, enterprise

    def summary(self) -> dict:
        return {"folder": str(self.folder), "cities": len(self.manifest.cities),
                "districts": sum(len(c.districts) for c in self.manifest.cities),
                "campaigns": sum(1 + len(c.districts) for c in self.manifest.cities),
                "organisations": sum(self.organisations.values()), "by_kind": dict(self.organisations)}


MAX_TOWNSHIPS = 60


class BadSizes(ValueError):
    pass


def size_problems(sizes: Sizes) -> list[str]:
    """What is wrong with the sizes asked for, in Chinese, every one."""
    problems = []
    if not 1 <= sizes.cities <= len(CITIES):
        problems.append(f"--cities 应在 1 到 {len(CITIES)} 之间（辽宁省有 {len(CITIES)} 个市）")
    if sizes.districts_per_city is not None and not 1 <= sizes.districts_per_city <= 13 + len(EXTRA_DIVISIONS):
        problems.append(f"--districts-per-city 应在 1 到 {13 + len(EXTRA_DIVISIONS)} 之间")
    if not 1 <= sizes.departments <= len(CITY_DEPARTMENTS):
        problems.append(f"--departments 应在 1 到 {len(CITY_DEPARTMENTS)} 之间")
    if not 1 <= sizes.district_departments <= len(DISTRICT_DEPARTMENTS):
        problems.append(f"--district-departments 应在 1 到 {len(DISTRICT_DEPARTMENTS)} 之间")
    if not 0 <= sizes.townships <= MAX_TOWNSHIPS:
        problems.append(f"--townships 应在 0 到 {MAX_TOWNSHIPS} 之间")
    return problems


def generate_province(folder: Path, sizes: Sizes = Sizes(), seed: int = 2016) -> Generated:
    """Write the province's files and its manifest into ``folder`` (created if missing)."""
    problems = size_problems(sizes)
    if problems:
        raise BadSizes("；".join(problems))
    folder.mkdir(parents=True, exist_ok=True)
    generated = Generated(folder, Manifest(PROVINCE_CODE, PROVINCE_NAME, seed, ()))
    entries = []
    for city in CITIES[:sizes.cities]:
        make = _home_city if city.code == HOME else _made_up_city
        entries.append(make(folder, city, sizes, seed, generated.organisations))
    generated.manifest = Manifest(PROVINCE_CODE, PROVINCE_NAME, seed, tuple(entries))
    (folder / MANIFEST).write_text(manifest_text(generated.manifest), encoding="utf-8")
    return generated


def _home_city(folder: Path, city: City, sizes: Sizes, _seed: int, counts: Counter) -> CityEntry:
    """The shipped sample, copied: `reform init` loads the same directory and plan."""
    base = folder / city.pinyin
    (base / "districts").mkdir(parents=True, exist_ok=True)
    shutil.copyfile(SAMPLE_DIRECTORY, base / "directory.yaml")
    shutil.copyfile(SHENYANG_2016, base / "plan.yaml")
    counts.update(o["kind"] for o in _organisations(SAMPLE_DIRECTORY))
    campaign = yaml.load(SHENYANG_2016.read_text(encoding="utf-8"), Loader=_LOADER)["campaign"]["code"]
    districts = []
    for code, name in city.districts[:sizes.districts_per_city or len(city.districts)]:
        shutil.copyfile(DISTRICTS_DIR / f"{code}.yaml", base / "districts" / f"{code}.yaml")
        counts.update(o["kind"] for o in _organisations(DISTRICTS_DIR / f"{code}.yaml"))
        districts.append(_district_plan(base, city.pinyin, code, name, campaign))
    return CityEntry(f"{city.code}00", city.name, campaign, f"{city.pinyin}/directory.yaml", f"{city.pinyin}/plan.yaml",
                     True, tuple(districts))


def _organisations(path: Path) -> list[dict]:
    return yaml.load(path.read_text(encoding="utf-8"), Loader=_LOADER)["organisations"]


def _district_plan(base: Path, pinyin: str, code: str, name: str, parent: str) -> DistrictEntry:
    naming = Naming(code, name, f"{name}政府", parent)
    (base / "districts" / f"{code}-plan.yaml").write_text(template_text(naming), encoding="utf-8")
    return DistrictEntry(code, name, f"{parent}-{code}", f"{pinyin}/districts/{code}.yaml",
                         f"{pinyin}/districts/{code}-plan.yaml")


@dataclass
class _People:
    """Made-up people, telephone numbers and addresses from one random stream."""

    rng: random.Random
    area_code: str

    def person(self, email: str) -> dict:
        local = self.rng.randint(10_000_000, 89_999_999) if len(self.area_code) == 3 or self.area_code == "0411" \
            else self.rng.randint(2_000_000, 8_999_999)
        return {"name": self.rng.choice(SURNAMES) + self.rng.choice(GIVEN_NAMES), "email": email,
                "phone": f"{self.area_code}-{local}"}

    def street(self) -> str:
        return f"{self.rng.choice(STREETS)}{self.rng.randint(1, 300)}号"


def _made_up_city(folder: Path, city: City, sizes: Sizes, seed: int, counts: Counter) -> CityEntry:
    scope = f"{city.code}00"
    rng = random.Random(f"{seed}:{city.code}")
    people = _People(rng, city.area_code)
    base = folder / city.pinyin
    (base / "districts").mkdir(parents=True, exist_ok=True)
    divisions = _divisions(city, sizes.districts_per_city)
    seat = f"{city.name}{divisions[0][1]}{people.street()}"  # the city government's address
    domain = f"{city.pinyin}.example.org"
    orgs = []
    departments = _drawn(rng, CITY_DEPARTMENTS, sizes.departments, core=5)
    for code, name, short, roles in (*CITY_AGENCIES, *departments):
        orgs.append(_org(f"{scope}-{code}", f"{city.name}{name}", short, "department", roles, scope, "",
                         seat if rng.random() < 0.6 else f"{city.name}{rng.choice(divisions[:4])[1]}{people.street()}",
                         code, domain, people))
    for code, name in divisions:
        government = f"{name}人民政府" if name.endswith("市") else f"{city.name}{name}人民政府"
        orgs.append(_org(code, government, name, "district", (), code, "", f"{_seat_of(city, name)}{people.street()}",
                         "zf", f"{code}.{domain}", people))
    _write_directory(base / "directory.yaml", f"{city.name}组织目录（示例数据，reform province generate 生成）", orgs)
    counts.update(o["kind"] for o in orgs)
    campaign = f"{city.pinyin}-2016"
    (base / "plan.yaml").write_text(_city_plan_text(city, scope, campaign), encoding="utf-8")
    districts = []
    for code, name in divisions:
        district_rng = random.Random(f"{seed}:{code}")
        district_people = _People(district_rng, city.area_code)
        orgs = _district_orgs(city, code, name, sizes.district_departments, district_rng, district_people)
        orgs += _townships(city, code, name, sizes.townships, district_rng, district_people)
        _write_directory(base / "districts" / f"{code}.yaml",
                         f"{_seat_of(city, name)}组织目录（示例数据，reform province generate 生成）；"
                         f"导入：reform directory import 本文件 --district {code}", orgs)
        counts.update(o["kind"] for o in orgs)
        districts.append(_district_plan(base, city.pinyin, code, name, campaign))
    return CityEntry(scope, city.name, campaign, f"{city.pinyin}/directory.yaml", f"{city.pinyin}/plan.yaml",
                     False, tuple(districts))


def _divisions(city: City, wanted: int | None) -> list[tuple[str, str]]:
    """The city's districts and counties, the first ``wanted`` of them; beyond the real ones, its zones."""
    real = list(city.districts)
    if wanted is None or wanted <= len(real):
        return real[:wanted or len(real)]
    short = city.name.removesuffix("市")
    extra = [(f"{city.code}{71 + i:02d}", f"{short}{zone}") for i, zone in enumerate(EXTRA_DIVISIONS)]
    return real + extra[:wanted - len(real)]


def _seat_of(city: City, name: str) -> str:
    """How an address in the division begins: 大连市中山区, 瓦房店市 (a county-level city is its own)."""
    return name if name.endswith("市") else f"{city.name}{name}"


def _drawn(rng: random.Random, pool: tuple, about: int, core: int) -> list:
    """About ``about`` of the pool (give or take a tenth), its first ``core`` always, in the pool's order."""
    spread = about // 10
    wanted = max(1, min(len(pool), about + rng.randint(-spread, spread)))
    kept = min(core, wanted)
    chosen = set(range(kept)) | set(rng.sample(range(kept, len(pool)), wanted - kept))
    return [pool[i] for i in sorted(chosen)]


def _district_orgs(city: City, code: str, name: str, about: int, rng: random.Random, people: _People) -> list[dict]:
    seat = f"{_seat_of(city, name)}{people.street()}"
    domain = f"{code}.{city.pinyin}.example.org"
    orgs = [_org(f"{code}-{key}", f"{_seat_of(city, name)}{full}", f"{name}{short}", "department", roles, code, code,
                 seat, key, domain, people)
            for key, full, short, roles in DISTRICT_AGENCIES]
    for key, full, short in _drawn(rng, DISTRICT_DEPARTMENTS, about, core=_DISTRICT_CORE):
        if key == "gaj" and name.endswith("区"):
            full_name = f"{city.name}公安局{name.removesuffix('区')}分局"
        elif key == "gaj":
            full_name, short = f"{_seat_of(city, name)}公安局", "公安局"
        else:
            full_name = f"{_seat_of(city, name)}{full}"
        address = seat if rng.random() < 0.4 else f"{_seat_of(city, name)}{people.street()}"
        orgs.append(_org(f"{code}-{key}", full_name, f"{name}{short}", "department", (), code, code, address, key,
                         domain, people))
    return orgs


def _townships(city: City, code: str, name: str, count: int, rng: random.Random, people: _People) -> list[dict]:
    """A district's 街道办事处 (a county's 镇、乡人民政府): distinct two-syllable names, in order."""
    urban = name.endswith("区")
    names = rng.sample([a + b for a in PLACE_SYLLABLES for b in PLACE_SYLLABLES if a != b], count)
    domain = f"{code}.{city.pinyin}.example.org"
    orgs = []
    for n, place in enumerate(names, start=1):
        full, short = ((f"{place}街道办事处", f"{place}街道") if urban
                       else (f"{place}乡人民政府", f"{place}乡") if n % 4 == 0 else (f"{place}镇人民政府", f"{place}镇"))
        key = f"jd{n:02d}" if urban else f"xz{n:02d}"
        orgs.append(_org(f"{code}-{key}", f"{_seat_of(city, name)}{full}", f"{name}{short}", "department", (), code,
                         code, f"{_seat_of(city, name)}{place}{people.street()}", key, domain, people))
    return orgs


def _org(code: str, name: str, short: str, kind: str, roles: tuple[str, ...], division: str, parent: str,
         address: str, mailbox: str, domain: str, people: _People) -> dict:
    org: dict = {"code": code, "name": name, "short_name": short, "kind": kind}
    if roles:
        org["roles"] = list(roles)
    org["division_code"] = division
    if parent:
        org["parent_code"] = parent
    org["address"] = address
    for role in ("contact", "leader", "head"):
        org[role] = people.person(f"{mailbox}.{role}@{domain}")
    return org


def _write_directory(path: Path, title: str, orgs: list[dict]) -> None:
    head = (f"# {title}\n# 姓名、电话、地址为虚构，邮箱使用保留域名 example.org。\n"
            "# kind: department（部门）| district（区、县(市)人民政府）；roles: coordinator（牵头协调）"
            "| lead_agency（审核机构）| general_office（政府办公厅/室）| big_data（大数据局）| regulator（行业主管部门）\n")
    body = yaml.dump({"organisations": orgs}, Dumper=_DUMPER, allow_unicode=True, sort_keys=False,
                     default_flow_style=None, width=200)
    path.write_text(head + body, encoding="utf-8")


def _city_plan_text(city: City, scope: str, campaign: str) -> str:
    """The city plan named for the city: the same phases, tasks and deadlines, its own units' codes."""
    plan = yaml.load(SHENYANG_2016.read_text(encoding="utf-8"), Loader=_LOADER)
    c = plan["campaign"]
    c["code"] = campaign
    c["name"] = c["name"].replace("沈阳市", city.name)
    c["issued_by"] = f"{city.name}人民政府办公厅"
    c["owner"] = f"{scope}-{c['owner']}"
    c["district"] = scope
    for task in plan["tasks"]:
        task["lead"] = [f"{scope}-{code}" for code in task.get("lead") or ()]
    head = (f"# {city.name}简化优化公共服务流程方便基层群众办事创业的工作方案（示例：与沈阳市方案的阶段、任务和期限相同，\n"
            f"# 由 reform province generate 生成）。单位代码带本市区划代码前缀（{scope}-bwb），district 为本市的范围。\n")
    return head + yaml.dump(plan, Dumper=_DUMPER, allow_unicode=True, sort_keys=False, width=200)
