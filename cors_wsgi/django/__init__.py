"""Django integration of cors_wsgi: the CORS_* settings of django-cors-headers, done safely.

```python
INSTALLED_APPS = [..., "cors_wsgi.django"]              # system checks
MIDDLEWARE = ["cors_wsgi.django.CorsMiddleware", ...]   # as high as possible
CORS_ALLOWED_ORIGINS = ["https://app.example.com"]
```

``cross_origin(...)`` gives one view its own policy; ``cors_exempt`` takes a view out of
CORS. All CORS semantics live in the core (:mod:`cors_wsgi.core.policy`); this package only
translates settings, requests and responses.
"""

from __future__ import annotations

from cors_wsgi.django.decorators import cors_exempt, cross_origin
from cors_wsgi.django.middleware import CorsMiddleware

__all__ = ["CorsMiddleware", "cors_exempt", "cross_origin"]
