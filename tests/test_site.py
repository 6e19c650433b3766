"""The built docs site, as a reader's browser shows it.

The site is built with ``mkdocs build --strict`` into a temporary folder and every page is opened
from the file system (``file://``, no web server, no network) in headless Chromium, driven over the
DevTools protocol on a pipe (``--remote-debugging-pipe``: no extra package, no port). On every page:
each formula is typeset by MathJax (no raw TeX delimiters left, no MathJax error), each image has
loaded, and the console shows no error (nor any uncaught exception, nor a failed load); and a query
typed into the search box, from the file system, lists matching pages. The static
checks before it need no browser: no page loads anything from the network, and no text written by a
generator is turned into emphasis by Markdown.

Needs the ``[docs]`` extra (mkdocs, MathJax) and a Chromium (Debian package ``chromium``; ``.ci/run``
installs it); without them the tests skip and say which is missing (with ``VARPROOF_REQUIRE_BROWSER=1``,
as in CI, a missing browser fails instead).
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
BROWSER_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--no-first-run",
    "--no-default-browser-check",
    "--remote-debugging-pipe",
)


def _chromium() -> str | None:
    for name in ("chromium", "chromium-browser", "google-chrome", "chrome"):
        if found := shutil.which(name):
            return found
    return None


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    pytest.importorskip("mkdocs", reason="mkdocs is not installed (pip install -e '.[docs]')")
    pytest.importorskip(
        "mathjax", reason="MathJax is not installed (pip install -e '.[docs]' brings django-static-mathjax)"
    )
    out = tmp_path_factory.mktemp("site")
    env = dict(os.environ, NO_MKDOCS_2_WARNING="1")
    proc = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--quiet", "-d", str(out)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stderr
    return out


def _pages(site: Path) -> list[Path]:
    return sorted(p for p in site.rglob("*.html") if p.name != "404.html")


class Browser:
    """Headless Chromium over the DevTools protocol on fds 3 (commands in) and 4 (events out)."""

    def __init__(self, executable: str, profile: Path):
        to_child_r, self._to_child = os.pipe()
        self._from_child, from_child_w = os.pipe()

        def fds():  # the child reads commands on fd 3 and writes replies on fd 4
            high = [fcntl.fcntl(fd, fcntl.F_DUPFD, 10) for fd in (to_child_r, from_child_w)]
            os.dup2(high[0], 3)
            os.dup2(high[1], 4)

        self.proc = subprocess.Popen(
            [executable, *BROWSER_FLAGS, f"--user-data-dir={profile}", "about:blank"],
            preexec_fn=fds,
            pass_fds=(3, 4),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        os.close(to_child_r)
        os.close(from_child_w)
        self._buffer = b""
        self._next_id = 0
        self.events: list[dict] = []
        targets = self.call("Target.getTargets")["targetInfos"]
        page = next(t for t in targets if t["type"] == "page")
        self.session = self.call("Target.attachToTarget", targetId=page["targetId"], flatten=True)["sessionId"]
        for domain in ("Page", "Runtime", "Log", "Network"):
            self.call(f"{domain}.enable", session=True)

    def _read(self, deadline: float) -> dict:
        while b"\0" not in self._buffer:
            if time.monotonic() > deadline:
                raise TimeoutError("Chromium did not answer in time")
            chunk = os.read(self._from_child, 1 << 16)
            if not chunk:
                raise RuntimeError("Chromium closed the DevTools pipe")
            self._buffer += chunk
        message, self._buffer = self._buffer.split(b"\0", 1)
        return json.loads(message)

    def call(self, method: str, session: bool = False, timeout: float = 60, **params) -> dict:
        self._next_id += 1
        message = {"id": self._next_id, "method": method, "params": params}
        if session:
            message["sessionId"] = self.session
        os.write(self._to_child, json.dumps(message).encode() + b"\0")
        deadline = time.monotonic() + timeout
        while True:
            reply = self._read(deadline)
            if reply.get("id") == self._next_id:
                if "error" in reply:
                    raise RuntimeError(f"{method}: {reply['error']}")
                return reply["result"]
            self.events.append(reply)

    def wait_for(self, method: str, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while not any(e.get("method") == method for e in self.events):
            self.events.append(self._read(deadline))

    def evaluate(self, expression: str):
        result = self.call(
            "Runtime.evaluate", session=True, expression=expression, awaitPromise=True, returnByValue=True
        )
        if "exceptionDetails" in result:
            raise RuntimeError(f"page script failed: {result['exceptionDetails']}")
        return result["result"].get("value")

    def close(self) -> None:
        with contextlib.suppress(RuntimeError, TimeoutError, OSError):
            self.call("Browser.close", timeout=10)
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        os.close(self._to_child)
        os.close(self._from_child)


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    executable = _chromium()
    if executable is None:
        why = "no Chromium to render the site with (Debian: apt-get install chromium)"
        if os.environ.get("VARPROOF_REQUIRE_BROWSER"):  # CI installs it: a missing browser is a failure there
            pytest.fail(why)
        pytest.skip(why)
    b = Browser(executable, tmp_path_factory.mktemp("chromium-profile"))
    yield b
    b.close()


# What the page reports once MathJax has typeset it: formulas (arithmatex elements), how many MathJax
# rendered or rejected, text anywhere on the page (article, navigation, table of contents) outside code
# that still holds a TeX delimiter, and images not loaded.
PAGE_STATE = r"""
(async () => {
  const MATH_ERROR = '[data-mjx-error], [data-mml-node="merror"], mjx-merror';
  if (window.MathJax && MathJax.startup && MathJax.startup.promise) { await MathJax.startup.promise; }
  const formulas = [...document.querySelectorAll('.arithmatex')];
  const raw = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    if (node.parentElement.closest('code, pre, script, style, mjx-container')) continue;
    if (/\\\(|\\\)|\\\[|\\\]|\$\$/.test(node.textContent)) raw.push(node.textContent.trim().slice(0, 80));
  }
  const images = [...document.images];
  return {
    formulas: formulas.length,
    typeset: formulas.filter(f => f.querySelector('mjx-container') && !f.querySelector(MATH_ERROR)).length,
    errors: formulas.filter(f => f.querySelector(MATH_ERROR)).map(f => f.getAttribute('data-tex') || f.textContent.slice(0, 80)),
    raw: raw,
    images: images.length,
    broken: images.filter(i => !(i.complete && i.naturalWidth > 0)).map(i => i.getAttribute('src')),
  };
})()
"""


def _problems(events: list[dict]) -> list[str]:
    """Console errors, uncaught exceptions and failed loads among DevTools events."""
    out = []
    for e in events:
        method, p = e.get("method"), e.get("params", {})
        if method == "Runtime.consoleAPICalled" and p.get("type") in ("error", "assert"):
            out.append("console: " + " ".join(str(a.get("value", a.get("description", ""))) for a in p.get("args", [])))
        elif method == "Runtime.exceptionThrown":
            details = p.get("exceptionDetails", {})
            out.append("exception: " + str(details.get("exception", {}).get("description", details.get("text"))))
        elif method == "Log.entryAdded" and p.get("entry", {}).get("level") == "error":
            out.append("log: " + p["entry"].get("text", "") + " " + p["entry"].get("url", ""))
        elif method == "Network.loadingFailed":
            out.append("failed load: " + p.get("errorText", "") + " " + p.get("requestId", ""))
    return out


def check_page(browser: Browser, page: Path) -> tuple[list[str], dict]:
    """Open ``page`` from the file system; the problems found and the page's state."""
    browser.events.clear()
    browser.call("Page.navigate", session=True, url=page.as_uri())
    browser.wait_for("Page.loadEventFired")
    state = browser.evaluate(PAGE_STATE)
    browser.call("Runtime.evaluate", session=True, expression="0")  # flush pending console events
    issues = _problems(browser.events)
    if state["typeset"] != state["formulas"]:
        issues.append(f"{state['formulas'] - state['typeset']} formula(s) not typeset: {state['errors']}")
    issues += [f"raw TeX left: {t!r}" for t in state["raw"]]
    issues += [f"image not loaded: {src}" for src in state["broken"]]
    return issues, state


