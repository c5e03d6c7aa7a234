"""Every deployment the project serves, in one place for `reform serve`."""
from __future__ import annotations


def all_deployments() -> list:
    # Importing a deployment imports Prefect, whose environment (PREFECT_HOME, the API URL) the
    # caller sets first; tests import this module before their Prefect server is up.
    from deployments.campaign import standing_deployment  # noqa: PLC0415 - Prefect's environment first
    from deployments.districts import weekly_report_deployment  # noqa: PLC0415 - Prefect's environment first
    from deployments.intake import intake_deployment  # noqa: PLC0415 - Prefect's environment first
    from deployments.publication import publication_deployment  # noqa: PLC0415 - Prefect's environment first
    from deployments.review import merge_deployment, routing_deployment  # noqa: PLC0415 - Prefect's environment first
    from deployments.sweep import sweep_deployment  # noqa: PLC0415 - Prefect's environment first

    return [standing_deployment(), intake_deployment(), sweep_deployment(), routing_deployment(), merge_deployment(),
            publication_deployment(), weekly_report_deployment()]
