"""Lesson 03 widget (shift explorer), driven without a browser: set a control's value, read .result.
(What every widget must do is tested once, in test_widgets_contract.py.)"""

import ipywidgets as W
import numpy as np
import torch
import torch.nn.functional as F
from matplotlib.figure import Figure

from source_helpers.widgets import pooling


def _images():
    rng = np.random.default_rng(0)
    sparse = np.zeros((20, 18))
    sparse[5, 5] = sparse[12, 9] = 1.0
    return {"noise": rng.random((20, 18)), "two dots": sparse}


def _torch_pool(mode):
    fn = F.max_pool2d if mode == "max" else F.avg_pool2d

    def pool(x, kernel_size, stride=None):
        return fn(torch.from_numpy(x), kernel_size, stride).numpy(), None

    return pool


def test_no_shift_changes_nothing():
    r = pooling.pooling_shift(_images(), "noise", "max", 2, 2, 0, 0)
    assert r["unchanged"] == 1.0 and r["raw_unchanged"] == 1.0 and r["change"] == 0.0


def test_pooled_maps_match_torch_and_have_the_pooled_size():
    images = _images()
    r = pooling.pooling_shift(images, "noise", "avg", 3, 2, 1, 2)
    crop = images["noise"][:16, :14]
    expected = F.avg_pool2d(torch.from_numpy(crop[None, None]), 3, 2)[0, 0].numpy()
    np.testing.assert_allclose(r["pooled"], expected)
    assert r["pooled"].shape == ((16 - 3) // 2 + 1, (14 - 3) // 2 + 1)
    np.testing.assert_array_equal(r["shifted"], images["noise"][2:18, 1:15])


def test_max_pooling_forgives_a_one_pixel_shift_inside_the_window():
    # Two isolated dots; a 1-pixel shift keeps each inside its 4x4 window, so the max-pooled map is
    # identical, although the raw pixels under the dots changed.
    r = pooling.pooling_shift(_images(), "two dots", "max", 4, 4, 1, 0)
    assert r["unchanged"] == 1.0 and r["raw_unchanged"] < 1.0
    # A shift that carries a dot into the next window does change it.
    r = pooling.pooling_shift(_images(), "two dots", "max", 4, 4, 3, 0)
    assert r["unchanged"] < 1.0


def test_max_pooling_changes_less_than_the_raw_image_on_noise():
    r = pooling.pooling_shift(_images(), "noise", "max", 3, 2, 1, 0)
    assert r["change"] < r["raw_change"]


def test_uses_the_students_pooling_and_says_when_it_differs_from_torch():
    images = _images()
    r = pooling.pooling_shift(images, "noise", "max", 2, 2, 1, 1, pool_fns={"max": _torch_pool("max")})
    assert r["source"] == "your max_pool2d_forward"

    def wrong(x, kernel_size, stride=None):
        return F.avg_pool2d(torch.from_numpy(x), kernel_size, stride).numpy(), None

    # a wrong but working pooling is shown (students watch their own code), and flagged
    r = pooling.pooling_shift(images, "noise", "max", 2, 2, 1, 1, pool_fns={"max": wrong})
    assert r["source"] == "your max_pool2d_forward (differs from torch's max_pool2d)"
    expected = F.avg_pool2d(torch.from_numpy(images["noise"][None, None, :16, :14]), 2, 2)[0, 0].numpy()
    np.testing.assert_allclose(r["pooled"], expected)


def test_explorer_follows_the_controls():
    w = pooling.shift_explorer(images=_images())
    assert isinstance(w, W.interactive)
    first = w.result["unchanged"]
    w.controls["shift_x"].value = 0
    assert w.result["unchanged"] == 1.0 and first < 1.0
    w.controls["K"].value = 3
    w.controls["mode"].value = "avg"
    assert (w.result["K"], w.result["mode"]) == (3, "avg")
    assert w.result["pooled"].shape == ((16 - 3) // 2 + 1, (14 - 3) // 2 + 1)
    assert isinstance(pooling.plot_pooling_shift(w.result), Figure)


def test_default_images_are_a_photo_and_its_edge_map():
    images = pooling.shift_images((24, 20))
    assert set(images) == {"photo", "edge map (conv + ReLU)"}
    assert (images["edge map (conv + ReLU)"] >= 0).all()
    r = pooling.pooling_shift(images, "photo", "max", 2, 2, 1, 0)
    assert isinstance(pooling.plot_pooling_shift(r), Figure)
