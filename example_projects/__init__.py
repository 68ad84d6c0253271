"""Runnable example projects for cors_wsgi, and the helpers that serve them.

``python3 -m example_projects.demo`` (or ``scripts/demo``) starts one of them together with
a page on another origin that calls it; the browser test suite serves the same examples.
"""
