"""A real browser for the built book: Debian's headless chromium through chromium-driver.

These tests read ``_build/html`` and run after ``scripts/build_book.sh`` in ``make test``
(``make browser``); ``make unit`` leaves this folder out. A missing book or browser is a
failure with the command that fixes it, never a skip.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
HTML = ROOT / "_build" / "html"
SCREENS = ROOT / "build" / "screens"
CHROMIUM = ("chromium", "chromium-browser")
DRIVER = ("chromedriver", "chromium-driver")


def _which(names: tuple[str, ...]) -> str | None:
    return next((p for p in map(shutil.which, names) if p), None)


@pytest.fixture(scope="session")
def book() -> Path:
    if not (HTML / "index.html").is_file():
        pytest.fail(f"no built book at {HTML}; run: bash scripts/build_book.sh smoke")
    return HTML


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    chromium, driver_path = _which(CHROMIUM), _which(DRIVER)
    if not chromium or not driver_path:
        pytest.fail("no chromium/chromedriver; run: apt-get install chromium chromium-driver")
    options = webdriver.ChromeOptions()
    options.binary_location = chromium
    for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                 "--hide-scrollbars", "--allow-file-access-from-files",
                 # no network: every request outside the book goes to a dead proxy
                 "--proxy-server=127.0.0.1:9", "--proxy-bypass-list=<-loopback>"):
        options.add_argument(flag)
    drv = webdriver.Chrome(service=Service(executable_path=driver_path), options=options)
    drv.set_network_conditions(offline=True, latency=0, download_throughput=0,
                               upload_throughput=0)
    drv.set_page_load_timeout(60)
    SCREENS.mkdir(parents=True, exist_ok=True)
    try:
        yield drv
    finally:
        drv.quit()
