"""Pieces every app may use and that know no app: roles and their rights, and the shared REST
API plumbing (``common.api``). Imports nothing first-party outside ``common``."""
