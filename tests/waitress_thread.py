"""waitress serving a WSGI app from a thread of the test process, stopped without noise."""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING

import waitress.server  # type: ignore[import-untyped]

if TYPE_CHECKING:
    from _typeshed.wsgi import WSGIApplication


class WaitressThread:
    """A waitress server on 127.0.0.1 (a free port), serving ``app`` until :meth:`stop`."""

    def __init__(self, app: WSGIApplication, *, threads: int = 2) -> None:
        self._server = waitress.server.create_server(
            app, host="127.0.0.1", port=0, threads=threads, clear_untrusted_proxy_headers=True
        )
        self._closing = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()
        self.address = ("127.0.0.1", int(self._server.effective_port))

    def _run(self) -> None:
        try:
            self._server.run()
        except OSError:
            # Closed from another thread, the server's sockets go from under its select():
            # the loop then ends with EBADF, which is the end stop() asked for.
            if not self._closing.is_set():
                raise

    def stop(self) -> None:
        """Stop the workers (each after its current task), the server, its loop, and close
        the connections left open."""
        # Workers first: one still servicing a channel would raise EBADF on the closed
        # trigger in its own thread.
        self._server.task_dispatcher.shutdown()
        self._closing.set()
        self._server.close()
        self._thread.join(5)
        # Channels whose client went away without a goodbye stay in the loop's map; once
        # the loop is over they are closed here, or their sockets would be reported as
        # leaked (ResourceWarning) when garbage-collected during some later test.
        for dispatcher in list(self._server._map.values()):
            dispatcher.close()
