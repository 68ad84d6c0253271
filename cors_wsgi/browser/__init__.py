"""The browser side: tools that model or ask the browser, built on the core.

:mod:`cors_wsgi.browser.fetch` is the browser's CORS check as a model; :mod:`.explain`
says why a policy lets a request in or not; :mod:`.probe` runs the check against a live
URL or an app in process; :mod:`.loading` finds the app a command names; :mod:`.cli` is
the ``cors-wsgi`` command. :mod:`cors_wsgi.testing` (the pytest plugin) builds on them.
"""
