"""Every deployment the project serves, in one place for `reform serve`; deployments/prefect.yaml
declares the same set for workers (`reform deploy`), and tests/test_prefect_yaml.py keeps them alike."""
from __future__ import annotations


def all_deployments() -> list:
    # Importing a deployment imports Prefect, whose environment (PREFECT_HOME, the API URL) the
    # caller sets first; tests import this module before their Prefect server is up.
    from deployments.campaign import (  # noqa: PLC0415 - Prefect's environment first
        campaign_standing_deployment,
        standing_deployment,
    )
    from deployments.districts import weekly_report_deployment  # noqa: PLC0415 - Prefect's environment first
    from deployments.intake import batch_deployment, intake_deployment  # noqa: PLC0415 - Prefect's environment first
    from deployments.publication import (  # noqa: PLC0415 - Prefect's environment first
        campaign_publication_deployment,
        publication_deployment,
    )
    from deployments.review import merge_deployment, routing_deployment  # noqa: PLC0415 - Prefect's environment first
    from deployments.sweep import (  # noqa: PLC0415 - Prefect's environment first
        campaign_sweep_deployment,
        sweep_deployment,
    )

    return [standing_deployment(), campaign_standing_deployment(), intake_deployment(), batch_deployment(),
            sweep_deployment(), campaign_sweep_deployment(), routing_deployment(), merge_deployment(),
            publication_deployment(), campaign_publication_deployment(), weekly_report_deployment()]
