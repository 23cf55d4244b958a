"""Lesson 01 widgets, driven without a browser: set a control's value, read .result.
(What every widget must do is tested once, in test_widgets_contract.py.)"""

import ipywidgets as W
import numpy as np
import pytest
from matplotlib.figure import Figure

from source_helpers import torch_ref
from source_helpers.widgets import conv


@pytest.mark.parametrize(
    "H, K, P, S, out, valid, uncovered",
    [
        (7, 3, 0, 2, 3, True, 0),
        (7, 3, 0, 3, 2, False, 1),  # (7 - 3)/3 + 1 = 2.33: one row is never visited
        (32, 5, 2, 1, 32, True, 0),
        (224, 3, 1, 2, 112, False, 1),
    ],
)
def test_conv_arithmetic_matches_torch_output_size(H, K, P, S, out, valid, uncovered):
    r = conv.conv_arithmetic(H, K, P, S)
    x = np.zeros((1, 1, H, H))
    assert torch_ref.conv2d(x, np.zeros((1, 1, K, K)), stride=S, padding=P).shape[-1] == out
    assert (r["out"], r["valid"], r["uncovered"]) == (out, valid, uncovered)
    assert r["starts"] == list(range(0, S * out, S))


def test_conv_arithmetic_flags_a_kernel_that_does_not_fit():
    r = conv.conv_arithmetic(2, 5, 1, 1)
    assert not r["fits"] and r["out"] == 0 and "impossible" in r["verdict"]
    assert isinstance(conv.plot_conv_arithmetic(r), Figure)


def test_conv_arithmetic_shows_the_students_function_and_its_errors():
    assert conv.conv_arithmetic(7, 3, 0, 2, output_size_fn=lambda H, K, P, S: 3)["student"] == "3"

    def not_done(*args):
        raise NotImplementedError

    def strict(*args):
        raise ValueError("kernel too big")

    assert conv.conv_arithmetic(7, 3, 0, 2, output_size_fn=not_done)["student"] == "not implemented yet"
    assert conv.conv_arithmetic(2, 5, 0, 1, output_size_fn=strict)["student"] == "ValueError: kernel too big"


def test_step_walks_the_window_row_major_and_wraps():
    r = conv.conv_arithmetic(7, 3, 0, 2, step=4)
    assert r["window"] == (2, 2)  # 3 x 3 outputs: step 4 is the centre
    assert conv.conv_arithmetic(7, 3, 0, 2, step=9)["window"] == (0, 0)


def test_explorer_updates_when_a_slider_moves():
    w = conv.conv_arithmetic_explorer()
    assert isinstance(w, W.interactive)
    assert w.result["out"] == 3
    w.controls["S"].value = 1
    assert w.result["out"] == 5
    w.controls["P"].value = 1
    assert w.result["out"] == 7 and w.result["padded"] == 9


def test_filter_uses_the_students_conv_and_reports_its_difference():
    img = np.random.default_rng(0).random((20, 16))

    def my_conv(x, weight, bias, stride=1, padding=0):
        return torch_ref.conv2d(x, weight, bias, stride, padding), None

    r = conv.apply_filter(img, "vertical edge", stride=2, padding=1, conv_fn=my_conv)
    assert r["source"] == "your conv2d_forward" and r["max_diff"] == 0.0
    assert r["out"].shape == ((20 - 3 + 2) // 2 + 1, (16 - 3 + 2) // 2 + 1)
    # The vertical-edge filter answers a left-to-right step and ignores a top-to-bottom one.
    step_lr = np.tile((np.arange(16) < 8).astype(float), (20, 1))
    assert np.abs(conv.apply_filter(step_lr, "vertical edge")["out"]).max() == 3.0
    assert np.abs(conv.apply_filter(step_lr.T.copy(), "vertical edge")["out"]).max() == 0.0


def test_filter_shows_torch_and_no_difference_when_the_students_conv_gives_the_wrong_shape():
    img = np.random.default_rng(0).random((12, 10))

    def unpadded(x, weight, bias, stride=1, padding=0):
        return torch_ref.conv2d(x, weight, bias, stride), None

    r = conv.apply_filter(img, "Laplacian", padding=1, conv_fn=unpadded)
    assert "returned shape (10, 8), expected (12, 10)" in r["source"] and r["max_diff"] is None
    np.testing.assert_allclose(r["out"], conv.apply_filter(img, "Laplacian", padding=1)["out"])


def test_playground_redraws_when_the_filter_changes():
    w = conv.filter_playground(np.random.default_rng(0).random((12, 10)))
    first = w.result["out"]
    w.controls["kernel_name"].value = "box blur 5x5"
    assert w.result["out"].shape == (8, 6) and not np.array_equal(first.shape, w.result["out"].shape)
    assert isinstance(conv.plot_filter(w.result), Figure)
