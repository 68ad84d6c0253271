"""httpx under the name this environment installs: current Starlette's TestClient uses its
successor httpx2 (the same API), FastAPI's oldest supported line httpx."""

from __future__ import annotations

try:
    import httpx2 as httpx
except ImportError:  # the older matrix environments
    import httpx  # type: ignore[no-redef, import-not-found, unused-ignore]

__all__ = ["httpx"]
