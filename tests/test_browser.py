"""The workbook in a real browser: every lesson and solution in JupyterLab, its widgets, nbgrader's Validate.

Headless widget tests (tests/test_widgets_*.py) prove the Python side; only a browser shows that the
widget manager renders the views in the JupyterLab we install and that the nbgrader extensions work.
Screenshots of every interactive widget go to ``build/browser/`` (``make screenshots`` copies a few
into ``docs/screenshots/`` for the README).
"""

from __future__ import annotations

import json
import shutil
import time
from pathlib import Path

import pytest

from autograder.course import lesson_names
from proofs import harness
from tests import lab as L

pytestmark = [
    pytest.mark.slow,
    pytest.mark.xdist_group("browser"),
    pytest.mark.skipif(L.chromium() is None, reason="no Chromium (make test installs it with apt as root)"),
]

SHOTS = L.REPO / "build" / "browser"
ALL = lesson_names()
LESSONS = [name for name in ALL if not name.endswith("_ko")]
# The Korean edition: its solutions in a JupyterLab started as `make lab LANG=ko` does (its student versions
# differ from the English ones only in prose, which the English run of the student versions covers)
KOREAN = [name for name in ALL if name.endswith("_ko")]
TIMES: dict[str, float] = {}
CONSOLE: dict[str, list[str]] = {}  # console errors (not failures: JupyterLab logs some of its own)


# Session scope: xdist runs this group on one worker but may interleave other modules' tests, which
# would tear module-scoped fixtures down (and restart JupyterLab) each time.
@pytest.fixture(scope="session", autouse=True)
def record_times():
    """How long each notebook took in the browser, and what the console logged as errors:
    build/browser/times.json and console-errors.json, for whoever looks into the browser run."""
    yield
    if TIMES:
        SHOTS.mkdir(parents=True, exist_ok=True)
        (SHOTS / "times.json").write_text(json.dumps(TIMES, indent=1, sort_keys=True))
        (SHOTS / "console-errors.json").write_text(json.dumps(CONSOLE, indent=1, sort_keys=True))


@pytest.fixture(scope="session")
def course(tmp_path_factory):
    root = L.course_copy(tmp_path_factory.mktemp("course"))
    # a student version with the reference answers pasted into its solution cells (for Validate)
    lesson = "00_start_here"
    filled = harness.fill(
        harness.read(harness.lesson_path(lesson)), harness.solution_sources(harness.read(harness.solution_path(lesson)))
    )
    (root / "lessons" / lesson / f"{lesson}_answered.ipynb").write_text(json.dumps(filled))
    korean = f"{lesson}_ko"
    if (root / "lessons" / korean).exists():
        filled = harness.fill(
            harness.read(harness.lesson_path(korean)),
            harness.solution_sources(harness.read(harness.solution_path(korean))),
        )
        (root / "lessons" / korean / f"{korean}_answered.ipynb").write_text(json.dumps(filled))
    return root


@pytest.fixture(scope="session")
def lab(course, tmp_path_factory):
    with L.jupyter_lab(course, tmp_path_factory.mktemp("lab-state")) as server:
        yield server


@pytest.fixture(scope="session")
def chromium_browser():
    # One for the session: Playwright's sync API allows one running instance per process, and both
    # editions' contexts share it.
    with L.browser() as b:
        yield b


@pytest.fixture(scope="session")
def context(lab, chromium_browser):
    ctx = chromium_browser.new_context(viewport={"width": 1280, "height": 900})
    # a first start of JupyterLab in a fresh environment is slow; pay it here, not in a lesson's test
    page, _ = L.open_notebook(ctx, lab, "lessons/00_start_here/00_start_here.ipynb")
    page.close()
    lab.shutdown_kernels()
    yield ctx
    ctx.close()


@pytest.fixture(scope="session")
def context_ko(course, chromium_browser, tmp_path_factory):
    """The Korean edition's JupyterLab (make lab LANG=ko) and a browser page context for it."""
    with L.jupyter_lab(course, tmp_path_factory.mktemp("lab-state-ko"), edition="ko") as server:
        ctx = chromium_browser.new_context(viewport={"width": 1280, "height": 900}, locale="ko-KR")
        page, _ = L.open_notebook(ctx, server, "lessons/00_start_here_ko/00_start_here_ko.ipynb")
        page.close()
        server.shutdown_kernels()
        yield server, ctx
        ctx.close()


def _exercise(lab, context, path: str, *, errors_expected: bool) -> list[str]:
    """Open ``path``, run every cell, check every widget view and move each interactive widget."""
    start = time.perf_counter()
    page, log = L.open_notebook(context, lab, path)
    try:
        L.run_all(page)
        L.save(page, lab.root / path)
        unrun = L.unrun_cells(lab.root / path)
        assert not unrun, f"cells of {path} never ran: {unrun}"
        if not errors_expected:
            errors = L.saved_errors(lab.root / path)
            assert not errors, f"{path} raised in the browser: {errors}"
        views = L.check_widget_views(page, L.expected_interactive(lab.root / path))
        moved = []
        name = Path(path).stem + ("" if path.startswith("solutions") else "-student")
        for i, interact in enumerate(views):
            moved.append(L.move_and_check(page, interact))
            SHOTS.mkdir(parents=True, exist_ok=True)
            interact.scroll_into_view_if_needed()
            interact.screenshot(path=str(SHOTS / f"{name}-{i}.png"))
        assert not log.uncaught, f"uncaught JavaScript errors on {path}: {log.uncaught}"
        CONSOLE[path] = log.console_errors
        return moved
    finally:
        page.close()
        lab.shutdown_kernels()
        TIMES[path] = time.perf_counter() - start


