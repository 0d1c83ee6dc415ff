"""Serve a built MkDocs site on 127.0.0.1 under the path of its ``site_url``.

The site is built for https://convdocs.github.io/convdocs/, so absolute links
(the notebook download, for one) include ``/convdocs/``. Serving the directory
at ``/`` would make those links 404; this helper serves it under the same
prefix, and answers 404 to anything outside it.

Like GitHub Pages, it gzips text files for clients that accept gzip and sends
``Cache-Control: max-age=600``, so that Lighthouse measures roughly what a
reader of the published site downloads.

    with SiteServer("site") as server:
        server.url("pooling/")  # http://127.0.0.1:PORT/convdocs/pooling/

Standard library only, so ``bench/lighthouse.py`` can import it by path.
"""

from __future__ import annotations

import functools
import gzip
import io
import re
import threading
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit

__all__ = ["SiteServer", "site_prefix"]

ROOT = Path(__file__).resolve().parents[1]


def site_prefix(mkdocs_yml: str | Path = ROOT / "mkdocs.yml") -> str:
    """The path of ``site_url`` in mkdocs.yml, as ``/name/`` (or ``/``).

    Read with a regex rather than a YAML loader: mkdocs.yml may hold
    ``!!python/name:`` tags that ``yaml.safe_load`` refuses.
    """
    text = Path(mkdocs_yml).read_text(encoding="utf-8")
    match = re.search(r"^site_url:\s*['\"]?([^'\"\s#]+)", text, re.MULTILINE)
    path = urlsplit(match.group(1)).path if match else "/"
    return "/" + path.strip("/") + "/" if path.strip("/") else "/"


_TEXT = {".html", ".css", ".js", ".json", ".svg", ".xml", ".txt", ".map", ".ipynb", ".md"}
_gzipped: dict[tuple[str, float], bytes] = {}


class _Handler(SimpleHTTPRequestHandler):
    prefix = "/"

    def log_message(self, format, *args):  # noqa: A002 - stdlib signature
        pass  # quiet: tests and Lighthouse make hundreds of requests

    def _rewrite(self) -> bool:
        self._error = False
        path = urlsplit(self.path).path
        if path == self.prefix.rstrip("/"):
            # /convdocs -> /convdocs/ like GitHub Pages does.
            self.send_response(301)
            self.send_header("Location", self.prefix)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return False
        if not path.startswith(self.prefix):
            self.send_error(404, "outside the site prefix")
            return False
        self.path = "/" + self.path[len(self.prefix):]
        return True

    def do_GET(self):
        if self._rewrite():
            super().do_GET()

    def do_HEAD(self):
        if self._rewrite():
            super().do_HEAD()

    def end_headers(self):
        if not getattr(self, "_error", False):
            self.send_header("Cache-Control", "max-age=600")
        super().end_headers()

    def send_error(self, *args, **kwargs):
        self._error = True
        super().send_error(*args, **kwargs)

    def send_head(self):
        # A directory without index.html gets a 404, not a directory listing.
        path = Path(self.translate_path(self.path))
        if path.is_dir() and not (path / "index.html").is_file():
            self.send_error(404, "no index.html")
            return None
        if path.is_dir():
            parts = urlsplit(self.path)
            if not parts.path.endswith("/"):  # /convdocs/pooling -> /convdocs/pooling/
                location = self.prefix + parts.path.lstrip("/") + "/"
                self.send_response(301)
                self.send_header("Location", location + (f"?{parts.query}" if parts.query else ""))
                self.send_header("Content-Length", "0")
                self.end_headers()
                return None
            path = path / "index.html"
        if (path.suffix in _TEXT and path.is_file()
                and "gzip" in self.headers.get("Accept-Encoding", "")):
            return self._send_gzipped(path)
        return super().send_head()

    def _send_gzipped(self, path: Path):
        key = (str(path), path.stat().st_mtime)
        body = _gzipped.get(key)
        if body is None:
            body = _gzipped[key] = gzip.compress(path.read_bytes(), compresslevel=6, mtime=0)
        self.send_response(200)
        self.send_header("Content-Type", self.guess_type(str(path)))
        self.send_header("Content-Encoding", "gzip")
        self.send_header("Vary", "Accept-Encoding")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        return io.BytesIO(body)


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address):
        pass  # a browser closing a connection early is not an error worth printing


