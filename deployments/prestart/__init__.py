"""Flow runs that start in a fraction of a second on process workers.

A process worker starts every flow run as a fresh ``python -m prefect.engine``, which spends
seconds of CPU importing Prefect and the flow modules before the flow does anything. Beside each
worker, one pre-started process (``python -m deployments.prestart serve``) has imported them once
and forks a child per flow run, which runs Prefect's own engine entry point; the worker runs the
small launcher (``deployments.prestart.launch``) as the flow run's command, which hands the run
over to that process, or runs the plain engine itself when none answers.

This package's ``__init__`` imports nothing: the launcher is imported through it.
"""