def test_every_page_renders_in_a_browser(site, browser):
    """Each page: formulas typeset, images loaded, console clean. The site has formulas and images
    at all (so the checks are not vacuous)."""
    failures, formulas, images = {}, 0, 0
    for page in _pages(site):
        issues, state = check_page(browser, page)
        if issues:
            failures[str(page.relative_to(site))] = issues
        formulas += state["formulas"]
        images += state["images"]
    assert not failures, json.dumps(failures, indent=1, ensure_ascii=False)
    assert formulas > 0 and images > 0, (formulas, images)


def test_the_browser_check_finds_each_kind_of_problem(site, browser, tmp_path):
    """A page with a bad formula, raw TeX, a missing image and a console error: each is reported."""
    mathjax = [(site / "javascripts" / "mathjax.js").as_uri(), (site / "assets" / "mathjax" / "tex-svg.js").as_uri()]
    page = tmp_path / "bad.html"
    page.write_text(
        "<!doctype html><html><body><article>"
        '<p><span class="arithmatex">\\(\\undefinedmacro{x}\\)</span> and <span class="arithmatex">\\(x^2\\)</span></p>'
        "<p>raw \\(y\\) left</p><img src='missing.png'>"
        "<script>console.error('broken on purpose')</script>"
        + "".join(f'<script src="{src}"></script>' for src in mathjax)
        + "</article></body></html>",
        encoding="utf-8",
    )
    issues, state = check_page(browser, page)
    text = "\n".join(issues)
    assert state["formulas"] == 2 and state["typeset"] == 1
    assert "not typeset" in text and "undefinedmacro" in text
    assert "raw TeX left" in text and "image not loaded: missing.png" in text and "broken on purpose" in text


