"""Browser check: open the rendered reports in headless Chromium, as a reader would.

A small sample (300 customers, 2 regions) is rendered for one region with every
report notebook; Chromium then opens ``index.html`` from disk (``file://``, the
way a manager opens a report folder or a hand-off package) and follows each of
its links. For every page the test records what the browser saw: console
messages, uncaught page errors, every request, the images and the in-page
anchor links, and saves a full-page screenshot next to the rendered reports in
the module's temporary directory (``.../browser0/screenshots/``).

Requests are allowed only to the files of the report, ``data:``/``blob:`` URLs
and the loopback address: reports must work offline. Anything else is recorded
and aborted (and host names do not resolve: ``--host-resolver-rules``), so the
test itself never reaches the network.

Needs Debian's ``chromium`` (``/usr/bin/chromium``, or ``CUSTLIB_CHROMIUM``)
and Playwright for Python; skipped with the reason when either is absent. The
Playwright driver ships inside its wheel: never run ``playwright install``, the
system Chromium is launched through ``executable_path``.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote, urlsplit
from urllib.request import url2pathname

import pandas as pd
import pytest

from custlib.io.sample import generate_sample
from custlib.run.runner import list_notebooks, render

CHROMIUM = Path(os.environ.get("CUSTLIB_CHROMIUM", "/usr/bin/chromium"))

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.slow,
    pytest.mark.skipif(
        not CHROMIUM.is_file(),
        reason=f"browser check needs Chromium at {CHROMIUM} (Debian package 'chromium'; .ci/run installs it)",
    ),
]

sync_api = pytest.importorskip(
    "playwright.sync_api",
    reason="browser check needs Playwright for Python (pip package 'playwright', pinned in requirements.txt)",
)

CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    # No host name resolves except the loopback: a page that tries to reach the
    # internet fails here instead of fetching (the request is also recorded).
    "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE localhost, EXCLUDE 127.0.0.1",
]
LOOPBACK = {"127.0.0.1", "localhost", "[::1]", "::1"}
PAGE_TIMEOUT_MS = 15_000

ANALYSES = tuple(nb.stem for nb in list_notebooks("all"))

# What the page would fetch, read from the DOM and the style sheets: covers
# resources the run happened not to request (a web font for glyphs the page
# lacks, a lazy image), which the request log alone would miss.
JS_RESOURCES = r"""() => {
  const urls = [];
  const attrs = [["script[src]", "src"], ["link[href]", "href"], ["img[src]", "src"], ["img[srcset]", "srcset"],
                 ["iframe[src]", "src"], ["source[src]", "src"], ["video[src]", "src"], ["audio[src]", "src"],
                 ["embed[src]", "src"], ["object[data]", "data"], ["image", "href"], ["use", "href"]];
  for (const [sel, attr] of attrs) {
    for (const el of document.querySelectorAll(sel)) {
      const v = el.getAttribute(attr) || "";
      if (v.startsWith("#")) continue;
      try { urls.push(new URL(v, document.baseURI).href); } catch (e) { urls.push(v); }
    }
  }
  const walk = (rules, base) => {
    for (const rule of rules) {
      if (rule.href && rule.styleSheet) {  // @import
        urls.push(new URL(rule.href, base).href);
      }
      for (const m of rule.cssText.matchAll(/url\(\s*['"]?([^'")]+)['"]?\s*\)/g)) {
        if (m[1].startsWith("#")) continue;
        try { urls.push(new URL(m[1], base).href); } catch (e) { urls.push(m[1]); }
      }
      if (rule.cssRules) walk(rule.cssRules, base);
    }
  };
  for (const sheet of document.styleSheets) {
    try { walk(sheet.cssRules, sheet.href || document.baseURI); } catch (e) { urls.push("unreadable stylesheet " + sheet.href); }
  }
  return urls;
}"""

JS_IMAGES = """() => Array.from(document.images, (img, i) => ({
  index: i, src: img.currentSrc.slice(0, 60), alt: img.alt,
  complete: img.complete, width: img.naturalWidth, height: img.naturalHeight,
}))"""

# An in-page link resolves when an element has that id (or, per the HTML
# spec's fallback, an <a name=...>); the href is percent-decoded first.
JS_ANCHORS = """() => {
  const count = new Map();
  for (const el of document.querySelectorAll("[id]")) count.set(el.id, (count.get(el.id) || 0) + 1);
  for (const el of document.querySelectorAll("a[name]")) {
    const n = el.getAttribute("name");
    if (!count.has(n)) count.set(n, 1);
  }
  return Array.from(document.querySelectorAll('a[href^="#"]'), a => {
    const raw = a.getAttribute("href").slice(1);
    let target = raw;
    try { target = decodeURIComponent(raw); } catch (e) {}
    return {href: a.getAttribute("href"), text: a.textContent.trim().slice(0, 60), target, matches: count.get(target) || 0};
  });
}"""

JS_LINKS = """() => Array.from(document.querySelectorAll("a[href]"))
  .filter(a => !a.getAttribute("href").startsWith("#"))
  .map(a => ({href: a.getAttribute("href"), url: a.href, text: a.textContent.trim()}))"""


@dataclass
class Visit:
    """What the browser saw on one page."""

    url: str
    title: str = ""
    console_errors: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)
    requests: list[str] = field(default_factory=list)
    failed_requests: list[str] = field(default_factory=list)
    resources: list[str] = field(default_factory=list)
    images: list[dict] = field(default_factory=list)
    anchors: list[dict] = field(default_factory=list)
    links: list[dict] = field(default_factory=list)
    screenshot: Path | None = None

    @property
    def name(self) -> str:
        return "/".join(unquote(urlsplit(self.url).path).split("/")[-2:])  # "east/01_segment_customers.html"


@dataclass
class Browsed:
    quarter_dir: Path
    index: Visit
    reports: dict[str, Visit]  # notebook stem -> visit of its report
    blocked: list[str]

    @property
    def pages(self) -> list[Visit]:
        return [self.index, *self.reports.values()]


def is_local(url: str) -> bool:
    """True for URLs that do not leave the machine: report files, inline data, loopback."""
    parts = urlsplit(url)
    if parts.scheme in ("file", "data", "blob", "about"):
        return parts.scheme != "file" or parts.netloc in ("", "localhost")
    return parts.scheme in ("http", "https", "ws", "wss") and (parts.hostname or "") in LOOPBACK


def file_path(url: str) -> Path:
    return Path(url2pathname(urlsplit(url).path))


def visit(context, url: str, screenshot: Path) -> Visit:
    """Open ``url`` in a new tab, wait until it and its images have loaded, record and screenshot it."""
    v = Visit(url)
    page = context.new_page()
    page.on("console", lambda m: v.console_errors.append(f"{m.text} [{m.location.get('url', '')}]") if m.type == "error" else None)
    page.on("pageerror", lambda err: v.page_errors.append(str(err)))
    page.on("request", lambda r: v.requests.append(r.url))
    page.on("requestfailed", lambda r: v.failed_requests.append(f"{r.url[:120]}: {r.failure}"))
    page.on("websocket", lambda ws: v.requests.append(ws.url))
    try:
        page.goto(url, wait_until="load")
        page.wait_for_load_state("networkidle")
        v.title = page.title()
        v.images = page.evaluate(JS_IMAGES)
        v.anchors = page.evaluate(JS_ANCHORS)
        v.links = page.evaluate(JS_LINKS)
        v.resources = page.evaluate(JS_RESOURCES)
        page.screenshot(path=str(screenshot), full_page=True)
        v.screenshot = screenshot
    finally:
        page.close()
    return v


@dataclass
class Browser:
    context: object  # playwright BrowserContext
    blocked: list[str]  # requests the route guard aborted, in order


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    """Headless Chromium with a fresh profile; requests that would leave the machine are recorded and aborted."""
    blocked: list[str] = []

    def guard(route):
        if is_local(route.request.url):
            route.continue_()
        else:
            blocked.append(route.request.url)
            route.abort("blockedbyclient")

    with sync_api.sync_playwright() as pw:
        context = pw.chromium.launch_persistent_context(
            str(tmp_path_factory.mktemp("chromium-profile")),
            executable_path=str(CHROMIUM),
            headless=True,
            args=CHROMIUM_ARGS,
            viewport={"width": 1280, "height": 900},
        )
        try:
            context.set_default_timeout(PAGE_TIMEOUT_MS)
            context.route("**/*", guard)
            yield Browser(context, blocked)
        finally:
            context.close()


@pytest.fixture(scope="module")
def browsed(browser, tmp_path_factory) -> Browsed:
    """Render one region of a small sample, then open the index and every report it links."""
    root = tmp_path_factory.mktemp("browser")
    data = root / "data"
    generate_sample(data, customers=300, regions=2, seed=42)
    regions = pd.read_parquet(data / "customers.parquet", columns=["region"])["region"]
    region = regions.value_counts().sort_index(kind="stable").idxmax()  # the larger region: enough data for every analysis
    result = render(data, regions=region, notebooks="all", out=root / "reports", jobs=2, progress=False)
    shots = root / "screenshots"
    shots.mkdir()
    already_blocked = len(browser.blocked)
    index = visit(browser.context, result.index.as_uri(), shots / "index.png")
    reports = {}
    for link in index.links:
        path = file_path(link["url"])
        if urlsplit(link["url"]).scheme != "file" or not path.is_file():
            continue  # reported by test_index_links_resolve_to_report_files_one_per_analysis
        if path.suffix != ".html":
            continue  # the action lists (actions.xlsx, actions.csv) download; the links test checks they exist
        if path.stem not in reports:
            reports[path.stem] = visit(browser.context, link["url"], shots / f"{path.parent.name}_{path.stem}.png")
    return Browsed(result.out_dir, index, reports, browser.blocked[already_blocked:])


def test_recorders_catch_a_broken_page_that_fetches_from_the_internet(browser, tmp_path):
    """Self-check of every assertion below on a page built to fail each one: a CDN script, a web font,
    a script error, a missing image and an in-page link to no element; nothing reaches the network."""
    page = tmp_path / "broken.html"
    page.write_text(
        '<!DOCTYPE html><html><head><title>t</title><script src="https://cdn.example.invalid/require.js"></script>'
        "<style>@font-face { font-family: X; src: url(https://fonts.example.invalid/x.woff2); }</style></head>"
        '<body><h1 id="a b">A</h1><a href="#a%20b">a</a><a href="#gone">gone</a><img src="missing.png">'
        '<script>console.error("boom"); notDefined();</script></body></html>',
        encoding="utf-8",
    )
    before = len(browser.blocked)
    v = visit(browser.context, page.as_uri(), tmp_path / "broken.png")
    assert "https://cdn.example.invalid/require.js" in v.requests
    assert browser.blocked[before:] == ["https://cdn.example.invalid/require.js"]
    assert [u for u in v.resources if not is_local(u)] == [
        "https://cdn.example.invalid/require.js",
        "https://fonts.example.invalid/x.woff2",
    ]
    assert [(a["href"], a["matches"]) for a in v.anchors] == [("#a%20b", 1), ("#gone", 0)]
    assert [(img["complete"], img["width"]) for img in v.images] == [(True, 0)]
    assert any("boom" in m for m in v.console_errors)
    assert any("notDefined" in m for m in v.page_errors)
    assert any("missing.png" in m for m in v.failed_requests)


def test_index_links_resolve_to_report_files_one_per_analysis(browsed):
    """Every link on the index is a relative link to an existing HTML file inside the quarter's folder,
    and the index links a report of each analysis notebook."""
    problems = []
    for link in browsed.index.links:
        url = link["url"]
        path = file_path(url)
        if urlsplit(url).scheme != "file":
            problems.append(f"{link['href']!r} ({link['text']}) is not a file next to the index: {url}")
        elif not path.is_file():
            problems.append(f"{link['href']!r} ({link['text']}) points to a missing file {path}")
        elif browsed.quarter_dir.resolve() not in path.resolve().parents:
            problems.append(f"{link['href']!r} ({link['text']}) leaves the quarter folder: {path}")
        elif link["href"].startswith(("/", "file:")):
            problems.append(f"{link['href']!r} ({link['text']}) is absolute: the report folder cannot be moved or zipped")
    assert not problems, "index.html links that do not resolve:\n" + "\n".join(problems)
    missing = sorted(set(ANALYSES) - set(browsed.reports))
    assert not missing, f"index.html links no report of {missing} (linked: {sorted(browsed.reports)})"


def test_each_linked_report_loads_with_a_title(browsed):
    """Following an index link opens the report: the page has a title and the report's own heading."""
    for name, v in browsed.reports.items():
        assert v.title.strip(), f"{name}: the page has no <title>"
        assert any(a["target"] for a in v.anchors), f"{name}: the page shows no heading with an anchor; did it render?"


