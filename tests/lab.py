"""JupyterLab in a real browser, as students see it: a server on loopback and Debian's Chromium
driven by Playwright (its own browser download does not work here).

Used by tests/test_browser.py. The server runs the project's environment with the student
configuration in ``jupyter-config/student`` (what ``make lab`` uses), on a temporary copy of the
notebooks, so running and saving them never touches the repository.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import secrets
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

from autograder.course import REPO

STUDENT_CONFIG = REPO / "jupyter-config" / "student"
KOREAN_LAB_SETTINGS = REPO / "jupyter-config" / "ko" / "lab-settings"  # what make lab LANG=ko gives JupyterLab
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
LOOPBACK = urllib.request.build_opener(urllib.request.ProxyHandler({}))  # the server is local: never via a proxy
PROMPT_DONE = re.compile(r"\[\d+\]")
WIDGET_ERRORS = ("Error displaying widget", "model not found", "Failed to load model class")


def chromium() -> str | None:
    for name in ("chromium", "chromium-browser", "google-chrome"):
        path = shutil.which(name)
        if path:
            return path
    return None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def course_copy(dest: Path) -> Path:
    """The notebooks a student opens, plus what nbgrader's Validate reads (the course's config)."""
    for folder in ("lessons", "solutions"):
        shutil.copytree(REPO / folder, dest / folder)
    (dest / "autograder").mkdir()
    shutil.copy(REPO / "autograder" / "nbgrader_config.py", dest / "autograder")
    shutil.copy(REPO / "nbgrader_config.py", dest)
    for doc in ("GLOSSARY.md", "README.md"):
        if (REPO / doc).exists():
            shutil.copy(REPO / doc, dest)
    return dest


@dataclass
class Lab:
    url: str
    token: str
    root: Path
    process: subprocess.Popen
    log: Path

    def notebook_url(self, path: str) -> str:
        # ?reset: a fresh workspace, so only this notebook is open
        return f"{self.url}/lab/tree/{path}?reset&token={self.token}"

    def shutdown_kernels(self) -> None:
        """Stop every kernel (between notebooks: each one a student closes would otherwise keep running)."""
        for kernel in json.loads(self.get("/api/kernels")[1] or "[]"):
            req = urllib.request.Request(
                f"{self.url}/api/kernels/{kernel['id']}",
                method="DELETE",
                headers={"Authorization": f"token {self.token}"},
            )
            LOOPBACK.open(req, timeout=30).close()

    def get(self, path: str) -> tuple[int, str]:
        req = urllib.request.Request(f"{self.url}{path}", headers={"Authorization": f"token {self.token}"})
        try:
            with LOOPBACK.open(req, timeout=10) as r:
                return r.status, r.read().decode(errors="replace")
        except urllib.error.HTTPError as e:
            return e.code, ""
        except OSError:  # not listening (yet)
            return 0, ""


@contextlib.contextmanager
def jupyter_lab(root: Path, state: Path, disabled_extensions: list[str] = (), edition: str = "en"):
    """Start ``jupyter lab`` on 127.0.0.1 with a random token, serving ``root``.

    ``state`` holds everything the server writes (settings, workspaces, runtime files).
    ``disabled_extensions`` are switched off on top of the student configuration (the negative test
    uses it to remove the widget manager). ``edition="ko"`` starts it as ``make lab LANG=ko`` does: JupyterLab's
    interface in Korean (its language pack, chosen by the settings in ``jupyter-config/ko``)."""
    token = secrets.token_hex(16)
    port = _free_port()
    config_path = [str(STUDENT_CONFIG)]
    if disabled_extensions:
        extra = state / "extra-config"
        (extra / "labconfig").mkdir(parents=True)
        (extra / "labconfig" / "page_config.json").write_text(
            json.dumps({"disabledExtensions": {name: True for name in disabled_extensions}})
        )
        config_path.insert(0, str(extra))
    settings = state / "settings"
    # every cell stays in the DOM; no news or update pop-ups over the notebook
    for plugin, values in {
        "@jupyterlab/notebook-extension/tracker": {"windowingMode": "none"},
        "@jupyterlab/apputils-extension/notification": {"fetchNews": "false", "checkForUpdates": False},
    }.items():
        file = settings / f"{plugin}.jupyterlab-settings"
        file.parent.mkdir(parents=True, exist_ok=True)
        file.write_text(json.dumps(values))
    env = {k: v for k, v in os.environ.items() if k not in ("MPLBACKEND", "JUPYTER_PATH")}
    env.update(
        JUPYTER_CONFIG_PATH=os.pathsep.join(config_path),
        JUPYTER_CONFIG_DIR=str(state / "user-config"),
        JUPYTER_RUNTIME_DIR=str(state / "runtime"),
        IPYTHONDIR=str(state / "ipython"),
    )
    env["PATH"] = str(Path(sys.executable).parent) + os.pathsep + env.get("PATH", "")
    argv = [
        sys.executable,
        "-m",
        "jupyterlab",
        "--no-browser",
        "--ServerApp.ip=127.0.0.1",
        f"--ServerApp.port={port}",
        "--ServerApp.port_retries=0",
        f"--IdentityProvider.token={token}",
        f"--ServerApp.root_dir={root}",
        f"--LabApp.user_settings_dir={settings}",
        f"--LabApp.workspaces_dir={state / 'workspaces'}",
        # window.jupyterapp, so a test can wait until every plugin (the widget manager) is active
        "--LabApp.expose_app_in_browser=True",
    ]
    if edition == "ko":
        argv.append(f"--LabApp.app_settings_dir={KOREAN_LAB_SETTINGS}")
    if hasattr(os, "getuid") and os.getuid() == 0:
        argv.append("--allow-root")
    log = state / "jupyter-lab.log"
    with open(log, "w") as out:
        process = subprocess.Popen(argv, cwd=root, env=env, stdout=out, stderr=subprocess.STDOUT)
    lab = Lab(f"http://127.0.0.1:{port}", token, root, process, log)
    try:
        deadline = time.monotonic() + 90
        while lab.get("/api/status")[0] != 200:
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("JupyterLab did not start:\n" + log.read_text()[-3000:])
            time.sleep(0.3)
        yield lab
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()


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


def open_notebook(context, lab: Lab, path: str, timeout_s: float = 90):
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


def saved_errors(path: Path) -> list[str]:
    """The errors the kernel raised, from the saved notebook."""
    nb = json.loads(path.read_text())
    return [
        f"{out.get('ename')}: {out.get('evalue')}"[:200]
        for cell in nb["cells"]
        for out in cell.get("outputs", [])
        if out.get("output_type") == "error"
    ]


def unrun_cells(path: Path) -> list[int]:
    """The code cells with source that the kernel never ran, from the saved notebook."""
    nb = json.loads(path.read_text())
    return [
        i
        for i, cell in enumerate(nb["cells"])
        if cell["cell_type"] == "code" and "".join(cell["source"]).strip() and cell.get("execution_count") is None
    ]


def widget_builders() -> set[str]:
    """The names of the workbook's widget builders, from the one registry the widget contract test uses."""
    from source_helpers.widgets.registry import builder_names

    return builder_names()


