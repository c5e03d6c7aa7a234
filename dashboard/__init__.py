"""The coordinators' dashboard: every organisation against every phase, for the city and each district.

A Starlette application (``dashboard.app.create_app``) that reads the registry through its service
modules and writes only through them, each request in the signed-in user's district scope.
"""
