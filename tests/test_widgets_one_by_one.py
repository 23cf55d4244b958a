"""Lesson 02 widget (pixel inspector), driven without a browser: set a control's value, read .result.
(What every widget must do is tested once, in test_widgets_contract.py.)"""

import ipywidgets as W
import numpy as np
import torch
from matplotlib.figure import Figure

from source_helpers import torch_ref
from source_helpers.widgets import one_by_one


def _image():
    return np.random.default_rng(0).random((3, 9, 7))


def test_output_vector_is_the_weight_matrix_times_the_pixel_vector():
    img, w, b = _image(), one_by_one.COLOR_MIXER, np.array([0.0, 1.0, -1.0, 0.5])
    r = one_by_one.inspect_pixel(img, w, b, row=4, col=2)
    np.testing.assert_allclose(r["x_vec"], img[:, 4, 2])
    np.testing.assert_allclose(r["out_vec"], w[:, :, 0, 0] @ img[:, 4, 2] + b)
    np.testing.assert_allclose(r["by_hand"], r["out_vec"])
    # The same as torch.nn.Linear applied to that one pixel.
    lin = torch.nn.Linear(3, 4, dtype=torch.float64)
    with torch.no_grad():
        lin.weight.copy_(torch.from_numpy(w[:, :, 0, 0]))
        lin.bias.copy_(torch.from_numpy(b))
        np.testing.assert_allclose(r["out_vec"], lin(torch.from_numpy(img[:, 4, 2])).numpy())
    assert r["out"].shape == (4, 9, 7) and r["source"].startswith("torch")


def test_the_brightness_filter_is_the_luminance_formula():
    img = _image()
    r = one_by_one.inspect_pixel(img, one_by_one.COLOR_MIXER, np.zeros(4), 0, 0)
    np.testing.assert_allclose(r["out"][0], 0.299 * img[0] + 0.587 * img[1] + 0.114 * img[2])


def test_uses_the_students_forward_and_reports_its_difference():
    def mine(x, weight, bias):
        return torch_ref.conv2d(x, weight, bias) + 0.5, None

    r = one_by_one.inspect_pixel(_image(), one_by_one.COLOR_MIXER, np.zeros(4), 3, 3, forward_fn=mine)
    assert r["source"] == "your conv1x1_forward" and abs(r["max_diff"] - 0.5) < 1e-12


def test_falls_back_to_torch_when_the_students_forward_gives_the_wrong_shape():
    def wrong_shape(x, weight, bias):
        return np.zeros((1, 2, 2, 2)), None

    img, w, b = _image(), one_by_one.COLOR_MIXER, np.zeros(4)
    r = one_by_one.inspect_pixel(img, w, b, 1, 1, forward_fn=wrong_shape)
    assert "returned shape" in r["source"] and r["out"].shape == (4, 9, 7) and r["max_diff"] is None


def test_inspector_follows_the_sliders():
    img = _image()
    w = one_by_one.pixel_inspector(image=img)
    assert isinstance(w, W.interactive)
    w.controls["row"].value = 6
    w.controls["col"].value = 1
    assert (w.result["row"], w.result["col"]) == (6, 1)
    np.testing.assert_allclose(w.result["x_vec"], img[:, 6, 1])
    assert w.controls["row"].max == 8 and w.controls["col"].max == 6
    assert isinstance(one_by_one.plot_pixel(w.result), Figure)