class SiteServer:
    """Context manager: serve ``directory`` on a free port in a background thread."""

    def __init__(self, directory: str | Path, prefix: str | None = None,
                 host: str = "127.0.0.1", port: int = 0):
        self.directory = Path(directory).resolve()
        if not (self.directory / "index.html").is_file():
            raise FileNotFoundError(f"{self.directory} has no index.html: build the site first")
        self.prefix = prefix if prefix is not None else site_prefix()
        if not self.prefix.startswith("/") or not self.prefix.endswith("/"):
            raise ValueError(f"prefix must start and end with '/': {self.prefix!r}")
        self.host = host
        self.port = port
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None

    @property
    def base_url(self) -> str:
        return f"http://{self.host}:{self.port}{self.prefix}"

    def url(self, path: str = "") -> str:
        return self.base_url + path.lstrip("/")

    def start(self) -> "SiteServer":
        handler = type("Handler", (_Handler,), {"prefix": self.prefix})
        handler = functools.partial(handler, directory=str(self.directory))
        self._server = _Server((self.host, self.port), handler)
        self.port = self._server.server_address[1]
        self._thread = threading.Thread(target=self._server.serve_forever,
                                        name="site-server", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._thread.join(timeout=5)
            self._server = self._thread = None

    def __enter__(self) -> "SiteServer":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()


if __name__ == "__main__":  # python tests/site_server.py [site] -> serve until Ctrl-C
    import sys
    import time

    with SiteServer(sys.argv[1] if len(sys.argv) > 1 else ROOT / "site") as srv:
        print(srv.base_url, flush=True)
        try:
            while True:
                time.sleep(3600)
        except KeyboardInterrupt:
            pass


# -- shared by the browser tests (test_site, test_player, test_playground) ---------------

def chromium_path() -> str | None:
    """$CHROMIUM_PATH, else the first Chromium-like browser on PATH."""
    import os
    import shutil
    if os.environ.get("CHROMIUM_PATH"):
        return os.environ["CHROMIUM_PATH"]
    for name in ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable"):
        if shutil.which(name):
            return shutil.which(name)
    return None


def launch_chromium(purpose: str, args: list[str]):
    """Yield a Playwright Chromium for a module fixture; without one, skip the tests (fail
    them under CI)."""
    import os

    import pytest
    path = chromium_path()
    if path is None:
        message = (f"No Chromium for the {purpose} tests: install Debian's chromium "
                   "(apt-get update && apt-get install -y chromium) or set CHROMIUM_PATH.")
        if os.environ.get("CI"):
            pytest.fail(message, pytrace=False)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=path, args=args)
        yield browser
        browser.close()


def build_site(out: Path) -> Path:
    """`mkdocs build --strict` of the repository into `out` ($CONVDOCS_SITE_DIR: an existing
    build instead); a failed build fails the calling test with mkdocs' output."""
    import os
    import subprocess
    import sys

    import pytest
    if os.environ.get("CONVDOCS_SITE_DIR"):
        return Path(os.environ["CONVDOCS_SITE_DIR"]).resolve()
    env = dict(os.environ, NO_MKDOCS_2_WARNING="1")
    proc = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "-d", str(out)],
                          cwd=ROOT, env=env, capture_output=True, text=True)
    if proc.returncode != 0:
        pytest.fail(f"mkdocs build --strict failed ({proc.returncode}):\n"
                    f"{proc.stdout[-4000:]}\n{proc.stderr[-4000:]}", pytrace=False)
    return out