def test_no_page_loads_from_the_network(site):
    """Scripts, styles and images are files of the site: it works offline."""
    remote = re.compile(r"""<(?:script|img|link)\b[^>]*\b(?:src|href)=["'](?:https?:)?//""")
    offenders = {str(p.relative_to(site)): remote.findall(p.read_text(encoding="utf-8")) for p in _pages(site)}
    assert not {k: v for k, v in offenders.items() if v}


def test_links_open_from_the_file_system(site):
    """Internal links name .html files that exist (no directory URLs that need a web server)."""
    href = re.compile(r'href="([^"#:?]+)(?:#[^"]*)?"')
    missing = []
    for page in _pages(site):
        for target in href.findall(page.read_text(encoding="utf-8")):
            path = (page.parent / target).resolve()
            if not path.is_file():
                missing.append(f"{page.relative_to(site)} → {target}")
    assert not missing, missing[:20]


def test_api_reference_lists_the_public_names(site):
    """The API reference documents every name of ``varproof.construct.__all__`` and ``varproof.verify.__all__``."""
    from varproof import construct, verify

    text = (site / "api.html").read_text(encoding="utf-8")
    missing = [
        f"{m.__name__}.{name}"
        for m in (construct, verify)
        for name in m.__all__
        if f'id="{m.__name__}.{name}"' not in text
    ]
    assert not missing


def test_no_page_is_mangled_by_markdown(site):
    """Text reaches the page as written: Markdown turns no formula or value into emphasis (as it did
    with ``8/(3*pi)`` or ``h(A)_k − q_{A,k}``). Emphasis is for words; one that holds a subscript,
    a product, a brace or a norm is a formula Markdown read as markup."""
    mangled = re.compile(r"<(em|strong)>[^<]*[_*{}‖|∞][^<]*</\1>")
    found = {}
    for page in _pages(site):
        text = page.read_text(encoding="utf-8")
        if "<article" in text:
            hits = mangled.findall(text[text.index("<article") : text.index("</article>")])
            if hits:
                found[str(page.relative_to(site))] = len(hits)
    assert not found, found


def _search(browser: Browser, page: Path, query: str) -> dict:
    """Open ``page`` from the file system, click the search box and type ``query`` key by key, as a
    reader does (the theme loads its index only once the search is opened); what the search shows."""
    browser.events.clear()
    browser.call("Page.navigate", session=True, url=page.as_uri())
    browser.wait_for("Page.loadEventFired")
    x, y = browser.evaluate(
        "(() => { const r = document.querySelector('label[for=__search]').getBoundingClientRect();"
        " return [r.x + r.width / 2, r.y + r.height / 2]; })()"
    )
    for kind in ("mousePressed", "mouseReleased"):
        browser.call("Input.dispatchMouseEvent", session=True, type=kind, x=x, y=y, button="left", clickCount=1)
    for ch in query:
        browser.call("Input.dispatchKeyEvent", session=True, type="keyDown", text=ch, key=ch, unmodifiedText=ch)
        browser.call("Input.dispatchKeyEvent", session=True, type="keyUp", key=ch)
    return browser.evaluate(r"""
(async () => {
  for (let i = 0; i < 100 && !document.querySelector('.md-search-result__item'); i++) {
    await new Promise(r => setTimeout(r, 100));
  }
  return {meta: document.querySelector('.md-search-result__meta').textContent.trim(),
          links: [...document.querySelectorAll('.md-search-result__item a')].map(a => a.href)};
})()""")


@pytest.mark.parametrize("page", ["index.html", "examples/cost.html"])
def test_search_works_from_the_file_system(site, browser, page):
    """Typing a query into the search box of a page opened from the file system (default browser
    settings, no web server) lists matching pages, and their links open existing files — on a
    top-level page and on a nested one (whose paths to the search worker and index differ)."""
    from urllib.parse import unquote, urlsplit

    found = _search(browser, site / page, "contextual")
    assert re.fullmatch(r"\d+ matching documents?", found["meta"]), found["meta"]
    assert found["links"], found
    files = {Path(unquote(urlsplit(link).path)) for link in found["links"]}
    assert all(f.is_file() and site in f.parents for f in files), files
    assert site / "examples" / "contextual_mapping.html" in files
    assert not _problems(browser.events)
