"""deployments/prefect.yaml (for workers, `reform deploy`) and deployments/*.py (for `reform serve`)
declare the same deployments: names, flows, schedules, triggers, parameters, tags, descriptions and
concurrency limits. A change to one that is not made to the other fails here."""
from __future__ import annotations

from pydantic import TypeAdapter

from deployments.all import all_deployments
from deployments.declared import declared, prefect_yaml


def _served() -> dict:
    return {d.name: d for d in all_deployments()}


def _declared() -> dict:
    return {d.name: d for d in declared()}


def test_the_same_deployments_by_name():
    assert set(_declared()) == set(_served())
    assert len(_declared()) == len(prefect_yaml().deployments) == 11


def test_each_runs_the_same_flow_from_the_same_entrypoint():
    served = _served()
    for name, d in _declared().items():
        assert (d.flow_name, d.config.entrypoint) == (served[name].flow_name, served[name].entrypoint), name


def test_the_same_schedules():
    served = _served()
    for name, d in _declared().items():
        yaml_schedules = [(s.cron, s.timezone if s.cron else None, s.interval, s.parameters)
                          for s in d.config.schedules or []]
        python_schedules = [(getattr(s.schedule, "cron", None),
                             s.schedule.timezone if getattr(s.schedule, "cron", None) else None,
                             getattr(s.schedule, "interval", None), s.parameters) for s in served[name].schedules]
        assert yaml_schedules == python_schedules, name


def test_the_same_triggers_with_the_same_templated_parameters():
    from prefect.events import DeploymentTriggerTypes

    adapter = TypeAdapter(DeploymentTriggerTypes)
    served = _served()

    def comparable(trigger) -> dict:
        return trigger.model_dump(exclude={"name", "description"})

    for name, d in _declared().items():
        assert [comparable(adapter.validate_python(t)) for t in d.config.triggers or []] == [
            comparable(t) for t in served[name].triggers], name


def test_the_same_parameters_tags_and_descriptions():
    served = _served()
    for name, d in _declared().items():
        assert d.config.parameters == served[name].parameters, name
        assert (d.config.tags or []) == served[name].tags, name
        assert d.config.description == served[name].description, name


def test_one_mailbox_poll_at_a_time_and_no_other_limit():
    served = _served()
    for name, d in _declared().items():
        limit = d.config.concurrency_limit
        yaml_limit = (limit.limit, limit.collision_strategy) if limit is not None else None
        options = served[name].concurrency_options
        python_limit = ((served[name].concurrency_limit, options.collision_strategy.value)
                        if served[name].concurrency_limit is not None else None)
        assert yaml_limit == python_limit, name
    assert _declared()["mailbox-poll"].config.concurrency_limit.model_dump() == {
        "limit": 1, "collision_strategy": "CANCEL_NEW", "grace_period_seconds": None}


def test_every_deployment_goes_to_the_reform_pool_and_starts_in_the_project_root():
    model = prefect_yaml()
    assert {d.work_pool.name for d in model.deployments} == {"reform"}
    assert model.pull == [{"prefect.deployments.steps.set_working_directory": {"directory": "{{ $REFORM_PROJECT_DIR }}"}}]
