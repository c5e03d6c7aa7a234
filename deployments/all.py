"""Every deployment the project serves, in one place for `reform serve`."""
from __future__ import annotations


def all_deployments() -> list:
    from deployments.campaign import standing_deployment
    from deployments.intake import intake_deployment
    from deployments.review import merge_deployment, routing_deployment
    from deployments.sweep import sweep_deployment

    return [standing_deployment(), intake_deployment(), sweep_deployment(), routing_deployment(), merge_deployment()]