def expected_interactive(path: Path) -> int:
    """How many interactive widgets the notebook builds, read from its source (not from a run): the
    calls to a widget builder in its code cells."""
    import ast

    builders, count = widget_builders(), 0
    for cell in json.loads(path.read_text())["cells"]:
        if cell["cell_type"] != "code":
            continue
        source = "".join(cell["source"])
        lines = [line for line in source.splitlines() if not line.lstrip().startswith(("%", "!"))]
        for node in ast.walk(ast.parse("\n".join(lines))):
            if isinstance(node, ast.Call):
                func = node.func
                count += (func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", None)) in builders
    return count


def describe_builder_outputs(page) -> str:
    """For a failure message: each code cell whose source calls a widget builder, its prompt and what its
    outputs are (mime type, classes, the start of their text)."""
    return page.evaluate(
        """([notebook, builders]) => {
        const lines = [];
        document.querySelectorAll(notebook + ' .jp-CodeCell').forEach((cell, i) => {
            const source = cell.querySelector('.jp-InputArea-editor')?.innerText || '';
            if (!builders.some(b => source.includes(b + '('))) return;
            const prompt = cell.querySelector('.jp-InputPrompt')?.innerText || '';
            const outs = [...cell.querySelectorAll('.jp-OutputArea-output')].map(o =>
                `${o.dataset.mimeType || '?'} .${[...o.classList].join('.')} ` +
                `children=[${[...o.children].map(c => c.className).join(' | ')}] ` +
                JSON.stringify(o.innerText.slice(0, 160)));
            lines.push(`code cell ${i} ${prompt}: ${outs.length ? outs.join('; ') : 'no output'}`);
        });
        return lines.join('\\n') || '(no cell calls a builder)';
    }""",
        [NOTEBOOK, sorted(widget_builders())],
    )


def widgets_shown_as_text(page):
    """Outputs where a widget fell back to its text form, ``interactive(children=(...))``: what a page
    without the widget manager shows."""
    return page.locator(f"{OUTPUTS}[data-mime-type='text/plain']").filter(has_text=re.compile(r"^\w+\(children="))


def check_widget_views(page, expected: int, timeout_s: float = 60) -> list:
    """The notebook's ``expected`` interactive widgets are rendered by the widget manager (not as text,
    not as an error message), and no widget view shows an error. Returns the interactive widgets."""
    interacts = page.locator(f"{OUTPUTS}:has(> .widget-interact)")
    deadline = time.monotonic() + timeout_s
    while interacts.count() < expected and time.monotonic() < deadline:  # views render asynchronously
        time.sleep(0.25)
    n = interacts.count()
    assert n == expected, (
        f"the notebook builds {expected} interactive widget(s) but the page rendered {n} "
        "(without the widget manager they show as text). What the builder cells show:\n"
        + describe_builder_outputs(page)
    )
    fallback = widgets_shown_as_text(page)
    assert fallback.count() == 0, f"a widget shown as text: {fallback.first.inner_text()[:200]!r}"
    widgets = page.locator(f"{OUTPUTS}:has(> .jupyter-widgets)")
    for i in range(widgets.count()):
        text = widgets.nth(i).inner_text()
        for message in WIDGET_ERRORS:
            assert message not in text, f"widget view {i}: {text[:300]!r}"
    views = [interacts.nth(i) for i in range(n)]
    for i, view in enumerate(views):
        box = view.bounding_box()
        assert box and box["height"] > 5, f"interactive widget {i} has no size: {box}"
    return views


def _image(widget) -> str:
    img = widget.locator(".widget-output img, .jp-OutputArea-output img").first
    img.wait_for(timeout=60_000)
    return img.get_attribute("src") or ""


def _moves(widget):
    """Ways to move each control of an interactive widget, first control first."""
    for control in widget.locator(".widget-slider, .widget-dropdown, .widget-toggle-buttons").all():
        classes = control.get_attribute("class") or ""
        if "widget-dropdown" in classes:
            select = control.locator("select")
            options = select.locator("option").all()
            current = select.input_value()
            for option in options:
                value = option.get_attribute("value")
                if value != current:
                    yield f"dropdown -> {option.inner_text()}", lambda s=select, v=value: s.select_option(v)
                    break
        elif "widget-toggle-buttons" in classes:
            for button in control.locator("button").all():
                if "mod-active" not in (button.get_attribute("class") or ""):
                    yield f"toggle -> {button.inner_text()}", button.click
                    break
        else:
            handle = control.locator(".noUi-handle").first
            for key in ("ArrowRight", "ArrowLeft"):
                yield f"slider {key}", lambda h=handle, k=key: (h.focus(), h.press(k))


def move_and_check(page, widget, timeout_s: float = 60) -> str:
    """Move a control of an interactive widget until its picture changes; return what was moved."""
    before = _image(widget)
    tried = []
    for name, move in _moves(widget):
        tried.append(name)
        move()
        try:
            page.wait_for_function(
                "([el, before]) => { const img = el.querySelector('.widget-output img, .jp-OutputArea-output img');"
                " return img && img.getAttribute('src') !== before; }",
                arg=[widget.element_handle(), before],
                timeout=timeout_s * 1000 / 4,
            )
            return name
        except Exception:
            continue
    raise AssertionError(f"moving the controls ({', '.join(tried) or 'none found'}) did not change the view")


# The README's pictures: which browser-test screenshot each one is (lesson, index of its interactive widget).
README_SCREENSHOTS = {
    "conv-arithmetic.png": ("01_convolution", 0),
    "norm-cube.png": ("06_layer_instance_group_norm", 0),
}


def readme_screenshots(dest: Path, width: int = 720) -> None:
    """Copy the README's screenshots from build/browser/, scaled down to ``width`` pixels."""
    from PIL import Image

    dest.mkdir(parents=True, exist_ok=True)
    for name, (lesson, index) in README_SCREENSHOTS.items():
        shot = Image.open(REPO / "build" / "browser" / f"{lesson}-{index}.png").convert("RGB")
        if shot.width > width:
            shot = shot.resize((width, round(shot.height * width / shot.width)), Image.LANCZOS)
        shot.convert("P", palette=Image.ADAPTIVE, colors=128).save(dest / name, optimize=True)
        print(f"{dest / name}: {shot.width}x{shot.height}, {(dest / name).stat().st_size // 1024} KiB")


if __name__ == "__main__":
    import argparse

    parser = argparse.ArgumentParser(description="copy the README's screenshots out of build/browser/")
    parser.add_argument("--readme-screenshots", type=Path, required=True, metavar="DIR")
    readme_screenshots(parser.parse_args().readme_screenshots)
