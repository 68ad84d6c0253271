"""Per-view CORS: ``cross_origin(...)`` gives one view its own policy, ``cors_exempt`` none.

The decorators return a new view that carries a mark, as Django's own ``csrf_exempt``
does, and leave the view they were given untouched: one view routed from two URL patterns,
decorated in one of them only, keeps CORS in the other. A function view gets a
``functools.wraps`` wrapper (an async view an async one, so it stays a coroutine function;
Django's attributes such as ``csrf_exempt`` and ``view_class`` are copied), a class-based
view a subclass of the same name. :class:`~cors_wsgi.django.CorsMiddleware` reads the mark.
This module does not import Django.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, Final, TypeVar, cast

from asgiref.sync import iscoroutinefunction

from cors_wsgi.core.policy import Policy

__all__ = ["EXEMPT", "ViewMark", "cors_exempt", "cross_origin", "mark_of_view"]

ViewT = TypeVar("ViewT")

# The attribute that carries a view's mark; functools.wraps copies it to wrappers, and
# View.as_view() exposes the class (view_class) on which a class decorator set it.
MARK_ATTRIBUTE: Final = "cors_wsgi_policy"


class _Exempt:
    """The mark of a view taken out of CORS: the middleware leaves its requests alone."""

    __slots__ = ()

    def __repr__(self) -> str:
        return "cors_wsgi.django.EXEMPT"


EXEMPT: Final = _Exempt()
ViewMark = Policy | _Exempt

# Views marked so far in this process: while none is, the middleware skips resolving the
# URL of preflights, which only a per-view policy needs.
_marked_view_count = 0


def any_view_marked() -> bool:
    """True once any view has been decorated with ``cross_origin`` or ``cors_exempt``."""
    return _marked_view_count > 0


def _marked(view: ViewT, mark: ViewMark) -> ViewT:
    """A new view that behaves as ``view`` and carries ``mark``; ``view`` is left unchanged."""
    global _marked_view_count
    marked: Any
    if isinstance(view, type):
        # A class-based view: a subclass, so that as_view() (and DRF) work as before.
        namespace = {
            MARK_ATTRIBUTE: mark,
            "__module__": view.__module__,
            "__qualname__": view.__qualname__,
            "__doc__": view.__doc__,
        }
        marked = type(view)(view.__name__, (view,), namespace)
    elif iscoroutinefunction(view):
        called = cast(Callable[..., Any], view)

        async def marked(*args: Any, **kwargs: Any) -> Any:
            return await called(*args, **kwargs)

        functools.update_wrapper(marked, called)
        setattr(marked, MARK_ATTRIBUTE, mark)
    elif callable(view):
        called = view

        def marked(*args: Any, **kwargs: Any) -> Any:
            return called(*args, **kwargs)

        functools.update_wrapper(marked, called)
        setattr(marked, MARK_ATTRIBUTE, mark)
    else:
        raise TypeError(f"decorate a view (a function or a class), not {view!r}")
    _marked_view_count += 1
    return cast(ViewT, marked)


def cross_origin(*, policy: Policy | None = None, **keywords: Any) -> Callable[[ViewT], ViewT]:
    """Give one view its own CORS policy, instead of the one from the CORS_* settings.

    Returns a new view (the decorated one is left as it was, for other URL patterns that
    route to it). Takes the keywords of :class:`cors_wsgi.Policy` (those of the WSGI layer:
    ``allow_origins``, ``allow_credentials``, ...) or a ready ``policy=Policy(...)``. The
    policy is validated once, here: an invalid one raises :class:`cors_wsgi.ConfigError`
    when the module defining the view is imported. Works on function views, async views and
    class-based views (decorate the class); the view's preflights are answered with this
    policy too, and its error responses carry its headers.
    """
    if policy is not None and keywords:
        raise TypeError("cross_origin() takes either policy=... or Policy keywords, not both")
    chosen = policy if policy is not None else Policy(**keywords)

    def decorate(view: ViewT) -> ViewT:
        return _marked(view, chosen)

    return decorate


def cors_exempt(view: ViewT) -> ViewT:
    """Take a view out of CORS: its responses, and preflights to it, are left untouched.

    Returns a new view; the decorated one keeps CORS wherever else it is routed.
    Preflights then reach the view (or Django's default OPTIONS handling). Works on
    function views, async views and class-based views (decorate the class).
    """
    return _marked(view, EXEMPT)


def mark_of_view(view: Callable[..., Any]) -> ViewMark | None:
    """The policy or :data:`EXEMPT` a view was decorated with, or ``None`` for neither.

    Looks at the view function itself (or the outermost ``functools.wraps`` wrapper of it),
    then at the class behind a class-based view (``view_class``, and DRF's ``cls``).
    """
    mark = getattr(view, MARK_ATTRIBUTE, None)
    if mark is None:
        view_class = getattr(view, "view_class", None) or getattr(view, "cls", None)
        if view_class is not None:
            mark = getattr(view_class, MARK_ATTRIBUTE, None)
    if isinstance(mark, Policy | _Exempt):
        return mark
    return None
