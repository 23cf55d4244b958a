"""Debian's Chromium driven by Playwright (its own browser download does not work here), and what a student
does in a notebook page: open it, run it cell by cell, save it."""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import time
from dataclasses import dataclass, field
from pathlib import Path

NOTEBOOK = ".jp-NotebookPanel:not(.lm-mod-hidden) .jp-Notebook"  # the notebook in front
OUTPUTS = f"{NOTEBOOK} .jp-Cell-outputArea > .jp-OutputArea-child > .jp-OutputArea-output"
ACTIVE_CELL = "() => window.jupyterapp.shell.currentWidget.content.activeCellIndex"
# The flags this machine's closed network needs (else Chromium retries Google's hosts at every start)
CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
PROMPT_DONE = re.compile(r"\[\d+\]")


def chromium() -> str | None:
    for name in ("chromium", "chromium-browser", "google-chrome"):
        path = shutil.which(name)
        if path:
            return path
    return None


def _fontconfig_with_hangul(folder: Path) -> Path:
    """A fontconfig file: the system's fonts plus NanumGothic from koreanize-matplotlib (a dependency), so a bare
    machine's Chromium draws the Korean edition's Hangul instead of boxes. (A Korean student's own browser has
    Hangul fonts; this machine has none, and no download is allowed.)"""
    from source_helpers.i18n import korean_font_file

    conf = folder / "fonts.conf"
    conf.write_text(
        '<?xml version="1.0"?>\n<!DOCTYPE fontconfig SYSTEM "fonts.dtd">\n<fontconfig>\n'
        '  <include ignore_missing="yes">/etc/fonts/fonts.conf</include>\n'
        f"  <dir>{korean_font_file().parent}</dir>\n  <cachedir>{folder / 'cache'}</cachedir>\n"
        "</fontconfig>\n"
    )
    return conf


@contextlib.contextmanager
def browser():
    import tempfile

    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory(prefix="workbook-fonts-") as fonts, sync_playwright() as p:
        env = {**os.environ, "FONTCONFIG_FILE": str(_fontconfig_with_hangul(Path(fonts)))}
        b = p.chromium.launch(executable_path=chromium(), args=CHROMIUM_FLAGS, headless=True, env=env)
        try:
            yield b
        finally:
            b.close()


@dataclass
class PageLog:
    """What the page threw (uncaught exceptions) and logged as errors."""

    uncaught: list[str] = field(default_factory=list)
    console_errors: list[str] = field(default_factory=list)


def open_notebook(context, lab, path: str, timeout_s: float = 90):
    page = context.new_page()
    log = PageLog()
    page.on("pageerror", lambda exc: log.uncaught.append(str(exc)))
    page.on("console", lambda msg: log.console_errors.append(msg.text) if msg.type == "error" else None)
    page.goto(lab.notebook_url(path))
    # Every plugin active and the layout restored before a cell runs: a widget view that reaches the page
    # before the widget manager has loaded (a cold first start) is drawn as text and stays so.
    page.wait_for_function("() => window.jupyterapp !== undefined", timeout=timeout_s * 1000)
    page.evaluate("async () => { await window.jupyterapp.started; await window.jupyterapp.restored; }")
    page.wait_for_selector(f"{NOTEBOOK} .jp-Cell", timeout=timeout_s * 1000)
    wait_idle(page, timeout_s)
    return page, log


def wait_idle(page, timeout_s: float = 120) -> None:
    page.wait_for_function(
        """() => {
            const ind = document.querySelector('.jp-NotebookPanel:not(.lm-mod-hidden) .jp-Notebook-ExecutionIndicator');
            return ind && ind.dataset.status === 'idle';
        }""",
        timeout=timeout_s * 1000,
    )


def _select(page, cells, i: int) -> None:
    """Make cell ``i`` the active one, in command mode, with the keyboard focus on the notebook."""
    cells.nth(i).locator(".jp-InputPrompt").click()
    page.keyboard.press("Escape")
    page.wait_for_function(f"() => ({ACTIVE_CELL})() === {i}", timeout=30_000)


def run_cell_by_cell(page, timeout_s: float = 120) -> int:
    """Run every cell from the top with Shift+Enter, each after the one before has finished, as a
    student does. Unlike Run All, an error (a blank exercise) does not stop the cells below.

    Each press is checked: the cell it ran must be the one meant, and the selection must move on. On a
    loaded machine a press can land before the notebook has the focus (then nothing runs), and the page
    may not yet hold every cell; unchecked, either leaves cells unrun without failing here."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    cells = page.locator(f"{NOTEBOOK} .jp-Cell")
    # The cells come into the page a few at a time after the first one shows: count them in the model
    # and wait for all. The kernel is connected before the first press.
    n = page.evaluate("""async () => {
        const panel = window.jupyterapp.shell.currentWidget;
        await panel.context.ready;
        await panel.sessionContext.ready;
        return panel.content.model.cells.length;
    }""")
    page.wait_for_function(
        f"() => document.querySelectorAll('{NOTEBOOK} .jp-Cell').length === {n}", timeout=timeout_s * 1000
    )
    for i in range(n):
        cell = cells.nth(i)
        if i == 0 or page.evaluate(ACTIVE_CELL) != i:  # the first click also gives the notebook the focus
            _select(page, cells, i)
        for attempt in range(3):
            page.keyboard.press("Shift+Enter")
            try:
                page.wait_for_function(f"() => ({ACTIVE_CELL})() > {i}", timeout=10_000)
                break
            except PlaywrightTimeout as timeout:  # the press did not reach the notebook: nothing ran, pressing is safe
                if attempt == 2:
                    raise AssertionError(
                        f"Shift+Enter on cell {i} did not run it (focus: "
                        f"{page.evaluate('() => document.activeElement?.className')!r})"
                    ) from timeout
                _select(page, cells, i)
        if "jp-CodeCell" in (cell.get_attribute("class") or ""):
            cell.locator(".jp-InputPrompt").filter(has_text=PROMPT_DONE).wait_for(timeout=timeout_s * 1000)
        wait_idle(page, timeout_s)
    return n


def save(page, path: Path, timeout_s: float = 30) -> None:
    """Save with Ctrl+S, as a student does, and wait until the file on disk is the new one."""
    before = path.stat().st_mtime_ns
    page.keyboard.press("Control+s")
    deadline = time.monotonic() + timeout_s
    while path.stat().st_mtime_ns == before:
        if time.monotonic() > deadline:
            raise AssertionError(f"{path.name} was not saved")
        time.sleep(0.2)
    page.wait_for_function(
        "() => !document.querySelector('.lm-TabBar-tab.jp-mod-current.jp-mod-dirty')", timeout=timeout_s * 1000
    )
