"""JupyterLab in a real browser, as students see it, for tests/test_browser.py: the server (``server``), the
page a student works in (``page``) and what is checked there (``checks``)."""

from autograder.course import REPO  # noqa: F401

from .checks import (  # noqa: F401
    check_widget_views,
    expected_interactive,
    move_and_check,
    saved_errors,
    unrun_cells,
    widget_builders,
    widgets_shown_as_text,
)
from .page import NOTEBOOK, OUTPUTS, PageLog, browser, chromium, open_notebook, run_all, save, wait_idle  # noqa: F401
from .server import LOOPBACK, Lab, course_copy, free_port, http_get, jupyter_lab  # noqa: F401
