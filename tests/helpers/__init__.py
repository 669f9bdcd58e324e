"""Helpers shared by the test modules (plain functions and classes; the shared fixtures live in
tests/conftest.py). Test modules import from here, never from one another:

- workflow: the demo accounts, plan and periods; documents brought to a state through the services;
  reporting rounds filled, submitted and approved.
- web: logged-in clients and the report form as a browser would post it.
- api: the /api/v1 client with a Bearer token and the error-shape check.
- parallel: threads released together on their own connections (PostgreSQL only).
- soffice: a stand-in LibreOffice that counts conversions.
- production: the production stack (manage.py, gunicorn) run as separate processes.
"""
