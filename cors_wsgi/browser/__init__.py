"""The browser side: tools that model or ask the browser, built on the core.

:mod:`cors_wsgi.browser.fetch` is the browser's CORS check as a model; ``explain``
says why a policy lets a request in or not; ``probe`` runs the check against a live
URL or an app in process; ``loading`` finds the app a command names; ``cli`` is
the ``cors-wsgi`` command. :mod:`cors_wsgi.testing` (the pytest plugin) builds on them.
"""