@pytest.mark.parametrize("lesson", LESSONS)
@pytest.mark.parametrize("version", ["solutions", "lessons"])
def test_lesson_runs_and_widgets_render(lab, context, version, lesson):
    moved = _exercise(lab, context, f"{version}/{lesson}/{lesson}.ipynb", errors_expected=version == "lessons")
    if lesson != "08_self_check":  # the quiz has no widget
        assert moved, f"{version}/{lesson} shows no interactive widget"


@pytest.mark.parametrize("lesson", KOREAN)
def test_korean_lesson_runs_and_widgets_render(context_ko, lesson):
    lab, context = context_ko
    moved = _exercise(lab, context, f"solutions/{lesson}/{lesson}.ipynb", errors_expected=False)
    if lesson != "08_self_check_ko":
        assert moved, f"solutions/{lesson} shows no interactive widget"


@pytest.mark.skipif(not KOREAN, reason="no Korean edition built")
def test_korean_interface_and_validate(context_ko):
    """JupyterLab's own menus are Korean (its language pack), the lesson's text is Korean, and Validate works."""
    lab, context = context_ko
    page, log = L.open_notebook(context, lab, "lessons/00_start_here_ko/00_start_here_ko.ipynb")
    try:
        menus = page.locator(".lm-MenuBar-content").inner_text()
        assert "파일" in menus and "File" not in menus, f"the menu bar is not in Korean: {menus!r}"
        # the lesson's own text, once its cells have rendered
        page.locator(f"{L.NOTEBOOK} .jp-RenderedMarkdown").filter(has_text="합니다").first.wait_for(timeout=90_000)
        SHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SHOTS / "00_start_here_ko-lab.png"))
    finally:
        page.close()
        lab.shutdown_kernels()
    result = _validate(lab, context, "lessons/00_start_here_ko/00_start_here_ko_answered.ipynb")
    assert result.startswith("success"), result
    result = _validate(lab, context, "lessons/00_start_here_ko/00_start_here_ko.ipynb")
    assert result.startswith("error") and "NotImplementedError" in result, result


def _validate(lab, context, path: str) -> str:
    page, log = L.open_notebook(context, lab, path)
    try:
        page.locator(".jp-NotebookPanel-toolbar .validate-button").click()
        dialog = page.locator(".nbgrader-SuccessDialog, .nbgrader-ErrorDialog")
        dialog.wait_for(timeout=180_000)
        text = dialog.inner_text()
        assert not log.uncaught, log.uncaught
        return ("success " if "SuccessDialog" in (dialog.get_attribute("class") or "") else "error ") + text
    finally:
        page.close()
        lab.shutdown_kernels()


def test_validate_button_passes_answered_lesson(lab, context):
    result = _validate(lab, context, "lessons/00_start_here/00_start_here_answered.ipynb")
    assert result.startswith("success") and "passes all the tests" in result, result


def test_validate_button_reports_failures_on_blank_lesson(lab, context):
    result = _validate(lab, context, "lessons/00_start_here/00_start_here.ipynb")
    assert result.startswith("error") and "The following cell failed" in result, result
    assert "NotImplementedError" in result


def test_student_sees_validate_but_not_instructor_tools(lab, context):
    page, log = L.open_notebook(context, lab, "lessons/00_start_here/00_start_here.ipynb")
    try:
        assert page.locator(".jp-NotebookPanel-toolbar .validate-button").count() == 1
        # instructor tools: not in the page's configuration, the menu bar or the side bars
        config = json.loads(page.locator("#jupyter-config-data").text_content())
        disabled = set(config.get("disabledExtensions", []))
        for plugin in ("formgrader", "create-assignment", "assignment-list", "course-list", "menu"):
            assert f"@jupyter/nbgrader:{plugin}" in disabled, disabled
        assert "@jupyter/nbgrader:validate-assignment" not in disabled
        assert "Nbgrader" not in page.locator(".lm-MenuBar-content").inner_text()
        titles = " ".join(t.get_attribute("title") or "" for t in page.locator(".jp-SideBar .lm-TabBar-tab").all())
        for tool in ("Formgrader", "Create Assignment", "Assignments", "Courses"):
            assert tool not in titles, f"{tool!r} among the side-bar tabs: {titles}"
    finally:
        page.close()
    assert lab.get("/formgrader")[0] == 404
    assert lab.get("/assignments")[0] == 404
    assert lab.get("/nbgrader_version?version=0")[0] == 200  # what Validate calls first


def test_missing_widget_extension_fails_the_check(course, context, tmp_path):
    """The negative check: without JupyterLab's widget manager the views render as text, and the
    same check the lesson tests use must fail."""
    # a fresh copy: the lesson test may have run and saved the course's one already
    path = "solutions/00_start_here/00_start_here_no_widget_manager.ipynb"
    shutil.copy(L.REPO / "solutions/00_start_here/00_start_here.ipynb", course / path)
    state = tmp_path / "state"
    state.mkdir()
    with L.jupyter_lab(course, state, disabled_extensions=["@jupyter-widgets/jupyterlab-manager"]) as broken:
        page, log = L.open_notebook(context, broken, path)
        try:
            L.run_all(page)
            L.save(page, course / path)
            assert not L.unrun_cells(course / path)  # the widget cells ran: what fails below is the rendering
            expected = L.expected_interactive(course / path)
            assert expected >= 1
            with pytest.raises(AssertionError, match="rendered 0"):
                L.check_widget_views(page, expected, timeout_s=15)
            assert L.widgets_shown_as_text(page).count() == expected
        finally:
            page.close()
