"""Finding the application ``cors-wsgi check --wsgi`` is pointed at: ``module:attribute``,
imported from the current directory, or an application factory.

The forms are those of gunicorn and ``flask --app``:

- ``module:name`` (or ``module:name.attribute``): the object itself; when it is a plain
  function that can be called without arguments (``def create_app():``), it is a factory
  and is called. A WSGI function (``def app(environ, start_response):``) cannot be called
  without arguments, so it is never mistaken for one;
- ``module:create_app()`` and ``module:create_app('production', debug=False)``: the
  factory is called with those arguments, which must be Python literals (as in gunicorn).

Anything that stops the application from loading (no such module, an exception at import
or in the factory) is a :class:`LoadFailure`, one line; a :class:`~cors_wsgi.ConfigError`
or Django's ``ImproperlyConfigured`` raised on the way is the configuration's own
finding, and passes through to the caller, which reports it.
"""

from __future__ import annotations

import ast
import importlib
import inspect
import os
import re
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from cors_wsgi.core.errors import ConfigError

__all__ = [
    "LoadFailure",
    "Target",
    "importing_from_current_directory",
    "is_asgi_app",
    "load",
    "parse_target",
]

_TARGET = re.compile(r"(?P<module>[\w.]+):(?P<attribute>[\w.]+)(?P<call>\(.*\))?", re.DOTALL)
_EXAMPLE = "e.g. mysite.wsgi:application or app:create_app()"
# Names that application factories go by (Flask's documentation, gunicorn's examples).
FACTORY_NAMES = ("create_app", "make_app")


class LoadFailure(Exception):
    """The application could not be loaded; the text is one line that says why."""


@dataclass(frozen=True)
class Target:
    """A parsed ``module:attribute`` or ``module:factory(...)``."""

    module: str
    attribute: str
    call: tuple[tuple[Any, ...], dict[str, Any]] | None = None


def parse_target(text: str) -> Target:
    """Parse the forms described in the module docstring; raises :class:`LoadFailure`."""
    match = _TARGET.fullmatch(text.strip())
    if match is None:
        raise LoadFailure(f"{text!r} is not module:attribute ({_EXAMPLE})")
    call = None
    if match["call"] is not None:
        try:
            node = ast.parse(f"factory{match['call']}", mode="eval").body
            if not isinstance(node, ast.Call):
                raise ValueError("not a call")
            arguments = tuple(ast.literal_eval(argument) for argument in node.args)
            keywords = {
                keyword.arg: ast.literal_eval(keyword.value)
                for keyword in node.keywords
                if keyword.arg is not None
            }
            if len(keywords) != len(node.keywords):
                raise ValueError("**kwargs")
        except (SyntaxError, ValueError) as error:
            raise LoadFailure(
                f"{text!r} is not module:attribute or module:factory(...) with literal "
                f"arguments ({_EXAMPLE})"
            ) from error
        call = (arguments, keywords)
    return Target(match["module"], match["attribute"], call)


@contextmanager
def importing_from_current_directory() -> Iterator[None]:
    """Put the current directory first on ``sys.path`` for the block, as ``python -m``
    does, so that ``mysite.settings`` is found from the project's directory even when
    the command runs as an installed script."""
    directory = os.getcwd()
    added = directory not in sys.path
    if added:
        sys.path.insert(0, directory)
    try:
        yield
    finally:
        if added and directory in sys.path:
            sys.path.remove(directory)


def _one_line(error: BaseException) -> str:
    return " ".join(str(error).split()) or type(error).__name__


def _is_import_of(error: ModuleNotFoundError, module: str) -> bool:
    """Whether ``error`` says ``module`` itself (or a package above it) is missing, rather
    than something the module imports."""
    name = error.name or ""
    return module == name or module.startswith(name + ".")


def _is_configuration_error(error: BaseException) -> bool:
    # Django's ImproperlyConfigured, recognised without importing Django.
    return isinstance(error, ConfigError) or (
        type(error).__name__ == "ImproperlyConfigured"
        and type(error).__module__ == "django.core.exceptions"
    )


def _import(text: str, module: str) -> object:
    try:
        return importlib.import_module(module)
    except ModuleNotFoundError as error:
        if _is_import_of(error, module):
            raise LoadFailure(
                f"cannot import {text}: {_one_line(error)} "
                "(run it from the directory that holds it)"
            ) from error
        raise LoadFailure(
            f"cannot import {text}: importing it raised ModuleNotFoundError: {_one_line(error)}"
        ) from error
    except Exception as error:
        if _is_configuration_error(error):
            raise
        raise LoadFailure(
            f"cannot import {text}: importing it raised {type(error).__name__}: {_one_line(error)}"
        ) from error


def _is_factory(candidate: object) -> bool:
    """A plain function that can be called without arguments (see the module docstring)."""
    if not inspect.isfunction(candidate):
        return False
    try:
        inspect.signature(candidate).bind()
    except TypeError:
        return False
    return True


def load(text: str) -> object:
    """The application ``text`` names, imported from the current directory."""
    target = parse_target(text)
    with importing_from_current_directory():
        found = _import(text, target.module)
        for name in target.attribute.split("."):
            try:
                found = getattr(found, name)
            except AttributeError as error:
                raise LoadFailure(f"cannot import {text}: {_one_line(error)}") from error
        call = target.call
        if call is None and _is_factory(found):
            call = ((), {})
        if call is None:
            return found
        if not callable(found):
            raise LoadFailure(f"cannot call {text}: {target.attribute} is not a function")
        try:
            made = found(*call[0], **call[1])
        except Exception as error:
            if _is_configuration_error(error):
                raise
            raise LoadFailure(
                f"cannot load {text}: the factory {target.attribute}() raised "
                f"{type(error).__name__}: {_one_line(error)}"
            ) from error
        if inspect.iscoroutine(made):
            made.close()  # never awaited: closed, so no "never awaited" warning either
            raise LoadFailure(
                f"cannot load {text}: {target.attribute}() is an async function; name a "
                "factory that returns the application, or the application itself"
            )
        return made


def is_asgi_app(app: object) -> bool:
    """An ASGI 3 application: a coroutine function, or an object whose ``__call__`` is one."""
    if inspect.isfunction(app) or inspect.ismethod(app):
        return inspect.iscoroutinefunction(app)
    return callable(app) and inspect.iscoroutinefunction(type(app).__call__)