def test_pages_log_no_console_errors_and_raise_no_page_errors(browsed):
    problems = []
    for v in browsed.pages:
        problems += [f"{v.name}: console error: {m}" for m in v.console_errors]
        problems += [f"{v.name}: uncaught error: {m}" for m in v.page_errors]
        problems += [f"{v.name}: failed request: {m}" for m in v.failed_requests]
    assert not problems, "\n".join(problems)


def test_every_image_loads(browsed):
    """Every <img> finished loading with a non-zero natural size (a broken chart has naturalWidth 0)."""
    broken = [
        f"{v.name}: image #{img['index']} ({img['alt'] or img['src']}) did not load"
        for v in browsed.pages
        for img in v.images
        if not (img["complete"] and img["width"] > 0 and img["height"] > 0)
    ]
    assert not broken, "\n".join(broken)
    without = [name for name in ANALYSES if name in browsed.reports and not browsed.reports[name].images]
    assert not without, f"analysis reports without a single chart: {without}"


def test_in_page_links_point_to_an_element_with_that_id(browsed):
    """Every a[href^="#"] (table of contents, heading anchors) lands on an element, and on only one."""
    problems = []
    for v in browsed.pages:
        for a in v.anchors:
            if not a["target"]:
                problems.append(f"{v.name}: link {a['text']!r} has an empty fragment {a['href']!r}")
            elif a["matches"] == 0:
                problems.append(f"{v.name}: link {a['text']!r} -> {a['href']!r}: no element has id {a['target']!r}")
            elif a["matches"] > 1:
                problems.append(f"{v.name}: link {a['text']!r} -> {a['href']!r}: {a['matches']} elements share id {a['target']!r}")
    assert not problems, "\n".join(problems)


