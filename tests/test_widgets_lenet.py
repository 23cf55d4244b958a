"""Lesson 04 widgets and plots, driven without a browser: set a control's value, read .result.
(What every widget must do is tested once, in test_widgets_contract.py.)"""

import ipywidgets as W
import numpy as np
import pytest
import torch
from matplotlib.figure import Figure

from source_helpers import torch_ref
from source_helpers.widgets import lenet

LECTURE_TABLE = [  # the lecture's LeNet-5 table, with the parameter counts worked out by hand
    ("input", (1, 28, 28), 0),
    ("conv1", (20, 28, 28), 520),
    ("relu1", (20, 28, 28), 0),
    ("pool1", (20, 14, 14), 0),
    ("conv2", (50, 14, 14), 25_050),
    ("relu2", (50, 14, 14), 0),
    ("pool2", (50, 7, 7), 0),
    ("flatten", (2450,), 0),
    ("fc1", (500,), 1_225_500),
    ("relu3", (500,), 0),
    ("fc2", (10,), 5_010),
]


def test_torch_table_reproduces_the_lecture_table():
    r = lenet.torch_table((1, 28, 28))
    assert r["error"] is None and r["rows"] == LECTURE_TABLE
    assert sum(p for _, _, p in r["rows"]) == 1_256_080


@pytest.mark.parametrize(
    "shape, kwargs, where",
    [
        ((1, 3, 3), dict(conv_channels=(4,), kernel_size=5, padding=0), "conv1"),
        ((1, 8, 8), dict(conv_channels=(4, 4, 4, 4), kernel_size=3, padding=1), "pool4"),
        ((1, 12, 4), dict(conv_channels=(2, 2), kernel_size=3, padding=0), "conv2"),
    ],
)
def test_torch_table_explains_impossible_settings(shape, kwargs, where):
    r = lenet.torch_table(shape, **kwargs)
    assert r["error"].startswith(where + ":") and "does not fit" in r["error"]
    assert r["rows"][0][0] == "input"  # the table up to the failing layer is kept


def test_torch_table_handles_non_square_inputs_and_odd_sizes():
    r = lenet.torch_table(
        (3, 19, 25), conv_channels=(5, 7), fc_widths=(12,), num_classes=4, kernel_size=4, padding=1, pool_size=3
    )
    shapes = dict((name, shape) for name, shape, _ in r["rows"])
    assert shapes["conv1"] == (5, 18, 24) and shapes["pool1"] == (5, 6, 8)
    assert shapes["pool2"] == (7, 1, 2) and shapes["flatten"] == (14,)
    assert dict((n, p) for n, _, p in r["rows"])["fc1"] == 12 * 15


def test_torch_lenet_matches_functional_torch():
    rng = np.random.default_rng(0)
    params = [
        (rng.standard_normal((3, 2, 3, 3)), rng.standard_normal(3)),
        (rng.standard_normal((5, 3 * 3 * 2)), rng.standard_normal(5)),
        (rng.standard_normal((4, 5)), rng.standard_normal(4)),
    ]
    x = rng.standard_normal((2, 2, 7, 5))
    model = torch_ref.lenet_model(params, padding=1, pool_size=2)
    t = lambda a: torch.from_numpy(a)  # noqa: E731
    h = torch.nn.functional.max_pool2d(
        torch.relu(torch.nn.functional.conv2d(t(x), t(params[0][0]), t(params[0][1]), padding=1)), 2
    )
    h = torch.relu(torch.nn.functional.linear(h.flatten(1), t(params[1][0]), t(params[1][1])))
    expected = torch.nn.functional.linear(h, t(params[2][0]), t(params[2][1]))
    with torch.no_grad():
        assert torch.allclose(model(t(x)), expected)
    assert [type(m).__name__ for m in model] == ["Conv2d", "ReLU", "MaxPool2d", "Flatten", "Linear", "ReLU", "Linear"]


def test_architecture_uses_the_students_table_and_compares_it():
    def correct(shape, **settings):
        return lenet.torch_table(shape, **settings)["rows"]

    def wrong(shape, **settings):
        return [(n, s, 0) for n, s, _ in correct(shape, **settings)]

    def not_done(*args, **kwargs):
        raise NotImplementedError

    r = lenet.architecture(table_fn=correct)
    assert r["source"] == "your layer_table" and r["agrees"] is True and r["total"] == 1_256_080
    r = lenet.architecture(table_fn=wrong)
    assert r["agrees"] is False
    r = lenet.architecture(table_fn=not_done)
    assert "not implemented" in r["source"] and r["total"] == 1_256_080 and r["agrees"] is None


def test_architecture_explains_instead_of_crashing():
    def strict(shape, **settings):
        raise ValueError("conv1 does not fit")

    r = lenet.architecture(input_size=2, kernel_size=7, padding=0, table_fn=strict)
    assert r["error"] and r["total"] is None and r["agrees"] is True  # raising was the right answer
    assert isinstance(lenet.plot_architecture(r), Figure)


def test_explorer_updates_when_a_slider_moves():
    w = lenet.architecture_explorer()
    assert isinstance(w, W.interactive)
    assert w.result["total"] == 1_256_080
    w.controls["input_size"].value = 32  # 32 -> 16 -> 8: fc1 sees 50*8*8 = 3200 inputs
    assert dict((n, p) for n, _, p in w.result["rows"])["fc1"] == 500 * 3201
    w.controls["padding"].value = 0  # LeNet's original arithmetic: 32 -> 28 -> 14 -> 10 -> 5
    assert dict((n, s) for n, s, _ in w.result["rows"])["pool2"] == (50, 5, 5)
    w.controls["input_size"].value = 4
    assert w.result["error"].startswith("conv1:")
    w.controls["fc"].value = 0  # no hidden FC layer: flatten -> fc1 (the classifier) directly
    w.controls["input_size"].value = 28
    assert [n for n, _, _ in w.result["rows"]][-2:] == ["flatten", "fc1"]


def test_training_and_filter_plots_are_figures():
    history = dict(
        loss=list(np.linspace(2.3, 0.1, 69)),
        steps_per_epoch=23,
        train_acc=[0.8, 0.9, 0.95],
        test_acc=[0.82, 0.91, 0.96],
    )
    assert isinstance(lenet.plot_training(history), Figure)
    fig = lenet.plot_filters(np.random.default_rng(0).standard_normal((20, 1, 5, 5)))
    assert isinstance(fig, Figure) and len([a for a in fig.axes if a.images]) == 20
