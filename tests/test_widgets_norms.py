"""Lesson 06 widget, driven without a browser: set a control's value, read .result.
(What every widget must do is tested once, in test_widgets_contract.py.)"""

import ipywidgets as W
import numpy as np
import pytest
import torch
import torch.nn.functional as F
from matplotlib.figure import Figure

from source_helpers.widgets import norms


def _torch_normalized(method, x, G):
    """torch's normalization of x (N, C, HW, 1) with gamma=1, beta=0."""
    t = torch.from_numpy(x)
    if method == "BN":
        return F.batch_norm(t, None, None, training=True).numpy()
    if method == "LN":
        return F.layer_norm(t, x.shape[1:]).numpy()
    if method == "IN":
        return F.instance_norm(t).numpy()
    return F.group_norm(t, G).numpy()


@pytest.mark.parametrize("method, G", [("BN", 1), ("LN", 1), ("IN", 1), ("GN", 2), ("GN", 3), ("GN", 1), ("GN", 6)])
def test_statistic_sets_are_the_sets_torch_normalizes_together(method, G):
    """Normalizing each labelled set by its own mean/variance reproduces torch's layer."""
    N, C, HW = 3, 6, 5
    x = np.random.default_rng(0).standard_normal((N, C, HW, 1))
    labels = norms.statistic_sets(method, N, C, HW, G)
    mine = np.empty_like(x)
    for k in np.unique(labels):
        sel = labels == k
        vals = x[..., 0][sel]
        mine[..., 0][sel] = (vals - vals.mean()) / np.sqrt(vals.var() + 1e-5)
    np.testing.assert_allclose(mine, _torch_normalized(method, x, G), rtol=1e-10, atol=1e-12)
    n_sets = {"BN": C, "LN": N, "IN": N * C, "GN": N * G}[method]
    assert len(np.unique(labels)) == n_sets
    assert (
        norms.statistic_shape(method, N, C, G)
        == {"BN": (1, C, 1, 1), "LN": (N, 1, 1, 1), "IN": (N, C, 1, 1), "GN": (N, G, 1, 1)}[method]
    )


def test_group_norm_groups_are_contiguous_channels():
    labels = norms.statistic_sets("GN", 1, 6, 1, 3)
    assert labels[0, :, 0].tolist() == [0, 0, 1, 1, 2, 2]  # not c % G = [0, 1, 2, 0, 1, 2]
    with pytest.raises(ValueError):
        norms.statistic_sets("GN", 1, 6, 1, 4)


def test_cube_reports_the_highlighted_set():
    r = norms.normalization_cube("GN", G=3, N=4, C=6, HW=4, draws=20)
    assert r["set_size"] == 2 * 4 and r["n_sets"] == 4 * 3 and r["stat_shape"] == (4, 3, 1, 1)
    assert r["selected"].shape == (4, 6, 4) and r["selected"][0, :2].all() and not r["selected"][1].any()
    r = norms.normalization_cube("BN", G=3, N=4, C=6, HW=4, draws=20)
    assert r["set_size"] == 4 * 4 and r["G"] == 1 and r["selected"][:, 0].all()
    assert isinstance(norms.plot_normalization_cube(r), Figure)


def test_batch_noise_shrinks_with_n_and_gn_does_not_depend_on_the_batch():
    small = norms.batch_noise(2, draws=300)
    large = norms.batch_noise(16, draws=300)
    assert small["bn_spread"] > 1.3 * large["bn_spread"] > 0
    assert small["gn_value"] == large["gn_value"]
    curve = large["curve"]
    assert curve[1] > curve[4] > curve[32]
    # with N = 1 the image is alone in its batch: BN's value is the same every time
    assert norms.batch_noise(1, draws=50)["bn_spread"] < 1e-12


def test_batch_noise_uses_the_students_group_norm():
    def mine(x, num_groups, weight, bias, eps=1e-5):
        t = torch.from_numpy(x)
        return F.group_norm(t, num_groups, torch.from_numpy(weight), torch.from_numpy(bias), eps).numpy(), None

    ref = norms.batch_noise(4, draws=10)
    assert ref["gn_source"] == "torch.nn.functional.group_norm"
    r = norms.batch_noise(4, draws=10, gn_fn=mine)
    assert r["gn_source"] == "your group_norm_forward" and r["gn_value"] == pytest.approx(ref["gn_value"])
    assert norms.normalization_cube("GN", N=4, draws=10, gn_fn=mine)["source"] == "your group_norm_forward"


def test_explorer_updates_when_a_control_moves():
    w = norms.normalization_cube_explorer()
    assert isinstance(w, W.interactive)
    assert w.result["method"] == "GN" and w.result["stat_shape"] == (4, 2, 1, 1)
    w.controls["method"].value = "IN"
    assert w.result["stat_shape"] == (4, 6, 1, 1) and w.result["set_size"] == 4
    w.controls["N"].value = 1
    assert w.result["stat_shape"] == (1, 6, 1, 1) and w.result["noise"]["N"] == 1
    w.controls["method"].value = "GN"
    w.controls["G"].value = 3
    assert w.result["stat_shape"] == (1, 3, 1, 1)