def test_no_request_leaves_the_machine(browsed):
    """Reports work offline: every request made, and every resource the pages reference
    (scripts, style sheets, fonts, images, CSS url()s), is a local file, inline data or loopback."""
    outside = [f"{v.name}: requested {u}" for v in browsed.pages for u in v.requests if not is_local(u)]
    outside += [f"{v.name}: references {u}" for v in browsed.pages for u in v.resources if not is_local(u)]
    outside += [f"blocked: {u}" for u in browsed.blocked]
    assert not outside, "reports reach outside the machine:\n" + "\n".join(sorted(set(outside)))
    assert all(v.requests for v in browsed.pages), "no request was recorded: the recorder is broken"


def test_screenshots_are_saved_and_show_something(browsed):
    """One full-page PNG per page, as wide as the viewport and not a single flat colour."""
    from PIL import Image

    for v in browsed.pages:
        assert v.screenshot is not None and v.screenshot.is_file(), f"{v.name}: no screenshot"
        with Image.open(v.screenshot) as img:
            assert img.width == 1280, f"{v.screenshot.name}: width {img.width}, expected the 1280 px viewport"
            low, high = img.convert("L").getextrema()
            assert high - low > 50, f"{v.screenshot.name}: the page looks blank (grey levels {low}..{high})"
