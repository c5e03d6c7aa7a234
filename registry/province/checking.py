"""Reading a province's files whole, and refusing them with every problem at once before anything is written.

Each directory is read by the directory import's own reader (a district's with its district, so
that every unit in it is that district's), each plan by the plan loader's, a district's plan
checked against its city's milestone as `reform district open` checks it. Across the files: one
home city, codes unique across the province, every district under its city and its government
in its city's directory, every unit a plan names in that plan's own directory.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import yaml

from core.errors import UserError
from core.problems import Problem
from registry.campaign.plan import PlanError, PlanSpec, plan_from_text, plan_problems
from registry.districts.plans import CITY_MILESTONE, Naming, district_plan
from registry.province.manifest import MANIFEST, CityEntry, DistrictEntry, read_manifest
from rules.calendar import WorkingCalendar, YearNotLoaded
from rules.deadlines import PhraseError, resolve_deadline
from rules.organisations import OrgKind, OrgRecord
from workbooks.directory import read_directory
from workbooks.directory.problems import DirectoryFileError, describe

# Lines of the refusal: enough to act on; the count says how many more there are.
SHOWN_PROBLEMS = 30


class ProvinceError(UserError, ValueError):
    """The province's files cannot be loaded; ``problems`` lists every problem, the message the first ones."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = list(problems)
        lines = [_line(p) for p in self.problems[:SHOWN_PROBLEMS]]
        more = f"；另有 {len(self.problems) - SHOWN_PROBLEMS} 处问题" if len(self.problems) > SHOWN_PROBLEMS else ""
        super().__init__(f"省级示例数据有 {len(self.problems)} 处问题，未写入任何内容：" + "；".join(lines) + more)


def _line(problem: Problem) -> str:
    if problem.column or problem.row:  # a directory file's own problem, worded as its import words it
        return describe(problem)
    where = f"{problem.file} {problem.place}".strip()
    return f"{where}：{problem.what}" + (f"（{problem.fix}）" if problem.fix else "")


@dataclass(frozen=True)
class DistrictFiles:
    entry: DistrictEntry
    records: tuple[OrgRecord, ...]
    plan: PlanSpec


@dataclass(frozen=True)
class CityFiles:
    entry: CityEntry
    records: tuple[OrgRecord, ...]
    plan: PlanSpec
    districts: tuple[DistrictFiles, ...]


def read_province(folder: Path, calendar: WorkingCalendar) -> list[CityFiles]:
    """Every city's and district's records and plan, or ProvinceError naming every problem."""
    problems: list[Problem] = []
    manifest = read_manifest(folder, problems)
    if manifest is None:
        raise ProvinceError(problems)
    homes = [c.name for c in manifest.cities if c.home]
    if len(homes) != 1:
        problems.append(Problem(f"清单中应有且只有一个本市（home: true），现有 {len(homes)} 个{'：' + '、'.join(homes) if homes else ''}",
                                "登记库的本市（沈阳市）写 home: true，其他市不写", file=MANIFEST))
    _duplicate_entries(manifest.cities, problems)
    cities = []
    for city in manifest.cities:
        records = _directory(folder, city.directory, None, problems)
        plan = _plan(folder, city.plan, problems)
        if plan is not None:
            _check_city_plan(city, plan, records, calendar, problems)
        _check_city_directory(city, records, problems)
        milestone = _milestone(plan, calendar) if plan is not None else None
        districts = []
        for district in city.districts:
            district_records = _directory(folder, district.directory, district.code, problems)
            district_spec = _district_plan(folder, city, district, calendar, milestone, district_records, problems)
            if district_records is not None and district_spec is not None:
                districts.append(DistrictFiles(district, tuple(district_records), district_spec))
        if records is not None and plan is not None:
            cities.append(CityFiles(city, tuple(records), plan, tuple(districts)))
    _duplicate_codes(cities, problems)
    if problems:
        raise ProvinceError(problems)
    return cities


def _duplicate_entries(cities: tuple[CityEntry, ...], problems: list[Problem]) -> None:
    seen: dict[str, str] = {}
    for kind, key, name in [("区划代码", c.code, c.name) for c in cities] + \
            [("区划代码", d.code, d.name) for c in cities for d in c.districts] + \
            [("方案代码", c.campaign, c.name) for c in cities] + \
            [("方案代码", d.campaign, d.name) for c in cities for d in c.districts]:
        if (kind, key) in seen:
            problems.append(Problem(f"{kind} {key} 重复：{seen[kind, key]}和{name}", "每个市、区县的代码在全省唯一",
                                    file=MANIFEST))
        seen.setdefault((kind, key), name)
    for city in cities:
        for district in city.districts:
            if district.code[:4] != city.code[:4]:
                problems.append(Problem(f"区县 {district.code}（{district.name}）不在{city.name}（{city.code}）之下",
                                        f"区县代码应以 {city.code[:4]} 开头，或把它列在所属的市下", file=MANIFEST))


def _directory(folder: Path, relative: str, district: str | None, problems: list[Problem]) -> list[OrgRecord] | None:
    path = folder / relative
    if not path.is_file():
        problems.append(Problem("找不到目录文件", "补上该文件，或改正 province.yaml 中的路径", file=relative))
        return None
    try:
        return read_directory(path, district=district)
    except DirectoryFileError as error:
        problems.extend(_relative(p, relative) for p in error.problems)
        return None


