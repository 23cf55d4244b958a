"""What the browser tests check on a page and in a saved notebook: errors, cells never run, widget views
rendered by the widget manager, and a control whose move changes the picture."""

from __future__ import annotations

import json
import re
import time
from pathlib import Path

from .page import NOTEBOOK, OUTPUTS

WIDGET_ERRORS = ("Error displaying widget", "model not found", "Failed to load model class")


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
