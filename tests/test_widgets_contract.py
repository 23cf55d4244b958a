"""One contract for every widget builder in ``source_helpers.widgets.registry``, driven without a browser:
inert while nbgrader runs, its picture a PNG, a control's move changes it, the student's function used
(and torch's until that function is done). The per-lesson files test what each widget computes."""

from __future__ import annotations

import ast
import base64
import inspect
import json
import time

import ipywidgets as W
import nbformat
import numpy as np
import pytest
import torch
import torch.nn.functional as F
from nbclient import NotebookClient

from proofs.harness import REPO
from source_helpers import torch_ref
from source_helpers.widgets import batch_norm, core, lenet, registry
from tests.test_widgets_training import torch_backed_step

PNG = b"\x89PNG\r\n\x1a\n"
BUILDERS = registry.BUILDERS


def _torch_pool(fn):
    def pool(x, kernel_size, stride=None):
        return fn(torch.from_numpy(x), kernel_size, stride).numpy(), None

    return pool


def _layer_table(shape, **settings):
    r = lenet.torch_table(shape, **settings)
    if r["error"]:
        raise ValueError(r["error"])
    return r["rows"]


def _kaiming_normal(shape, rng):
    return rng.standard_normal(shape) * np.sqrt(2 / np.prod(shape[1:]))


_train_step, _cnn_forward = torch_backed_step([])

# A working version of each lesson function a builder takes, in the lesson's signature (torch underneath).
YOURS = {
    "fc_parameter_count": lambda n_in, n_out: n_in * n_out + n_out,
    "conv_output_size": lambda H, K, P, S: (H - K + 2 * P) // S + 1,
    "conv2d_forward": lambda x, w, b, stride=1, padding=0: (
        torch_ref.conv2d(x, w, b, stride=stride, padding=padding),
        None,
    ),
    "conv1x1_forward": lambda x, w, b: (torch_ref.conv2d(x, w, b), None),
    "max_pool2d_forward": _torch_pool(F.max_pool2d),
    "avg_pool2d_forward": _torch_pool(F.avg_pool2d),
    "layer_table": _layer_table,
    "batchnorm_forward": batch_norm.torch_batchnorm_forward,
    "group_norm_forward": lambda x, G, gamma, beta, eps=1e-5: (
        F.group_norm(torch.from_numpy(x), G, torch.from_numpy(gamma), torch.from_numpy(beta), eps).numpy(),
        None,
    ),
    "block_cost": lambda block, C_in, C_out, K, H_out, W_out, groups=1: torch_ref.block_counts(
        block, C_in, C_out, K, H_out, W_out, groups
    )[:2],
    "train_step": _train_step,
    "cnn_forward": _cnn_forward,
    "kaiming_normal": _kaiming_normal,
}


def not_done(*args, **kwargs):
    raise NotImplementedError


def _build(builder, fns):
    return builder.build(**builder.needs(), **fns)


def _picture(w) -> bytes:
    (output,) = [o for o in w.out.outputs if o["output_type"] == "display_data"]
    return base64.b64decode(output["data"]["image/png"])


@pytest.fixture(params=BUILDERS, ids=lambda b: b.name)
def builder(request):
    return request.param


def test_registry_lists_every_builder():
    """Each function of a widget module that builds through ``interactive_figure`` is registered, once."""
    import importlib
    import pkgutil

    import source_helpers.widgets as package

    found = set()
    for info in pkgutil.iter_modules(package.__path__):
        module = importlib.import_module(f"{package.__name__}.{info.name}")
        for name, fn in inspect.getmembers(module, inspect.isfunction):
            if (
                fn.__module__ == module.__name__
                and fn is not core.interactive_figure
                and ("interactive_figure(" in inspect.getsource(fn))
            ):
                found.add(name)
    names = [b.name for b in BUILDERS]
    assert len(names) == len(set(names)) and found == set(names)
    assert set().union(*(b.yours.values() for b in BUILDERS)) <= set(YOURS)


# Builders a lesson shows only without the student's function (none: lesson 01 shows the arithmetic
# explorer before conv_output_size exists and again, with it, after the exercise).
SHOWN_WITHOUT_YOURS: set[str] = set()


