"""Debian's Chromium driven by Playwright (its own browser download does not work here), and what a student
does in a notebook page: open it, run all of it, save it."""

from __future__ import annotations

import contextlib
import os
import shutil
import time
from dataclasses import dataclass, field
from pathlib import Path

NOTEBOOK = ".jp-NotebookPanel:not(.lm-mod-hidden) .jp-Notebook"  # the notebook in front
OUTPUTS = f"{NOTEBOOK} .jp-Cell-outputArea > .jp-OutputArea-child > .jp-OutputArea-output"
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
INDICATOR = ".jp-NotebookPanel:not(.lm-mod-hidden) .jp-Notebook-ExecutionIndicator"


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
        """(indicator) => {
            const ind = document.querySelector(indicator);
            return ind && ind.dataset.status === 'idle';
        }""",
        arg=INDICATOR,
        timeout=timeout_s * 1000,
    )


# Run All, with every code cell tagged raises-exception in the page's model: JupyterLab then lets the kernel go
# on after an error, as a student running cell after cell goes on past a blank exercise. The command's promise
# settles when the last cell has run; the tags added are then taken off again (so the notebook saved after is
# the student's, not one that tells nbgrader to allow errors), and a flag the test waits for is set.
RUN_ALL = """async () => {
    const panel = window.jupyterapp.shell.currentWidget;
    await panel.context.ready;
    await panel.sessionContext.ready;
    const cells = panel.content.model.cells;
    const tagged = [];
    for (let j = 0; j < cells.length; j++) {
        const cell = cells.get(j);
        const tags = cell.getMetadata('tags') || [];
        if (cell.type === 'code' && !tags.includes('raises-exception')) {
            cell.setMetadata('tags', [...tags, 'raises-exception']);
            tagged.push(cell);
        }
    }
    window.workbookRanAll = false;
    window.jupyterapp.commands.execute('notebook:run-all-cells').finally(() => {
        for (const cell of tagged) {
            const tags = (cell.getMetadata('tags') || []).filter(t => t !== 'raises-exception');
            if (tags.length) {
                cell.setMetadata('tags', tags);
            } else {
                cell.deleteMetadata('tags');
            }
        }
        window.workbookRanAll = true;
    });
}"""


def run_all(page, timeout_s: float = 600) -> None:
    """Run every cell from the top, each whatever the cells before it raised (a blank exercise raises
    NotImplementedError), within ``timeout_s`` for the whole notebook, and wait until the kernel is idle.
    Which cells ran and what they raised is read from the saved notebook (``checks.unrun_cells``,
    ``checks.saved_errors``)."""
    page.evaluate(RUN_ALL)
    page.wait_for_function("() => window.workbookRanAll === true", timeout=timeout_s * 1000)
    wait_idle(page)


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
