"""Lesson 00 widget, driven without a browser: set a control's value, read .result.
(What every widget must do is tested once, in test_widgets_contract.py.)"""

import ipywidgets as W
import pytest

from source_helpers.widgets import start_here


@pytest.mark.parametrize(
    "H, C_in, units, K, fc, conv",
    [
        (32, 3, 100, 5, 3072 * 100 + 100, 100 * (3 * 5 * 5 + 1)),  # lesson 01's comparison: 307,300 vs 7,600
        (28, 1, 20, 5, 784 * 20 + 20, 20 * (25 + 1)),  # LeNet-5's first layer vs an FC layer
        (8, 2, 1, 1, 128 + 1, 2 + 1),
    ],
)
def test_counts_are_worked_out_by_hand(H, C_in, units, K, fc, conv):
    r = start_here.layer_parameters(H, C_in, units, K)
    assert (r["n_in"], r["fc"], r["torch_fc"], r["conv"]) == (C_in * H * H, fc, fc, conv)
    assert r["source"] == "torch.nn.Linear" and r["student"] is None
    assert r["ratio"] == fc / conv


def test_the_students_function_is_used_once_it_works():
    r = start_here.layer_parameters(32, 3, 100, 5, fc_count_fn=lambda n_in, n_out: n_in * n_out)  # biases forgotten
    assert r["fc"] == 307_200 and r["torch_fc"] == 307_300
    assert r["source"] == "your fc_parameter_count" and r["student"] == "307200"


@pytest.mark.parametrize(
    "fn, shown",
    [
        (lambda n_in, n_out: (_ for _ in ()).throw(NotImplementedError()), "not implemented yet"),
        (lambda n_in, n_out: (_ for _ in ()).throw(TypeError("oops")), "TypeError: oops"),
        (lambda n_in, n_out: None, "None"),
        (lambda n_in, n_out: 2.5, "2.5"),
    ],
)
def test_torch_is_shown_until_the_students_function_works(fn, shown):
    r = start_here.layer_parameters(32, 3, 100, 5, fc_count_fn=fn)
    assert r["fc"] == 307_300 and r["source"].startswith("torch.nn.Linear (your fc_parameter_count ")
    assert r["student"] == shown
    assert shown in start_here.plot_layer_parameters(r)._suptitle.get_text()


def test_explorer_updates_when_a_slider_moves():
    w = start_here.parameter_explorer(fc_count_fn=lambda n_in, n_out: n_in * n_out + n_out)
    assert isinstance(w, W.interactive)
    assert (w.result["fc"], w.result["conv"]) == (307_300, 7_600)
    w.controls["H"].value = 64  # the FC layer grows with the image; the conv layer does not
    assert (w.result["fc"], w.result["conv"]) == (3 * 64 * 64 * 100 + 100, 7_600)
    w.controls["K"].value = 3
    assert w.result["conv"] == 100 * (27 + 1)
