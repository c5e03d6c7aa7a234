"""Who may use the coordinators' dashboard: users, their roles, passwords, API tokens and failed logins."""
