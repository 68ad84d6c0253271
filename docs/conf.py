"""Sphinx configuration of the cors_wsgi documentation (built by `tox -e docs`).

Intersphinx works offline: these machines have no internet, so the inventories of
Python's, Django's and Flask's documentation are read from Debian's documentation packages
(python3-doc, python-django-doc, python-flask-doc; scripts/install-doc-inventories installs
them, and scripts/test runs it), while the links point to the projects' own sites.
Decision, where a package is missing: the build stops and says which package to install,
because a silently unlinked reference is worse than a failing build. A developer who wants
a quick build without one sets CORS_WSGI_DOCS_SKIP_INVENTORIES=1: references into that
project are then left as plain text (not reported as broken), and CI never sets it.
Debian's Django and Flask inventories are of older releases (3.2 and 2.2); the names this
site refers to (settings, request and response classes, check framework) are the same in
the versions we support, and the links go to the current docs.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from docutils.nodes import Element
from sphinx.addnodes import pending_xref
from sphinx.application import Sphinx
from sphinx.environment import BuildEnvironment

DOCS = Path(__file__).resolve().parent
ROOT = DOCS.parent
# The checkout (cors_wsgi, and docs._ext for the extensions), and the modules examples name.
sys.path[:0] = [str(ROOT), str(DOCS / "_examples")]

import cors_wsgi  # noqa: E402  (after the path set-up above)

project = "cors_wsgi"
author = "cors_wsgi developers"
copyright = "cors_wsgi developers"
release = cors_wsgi.__version__
version = release

extensions = [
    "myst_parser",
    "sphinx.ext.autodoc",
    "sphinx.ext.intersphinx",
    "docs._ext.error_reference",
    "docs._ext.option_reference",
]
source_suffix = {".md": "markdown"}
root_doc = "index"
# _pending: pages whose text is still being written (kept out of the build until ready).
exclude_patterns = ["_build", "_pending", "README.md"]
templates_path: list[str] = []

nitpicky = True
myst_heading_anchors = 4
myst_enable_extensions = ["colon_fence", "deflist"]
suppress_warnings: list[str] = []

autodoc_member_order = "bysource"
autodoc_typehints = "description"
autodoc_typehints_format = "short"
# The Flask classes are documented by Flask under these names (not flask.app.Flask).
autodoc_type_aliases = {"Flask": "flask.Flask", "Blueprint": "flask.Blueprint"}
autodoc_default_options = {"members": True, "undoc-members": False}

html_theme = "furo"
html_title = f"cors_wsgi {release}"
html_static_path = ["_static"]
html_theme_options = {"navigation_with_keys": True}

INVENTORIES = {
    # name: (where links go, the Debian package, the inventory it installs)
    "python": (
        "https://docs.python.org/3/",
        "python3-doc",
        "/usr/share/doc/python3/html/objects.inv",
    ),
    "django": (
        "https://docs.djangoproject.com/en/stable/",
        "python-django-doc",
        "/usr/share/doc/python-django-doc/html/objects.inv",
    ),
    "flask": (
        "https://flask.palletsprojects.com/en/stable/",
        "python-flask-doc",
        "/usr/share/doc/python-flask-doc/html/objects.inv",
    ),
}
# Django's inventory names these objects by its own roles (settings, commands).
NITPICK_WITHOUT = {
    "python": [(r"py:.*", r"(typing|collections|re|logging)\..*")],
    "django": [(r"py:.*", r"django\..*"), (r"std:setting", r".*")],
    "flask": [(r"py:.*", r"(flask|werkzeug)\..*")],
}

intersphinx_mapping: dict[str, tuple[str, str]] = {}
# Names in the signatures that are not documented on purpose: the private type aliases
# and type variables of the annotations, and re.Pattern, which Python's inventory lacks.
nitpick_ignore = [
    ("py:class", name)
    for name in (
        "re.Pattern",
        "cors_wsgi.django.decorators.ViewT",
        "View",
        "PathsInput",
        "WSGIApplication",
        "GetResponse",
        "AsyncGetResponse",
        "cors_wsgi.core.origin_patterns.OriginPattern",
        "cors_wsgi.core.decision.HeaderMapping",
        "cors_wsgi.core.decision.ByteHeaders",
    )
] + [
    # Adapter-facing names that the core's docstrings mention, documented in
    # contributing/core-api rather than in the users' API reference.
    ("py:func", "make_decision"),
    ("py:data", "cors_wsgi.core.headers.OWNED_RESPONSE_HEADERS"),
]
nitpick_ignore_regex: list[tuple[str, str]] = []
_missing = []
for _name, (_url, _package, _inventory) in INVENTORIES.items():
    if Path(_inventory).is_file():
        intersphinx_mapping[_name] = (_url, _inventory)
    elif os.environ.get("CORS_WSGI_DOCS_SKIP_INVENTORIES") == "1":
        nitpick_ignore_regex.extend(NITPICK_WITHOUT[_name])
    else:
        _missing.append(f"{_inventory} (apt-get install {_package})")
if _missing:
    raise RuntimeError(
        "the documentation links to Python's, Django's and Flask's docs through their "
        "inventories, read offline from Debian's packages; missing: "
        + "; ".join(_missing)
        + ". Run scripts/install-doc-inventories (or set CORS_WSGI_DOCS_SKIP_INVENTORIES=1 "
        "for a local build without those links)."
    )


def _flask_names(app: object, env: object, node: object, contnode: object) -> object:
    """Flask documents its classes as flask.Flask, not by the short names of annotations."""
    from sphinx.ext.intersphinx import missing_reference

    target = node.get("reftarget")  # type: ignore[attr-defined]
    if node.get("refdomain") == "py" and target in {"Flask", "Blueprint"}:  # type: ignore[attr-defined]
        node["reftarget"] = f"flask.{target}"  # type: ignore[index]
        return missing_reference(app, env, node, contnode)  # type: ignore[arg-type]
    return None


# Names that annotations spell in short (imported only for type checking, or under another
# name), and the documented object each one is.
SHORT_NAMES = {
    "ASGIMiddleware": "cors_wsgi.asgi.CORSMiddleware",
    "ASGIApp": "cors_wsgi.asgi.ASGIApp",
    "Vocabulary": "cors_wsgi.core.vocabulary.Vocabulary",
    "cors_wsgi.core.policy.Vocabulary": "cors_wsgi.core.vocabulary.Vocabulary",
}


def _short_names(
    app: Sphinx, env: BuildEnvironment, node: pending_xref, contnode: Element
) -> Element | None:
    """Resolve SHORT_NAMES to their entries of the API reference."""
    target = node.get("reftarget")
    if node.get("refdomain") != "py" or target not in SHORT_NAMES:
        return None
    domain = env.get_domain("py")
    resolved: Element | None = domain.resolve_xref(
        env, node["refdoc"], app.builder, "obj", SHORT_NAMES[target], node, contnode
    )
    return resolved


def setup(app: object) -> None:
    app.connect("missing-reference", _flask_names, priority=400)  # type: ignore[attr-defined]
    app.connect("missing-reference", _short_names, priority=400)  # type: ignore[attr-defined]
