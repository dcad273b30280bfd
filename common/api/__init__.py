"""Shared REST API plumbing used by ``incidents.api`` and ``regulators.api``: one error body,
bounded pagination, strict fields and filters, the schema's error responses, role permissions,
and the base view set and serializers."""
