"""The deployments deployments/prefect.yaml declares, read as `prefect deploy` reads them, with the
flow each entrypoint names: for `reform deploy`'s report and for the test that keeps prefect.yaml
and `reform serve`'s deployments alike."""
from __future__ import annotations

import importlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from prefect.cli.deploy._models import DeploymentConfig, PrefectYamlModel

PREFECT_YAML = Path(__file__).with_name("prefect.yaml")


@dataclass(frozen=True)
class Declared:
    config: DeploymentConfig
    flow: Any  # the Prefect flow object the entrypoint names

    @property
    def name(self) -> str:
        return self.config.name or ""

    @property
    def flow_name(self) -> str:
        return self.flow.name


def prefect_yaml() -> PrefectYamlModel:
    return PrefectYamlModel.model_validate(yaml.safe_load(PREFECT_YAML.read_text(encoding="utf-8")))


def declared() -> list[Declared]:
    return [Declared(config=d, flow=entrypoint_flow(d.entrypoint or "")) for d in prefect_yaml().deployments]


def entrypoint_flow(entrypoint: str):
    """`flows/intake.py:intake_flow` → the flow object, imported as the package module it is."""
    path, _, attribute = entrypoint.partition(":")
    return getattr(importlib.import_module(path.removesuffix(".py").replace("/", ".")), attribute)
