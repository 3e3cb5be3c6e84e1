"""What `intake review` adds to Datasette: the login page first, fresh data, an access log.

A Datasette plugin (registered by `bot.staff.review` in its own process, never installed for
other Datasette instances):

- a visitor who is not logged in is sent to the login page instead of a bare 403;
- the served copy is rebuilt from the live database at most every ``refresh`` seconds, as
  pages are asked for, and at once after each login, so staff see new intakes without a
  restart;
- each login, page looked at and download is counted in the access log (storage.audit)
  under the staff member's login name and the ISO week, and the log is shown to staff in
  the copy's ``audit`` table.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Awaitable, Callable, MutableMapping
from dataclasses import astuple, dataclass, field
from http.cookies import SimpleCookie
from pathlib import Path
from typing import Any

from datasette import hookimpl
from datasette.utils.asgi import Response

from storage.audit import STAFF_NAME, accesses, open_audit, record_access
from storage.staff import refresh_staff_copy, replace_rows

log = logging.getLogger("intake.review")

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
Asgi = Callable[[Scope, Receive, Send], Awaitable[None]]

LOGIN_PATH = "/-/login"
DOWNLOADS = (".csv", ".json")


@dataclass
class ReviewSite:
    """The plugin's state: where the live data, the copy and the access log are."""

    source: Path
    copy: Path
    audit: Path
    database: str  # the copy's name in Datasette, and so the first part of its paths
    subjects: frozenset[str]  # tables and queries whose views and downloads are logged
    refresh: float  # seconds
    refreshed: float = field(default=float("-inf"))

    def rebuild(self) -> int:
        """Copy the live staff tables and the access log into the served copy."""
        count = refresh_staff_copy(self.source, self.copy)
        with open_audit(self.audit) as audit:
            rows = [astuple(access) for access in accesses(audit)]
        replace_rows(self.copy, "audit", rows)
        self.refreshed = time.monotonic()
        return count

    def record(self, staff: str, action: str, subject: str = "") -> None:
        with open_audit(self.audit) as audit:
            record_access(audit, staff, action, subject)

    def audited(self, method: str, path: str) -> tuple[str, str] | None:
        """The action and subject a request for ``path`` is logged as, if any."""
        if method != "GET":
            return None
        parts = path.strip("/").split("/")
        if len(parts) < 2 or parts[0] != self.database:
            return None
        name = parts[1]
        action = "view"
        for suffix in DOWNLOADS:
            if name.endswith(suffix):
                name, action = name.removesuffix(suffix), "export"
        if name not in self.subjects:
            return None
        return action, name

    def wrapper(self, datasette: Any) -> Callable[[Asgi], Asgi]:
        """The ASGI wrapper: refresh the copy when due, then log what the response was."""

        def wrap(app: Asgi) -> Asgi:
            async def review(scope: Scope, receive: Receive, send: Send) -> None:
                if scope["type"] != "http":
                    await app(scope, receive, send)
                    return
                if time.monotonic() - self.refreshed >= self.refresh:
                    self.rebuild()

                async def watch(message: Message) -> None:
                    if message["type"] == "http.response.start":
                        # Logged before the answer leaves: once a page is seen, it is counted.
                        self.after(datasette, scope, message)
                    await send(message)

                await app(scope, receive, watch)

            return review

        return wrap

    def after(self, datasette: Any, scope: Scope, start: Message) -> None:
        """Log a login, view or download that succeeded; rebuild the copy after a login."""
        method, path = scope.get("method", ""), scope.get("path", "")
        if method == "POST" and path == LOGIN_PATH:
            staff = actor_of(datasette, start.get("headers", []), b"set-cookie")
            if staff:
                self.record(staff, "login")
                self.rebuild()
                log.info("a staff login")
            return
        audited = self.audited(method, path)
        if audited is None or start.get("status") != 200:
            return
        staff = actor_of(datasette, scope.get("headers", []), b"cookie")
        if staff:
            self.record(staff, *audited)


#: The site this process serves; Datasette's hooks below are module functions (it lists
#: plugins by module name), so they reach the state through this.
_sites: list[ReviewSite] = []


def install(site: ReviewSite) -> None:
    """Register the hooks below with Datasette's plugin manager, for ``site``."""
    import sys

    from datasette.plugins import pm

    _sites[:] = [site]
    if not pm.is_registered(sys.modules[__name__]):
        pm.register(sys.modules[__name__], name="intake-review")


@hookimpl
def forbidden(datasette: Any, request: Any, message: str) -> Response | None:
    """Nobody logged in: the login page, not a bare 403."""
    if request.actor is None:
        return Response.redirect(datasette.urls.path(LOGIN_PATH))
    return None


@hookimpl
def asgi_wrapper(datasette: Any) -> Callable[[Asgi], Asgi]:
    return _sites[0].wrapper(datasette)


def actor_of(datasette: Any, headers: list[tuple[bytes, bytes]], name: bytes) -> str | None:
    """The staff login name in a signed ``ds_actor`` cookie among these headers, if any."""
    for header, value in headers:
        if header.lower() != name:
            continue
        cookie: SimpleCookie = SimpleCookie()
        try:
            cookie.load(value.decode("latin-1"))
            actor = datasette.unsign(cookie["ds_actor"].value, "actor")["a"]["id"]
        except Exception:  # noqa: S112 (no such cookie, or not signed by this server: no one)
            continue
        if isinstance(actor, str) and STAFF_NAME.fullmatch(actor):
            return actor
    return None