def test_registry_lessons_call_their_builders():
    """Each builder is called in its lesson's solution (so the browser test sees it move), with the
    student's functions under the keywords the registry names (or a ``**`` that may hold them)."""
    without = set()
    for b in BUILDERS:
        nb = nbformat.read(REPO / "solutions" / b.lesson / f"{b.lesson}.ipynb", as_version=4)
        calls = [
            node
            for cell in nb.cells
            if cell.cell_type == "code"
            for node in ast.walk(ast.parse(cell.source))
            if isinstance(node, ast.Call) and getattr(node.func, "attr", getattr(node.func, "id", None)) == b.name
        ]
        assert calls, f"{b.lesson} never calls {b.name}"
        if not any(
            {k.arg for k in call.keywords} >= set(b.yours) or None in {k.arg for k in call.keywords} for call in calls
        ):
            without.add(b.name)
    assert without <= SHOWN_WITHOUT_YOURS, f"builders shown without the student's functions: {without}"


def test_inert_while_nbgrader_runs(builder, monkeypatch):
    monkeypatch.setenv("NBGRADER_EXECUTION", "autograde")
    calls = []
    fns = {k: (lambda *a, **kw: calls.append(a)) for k in builder.yours}
    w = _build(builder, fns)
    assert isinstance(w, W.HTML) and "not built while nbgrader" in w.value and not calls


def test_renders_a_png_and_reacts_to_a_control_with_the_students_functions(builder):
    w = _build(builder, {k: YOURS[name] for k, name in builder.yours.items()})
    assert isinstance(w, W.interactive) and w.out in w.children
    first, result = _picture(w), w.result
    assert first[:8] == PNG and w.png == first
    assert result["source"].startswith("your "), result["source"]
    assert w.controls[builder.control].value != builder.to
    w.controls[builder.control].value = builder.to
    assert w.result is not result and _picture(w) != first, f"moving {builder.control} changed nothing"
    assert w.result["source"].startswith("your ")


def test_falls_back_to_torch_until_the_students_functions_are_done(builder):
    w = _build(builder, {k: not_done for k in builder.yours})
    assert "not implemented yet" in w.result["source"] and not w.result["source"].startswith("your ")
    assert _picture(w)[:8] == PNG


def test_yours_or_is_the_one_rule():
    ref = np.zeros((2, 3))

    def run(f):
        return f()

    shown, source, yours = core.yours_or(ref, "torch", None, run, name="f")
    assert shown is ref and source == "torch" and not yours.given
    assert core.yours_or(ref, "torch", not_done, run, name="f")[1] == "torch (your f is not implemented yet)"

    def broken():
        raise IndexError("oops\nmore")

    assert core.yours_or(ref, "torch", broken, run, name="f")[1] == "torch (your f raised IndexError: oops)"
    shown, source, _ = core.yours_or(ref, "torch", lambda: np.ones((3, 2)), run, name="f")
    assert shown is ref and source == "torch (your f returned shape (3, 2), expected (2, 3))"
    shown, source, yours = core.yours_or(ref, "torch", lambda: np.ones((2, 3)), run, name="f", agrees=core.close())
    assert yours.used and (shown == 1).all() and source == "your f (differs from torch)"
    assert core.yours_or(ref, "torch", lambda: ref + 1e-12, run, name="f", agrees=core.close())[1] == "your f"


@pytest.mark.slow
def test_a_front_end_without_a_browser_is_never_asked_to_answer():
    """Run every builder in a kernel under nbclient (what nbgrader, ``jupyter execute`` and the tests use):
    the client must not send anything back on the shell channel while a cell runs. Output routed through an
    ``Output`` widget made nbclient's mimic of it reply there, and the reply it was waiting for then came
    only at the cell timeout (120 s, no error; issue 16)."""
    cells = ["from source_helpers.widgets.registry import BUILDERS"] + [
        f"BUILDERS[{i}].build(**BUILDERS[{i}].needs())" for i in range(len(BUILDERS))
    ]
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(c) for c in cells])
    client = NotebookClient(nb, timeout=60, kernel_name="python3", resources={"metadata": {"path": str(REPO)}})
    sent, seconds = [], {}
    with client.setup_kernel():
        send = client.kc.shell_channel.send

        def recording(msg):
            sent.append(msg["header"]["msg_type"])
            return send(msg)

        client.kc.shell_channel.send = recording
        for index, cell in enumerate(nb.cells):
            start = time.perf_counter()
            client.execute_cell(cell, index)
            seconds[index] = time.perf_counter() - start
    errors = [o for c in nb.cells for o in c.outputs if o.output_type == "error"]
    assert not errors, json.dumps(errors)[:800]
    views = [
        c
        for c in nb.cells[1:]
        if any("application/vnd.jupyter.widget-view+json" in o.get("data", {}) for o in c.outputs)
    ]
    assert len(views) == len(BUILDERS)
    assert set(sent) == {"execute_request"}, f"the client answered the kernel: {sent}"
    assert max(seconds.values()) < 30, seconds
