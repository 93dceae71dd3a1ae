"""A headless stand-in for the user's browser on the local OpenID provider's pages.

``HeadlessBrowser.open`` has the shape of ``webbrowser.open``, so it can be given as
the opener of a ``LoopbackAuthorization``. In a thread of its own it loads the
authorization URL, signs in on the provider's development login form, then grants
(or, with ``grant=False``, declines) consent, and follows the redirects back to the
app's loopback listener, as a person in a browser would.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from urllib.parse import parse_qs, urljoin, urlsplit

import requests
from bs4 import BeautifulSoup, Tag

_MAX_PAGES = 6
_REQUEST_TIMEOUT = 30.0


@dataclass
class Arrival:
    """What the browser got back from the app's loopback listener."""

    url: str
    status: int
    text: str


class HeadlessBrowser:
    """Completes the provider's sign-in and consent pages with requests.

    After :meth:`open`, :meth:`wait` returns the :class:`Arrival` at the loopback
    redirect, or raises what went wrong in the browser's thread (for example
    ``requests.ConnectionError`` when nothing listens there any more).
    """

    def __init__(
        self, login: str = "alice", password: str = "secret", *, grant: bool = True
    ) -> None:
        self.login = login
        self.password = password
        self.grant = grant
        self.opened_urls: list[str] = []
        self._arrival: Arrival | None = None
        self._failure: BaseException | None = None
        self._finished = threading.Event()

    def open(self, url: str) -> bool:
        """Start following ``url`` in a background thread; always returns True."""
        self.opened_urls.append(url)
        threading.Thread(
            target=self._run, args=(url,), name="headless-browser", daemon=True
        ).start()
        return True

    def wait(self, timeout: float = 30.0) -> Arrival:
        """Wait for the browser to finish; return its arrival or raise its failure."""
        if not self._finished.wait(timeout):
            raise TimeoutError("The headless browser did not finish")
        if self._failure is not None:
            raise self._failure
        assert self._arrival is not None
        return self._arrival

    def _run(self, url: str) -> None:
        try:
            self._arrival = self._follow(url)
        except BaseException as error:  # handed to wait()
            self._failure = error
        finally:
            self._finished.set()

    def _follow(self, url: str) -> Arrival:
        redirect_uri = parse_qs(urlsplit(url).query)["redirect_uri"][0]
        with requests.Session() as session:
            page = session.get(url, timeout=_REQUEST_TIMEOUT)
            for _ in range(_MAX_PAGES):
                if page.url.startswith(redirect_uri):
                    return Arrival(page.url, page.status_code, page.text)
                page = self._answer(session, page)
        raise RuntimeError(f"Never came back to {redirect_uri}; last page {page.url}")

    def _answer(
        self, session: requests.Session, page: requests.Response
    ) -> requests.Response:
        """Submit the form on ``page`` (or decline) and return the next page."""
        document = BeautifulSoup(page.text, "html.parser")
        form = document.find("form")
        if not isinstance(form, Tag):
            raise RuntimeError(
                f"No form on {page.url} ({page.status_code}): {page.text[:300]}"
            )
        fields = {
            str(field["name"]): str(field.get("value", ""))
            for field in form.find_all("input")
            if isinstance(field, Tag) and field.get("name")
        }
        if fields.get("prompt") == "consent" and not self.grant:
            abort = document.find(
                "a", href=lambda href: bool(href) and "/abort" in href
            )
            if not isinstance(abort, Tag):
                raise RuntimeError(f"No way to decline on {page.url}")
            return session.get(
                urljoin(page.url, str(abort["href"])), timeout=_REQUEST_TIMEOUT
            )
        if "login" in fields:
            fields["login"] = self.login
            fields["password"] = self.password
        action = urljoin(page.url, str(form.get("action", "")))
        return session.post(action, data=fields, timeout=_REQUEST_TIMEOUT)
