"""Thin Prefect tasks over the registry's use cases, and the plain reads beside them.

Reads are plain functions, not tasks: a task run's bookkeeping on the Prefect server costs
many times the query, and a read has nothing to retry or to show in the run's graph.
"""