def _relative(problem: Problem, relative: str) -> Problem:
    # The reader names the file alone; in a province of a hundred files the folder tells which.
    return Problem(problem.what, problem.fix, problem.sheet, problem.row, problem.column, relative, problem.place,
                   problem.line)


def _plan(folder: Path, relative: str, problems: list[Problem]) -> PlanSpec | None:
    text = _plan_text(folder, relative, problems)
    if text is None:
        return None
    try:
        return plan_from_text(text, relative)
    except (yaml.YAMLError, KeyError, TypeError, ValueError) as error:
        problems.append(Problem(f"工作方案文件无法读取：{' '.join(str(error).split())}",
                                "以 reform province generate 生成的文件为底稿修改", file=relative))
        return None


def _plan_text(folder: Path, relative: str, problems: list[Problem]) -> str | None:
    path = folder / relative
    if not path.is_file():
        problems.append(Problem("找不到工作方案文件", "补上该文件，或改正 province.yaml 中的路径", file=relative))
        return None
    return path.read_text(encoding="utf-8")


def _check_city_plan(city: CityEntry, plan: PlanSpec, records: list[OrgRecord] | None, calendar: WorkingCalendar,
                     problems: list[Problem]) -> None:
    if plan.code != city.campaign:
        problems.append(Problem(f"方案代码是 {plan.code}，清单中写的是 {city.campaign}", "两处写成一样",
                                file=plan.file, place="campaign.code"))
    if plan.level != "city" or plan.district != city.scope:
        problems.append(Problem(f"{city.name}的方案应为市级方案（level: city），district 为 {city.scope!r}，"
                                f"现为 level: {plan.level}，district: {plan.district!r}",
                                "本市（home: true）的 district 留空，其他市写本市区划代码", file=plan.file, place="campaign"))
    if records is not None:
        problems.extend(plan_problems(plan, {r.code for r in records}))
    for phase in plan.phases:
        if phase.source_phrase:
            try:
                resolve_deadline(phase.source_phrase, calendar, plan.shift, default_year=plan.year)
            except (PhraseError, YearNotLoaded) as error:
                problems.append(Problem(f"阶段 {phase.code} 的期限「{phase.source_phrase}」无法识别：{error}",
                                        "写成“7月底前”“2016年11月中旬前”", file=plan.file, place=f"阶段 {phase.code}"))


def _milestone(plan: PlanSpec, calendar: WorkingCalendar):
    phase = next((p for p in plan.phases if p.code == CITY_MILESTONE and p.source_phrase), None)
    if phase is None:
        return None
    try:
        return resolve_deadline(phase.source_phrase, calendar, plan.shift, default_year=plan.year).due
    except (PhraseError, YearNotLoaded):
        return None  # told with the city plan's own problems


def _check_city_directory(city: CityEntry, records: list[OrgRecord] | None, problems: list[Problem]) -> None:
    if records is None:
        return
    governments = {r.division_code for r in records if r.kind == OrgKind.DISTRICT}
    for record in records:
        if record.kind == OrgKind.DISTRICT and record.division_code[:4] != city.code[:4]:
            problems.append(Problem(f"区县政府 {record.code}（{record.name}）的区划代码 {record.division_code} 不在"
                                    f"{city.name}（{city.code}）之下", "把它列在所属市的目录中", file=city.directory))
    for district in city.districts:
        if district.code not in governments:
            problems.append(Problem(f"{city.name}的目录中没有区县 {district.code}（{district.name}）的政府",
                                    "在市级目录中补上该区县政府（kind: district），或从清单中删去该区县",
                                    file=city.directory))


def _district_plan(folder: Path, city: CityEntry, district: DistrictEntry, calendar: WorkingCalendar, milestone,
                   records: list[OrgRecord] | None, problems: list[Problem]) -> PlanSpec | None:
    text = _plan_text(folder, district.plan, problems)
    if text is None:
        return None
    naming = Naming(district.code, district.name, f"{district.name}政府", city.campaign)
    try:
        spec = district_plan(naming, text, district.plan, calendar, milestone)
    except PlanError as error:
        problems.extend(error.problems)
        return None
    if spec.code != district.campaign or spec.parent != city.campaign:
        problems.append(Problem(f"方案代码 {spec.code}、上级方案 {spec.parent or '（空）'} 与清单不符（应为 "
                                f"{district.campaign}、{city.campaign}）", "改正方案文件的 campaign.code 和 parent",
                                file=district.plan, place="campaign"))
    if records is not None:
        problems.extend(plan_problems(spec, {r.code for r in records}))
    return spec


def _duplicate_codes(cities: list[CityFiles], problems: list[Problem]) -> None:
    """An organisation's code is its identity in the registry: one file each across the province."""
    seen: dict[str, str] = {}
    for city in cities:
        files = [(city.entry.directory, city.records)] + [(d.entry.directory, d.records) for d in city.districts]
        for file, records in files:
            for record in records:
                if record.code in seen and seen[record.code] != file:
                    problems.append(Problem(f"单位代码 {record.code}（{record.name}）在 {seen[record.code]} 中已有",
                                            "单位代码在全省唯一：改正其中一个", file=file))
                seen.setdefault(record.code, file)
