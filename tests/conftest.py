"""Shared fixtures: the real content built once per test session, served by a
plain local HTTP server, and Debian's headless Chromium driven by Selenium."""
from __future__ import annotations

import functools
import http.server
import shutil
import threading
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CONTENT = ROOT / "content"
ARTIFACTS = ROOT / "tests" / "_artifacts"

# Suites that need Chromium, Pagefind or a fresh virtual environment; `make
# test-fast` leaves them out (`-m "not browser and not search and not package and not slow"`).
SLOW_MODULES = {"test_browser": "browser", "test_reader": "browser", "test_search": "search",
                "test_package": "package", "test_synth": "slow"}


def pytest_configure(config):
    for name, text in (("browser", "runs in headless Chromium"), ("search", "builds the Pagefind index"),
                       ("package", "builds and installs a wheel"), ("slow", "generates synthetic content")):
        config.addinivalue_line("markers", f"{name}: {text}")


def pytest_collection_modifyitems(config, items):
    for item in items:
        marker = SLOW_MODULES.get(item.module.__name__.rsplit(".", 1)[-1])
        if marker:
            item.add_marker(getattr(pytest.mark, marker))
        elif "browser" in item.fixturenames or "site_url" in item.fixturenames or item.name.endswith("_in_browser"):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def built_site(tmp_path_factory) -> Path:
    """The portal built from content/ (with its search index) into a temp dir."""
    from generator.build import build

    out = tmp_path_factory.mktemp("built") / "site"
    build(CONTENT, out, search=True)
    return out


@pytest.fixture(scope="session")
def loaded():
    """(site, departments, findings by department key) for the real content."""
    from generator.audit import audit
    from generator.load import load_content

    site, depts = load_content(CONTENT)
    return site, depts, {d.key: audit(d) for d in depts}


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):  # keep test output readable
        pass


def serve_dir(directory: Path):
    handler = functools.partial(_QuietHandler, directory=str(directory))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    return server, f"http://127.0.0.1:{server.server_address[1]}/"


@pytest.fixture(scope="session")
def site_url(built_site):
    server, url = serve_dir(built_site)
    yield url
    server.shutdown()


def make_driver(width: int = 1280, height: int = 900):
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    chromium = shutil.which("chromium") or "/usr/bin/chromium"
    driver_path = shutil.which("chromedriver") or "/usr/bin/chromedriver"
    options = webdriver.ChromeOptions()
    options.binary_location = chromium
    for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-quic",
                "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--disable-extensions", "--lang=zh-CN"):
        options.add_argument(arg)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL", "performance": "ALL"})
    driver = webdriver.Chrome(service=Service(driver_path), options=options)
    driver.set_window_size(width, height)
    driver.set_page_load_timeout(60)
    return driver


@pytest.fixture(scope="session")
def browser():
    driver = make_driver()
    yield driver
    driver.quit()


@pytest.fixture(scope="session")
def artifacts() -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS
