"""The province's manifest (``province.yaml``): its cities and districts, and the files of each.

The generator writes it and the loader reads it; paths in it are relative to its folder. One city
is the registry's home city (``home: true``): its rows are the city's own (``district`` ""), as
`reform init` loads them. Every other city is a scope of its own, named by its GB/T 2260 code
(``210200``), as a district is by its own.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import yaml

from core.problems import Problem
from registry.scope import CITY

MANIFEST = "province.yaml"


@dataclass(frozen=True)
class DistrictEntry:
    code: str  # GB/T 2260: 210202
    name: str  # 中山区
    campaign: str
    directory: str  # relative to the manifest's folder
    plan: str


@dataclass(frozen=True)
class CityEntry:
    code: str  # GB/T 2260: 210200
    name: str  # 大连市
    campaign: str
    directory: str
    plan: str
    home: bool = False
    districts: tuple[DistrictEntry, ...] = ()

    @property
    def scope(self) -> str:
        """Whose rows the city's are: the home city's are the city's own, another city's its code's."""
        return CITY if self.home else self.code


@dataclass(frozen=True)
class Manifest:
    code: str
    name: str
    seed: int
    cities: tuple[CityEntry, ...]


def manifest_text(manifest: Manifest) -> str:
    head = (f"# {manifest.name}示例数据（reform province generate 生成，种子 {manifest.seed}）：各市、区县的组织目录和工作方案。\n"
            "# 载入：reform init --plans 本目录。home: true 的市是登记库的本市（沈阳市，即 reform init 载入的示例），\n"
            "# 其他各市各为一个范围（district 为其区划代码，例如 210200）。姓名、电话、地址均为虚构，邮箱使用保留域名 example.org。\n")
    data = {"province": {"code": manifest.code, "name": manifest.name}, "seed": manifest.seed, "cities": [
        {"code": c.code, "name": c.name, **({"home": True} if c.home else {}), "campaign": c.campaign,
         "directory": c.directory, "plan": c.plan,
         "districts": [{"code": d.code, "name": d.name, "campaign": d.campaign, "directory": d.directory,
                        "plan": d.plan} for d in c.districts]}
        for c in manifest.cities]}
    return head + yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=200)


def read_manifest(folder: Path, problems: list[Problem]) -> Manifest | None:
    """The manifest in ``folder``, or None with what is wrong with it added to ``problems``."""
    path = folder / MANIFEST
    if not folder.is_dir():
        problems.append(Problem(f"找不到目录 {folder}", "用 reform province generate --out 目录 生成", file=str(folder)))
        return None
    if not path.is_file():
        problems.append(Problem(f"目录中没有 {MANIFEST}", "用 reform province generate --out 目录 生成，或补上清单文件",
                                file=str(path)))
        return None
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (yaml.YAMLError, UnicodeDecodeError) as error:
        problems.append(Problem(f"清单文件无法读取：{' '.join(str(error).split())}", "请改正 YAML 格式", file=MANIFEST))
        return None
    try:
        cities = tuple(_city(c) for c in data["cities"])
        return Manifest(str(data["province"]["code"]), str(data["province"]["name"]), int(data.get("seed") or 0),
                        cities)
    except (KeyError, TypeError, ValueError) as error:
        problems.append(Problem(f"清单文件缺少或写错了键 {error}",
                                "每个市应有 code、name、campaign、directory、plan 和 districts（各区县同样写 code、name、"
                                "campaign、directory、plan）", file=MANIFEST))
        return None


def _city(data: dict) -> CityEntry:
    return CityEntry(str(data["code"]), str(data["name"]), str(data["campaign"]), str(data["directory"]),
                     str(data["plan"]), bool(data.get("home", False)),
                     tuple(DistrictEntry(str(d["code"]), str(d["name"]), str(d["campaign"]), str(d["directory"]),
                                         str(d["plan"])) for d in data.get("districts") or ()))
