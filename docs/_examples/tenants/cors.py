"""The run-time allow-list of the documentation's CORS_ALLOWED_ORIGIN_FUNC example."""

from __future__ import annotations

TENANT_ORIGINS = frozenset({"https://acme.example.com", "https://globex.example.com"})


def is_tenant_origin(origin: str) -> bool:
    """Whether ``origin`` belongs to a tenant (a database lookup in a real project)."""
    return origin in TENANT_ORIGINS
