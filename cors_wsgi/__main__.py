"""``python -m cors_wsgi``: the ``cors-wsgi`` command (see :mod:`cors_wsgi.browser.cli`)."""

from __future__ import annotations

import sys

from cors_wsgi.browser.cli import main

if __name__ == "__main__":
    sys.exit(main())
