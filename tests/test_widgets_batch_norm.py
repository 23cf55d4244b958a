"""Lesson 05 widget, driven without a browser: set a control's value, read .result.
(What every widget must do is tested once, in test_widgets_contract.py.)"""

import ipywidgets as W
import numpy as np
import torch
from matplotlib.figure import Figure

from source_helpers.widgets import batch_norm as bnw


def test_torch_fallback_matches_batchnorm1d_and_updates_running_stats_in_place():
    rng = np.random.default_rng(0)
    x, gamma, beta = rng.standard_normal((6, 3)), rng.standard_normal(3), rng.standard_normal(3)
    rm, rv = np.zeros(3), np.ones(3)
    layer = torch.nn.BatchNorm1d(3, dtype=torch.float64)
    with torch.no_grad():
        layer.weight.copy_(torch.from_numpy(gamma))
        layer.bias.copy_(torch.from_numpy(beta))
    out, _ = bnw.torch_batchnorm_forward(x, gamma, beta, rm, rv, True)
    np.testing.assert_allclose(out, layer(torch.from_numpy(x)).detach().numpy(), rtol=1e-12)
    np.testing.assert_allclose(rm, layer.running_mean.numpy(), rtol=1e-12)
    np.testing.assert_allclose(rv, layer.running_var.numpy(), rtol=1e-12)  # unbiased, momentum 0.1 on the new value


def test_train_mode_output_has_mean_beta_and_std_gamma_whatever_the_weight_scale():
    for scale in (0.01, 1.0, 100.0):
        r = bnw.bn_histograms(weight_scale=scale, gamma=2.0, beta=0.5, mode="train")
        assert np.allclose(r["y"].mean(axis=0), 0.5, atol=1e-9)
        expected_std = 2.0 * np.sqrt(r["batch_var"] / (r["batch_var"] + 1e-5))  # eps shrinks tiny variances
        np.testing.assert_allclose(r["y"].std(axis=0), expected_std, rtol=1e-9)
        np.testing.assert_allclose(r["mean_used"], r["a"].mean(axis=0))
    assert abs(bnw.bn_histograms(weight_scale=100.0, gamma=2.0)["y_std"] - 2.0) < 1e-6
    assert bnw.bn_histograms(weight_scale=100.0)["a"].std() > 100 * bnw.bn_histograms(weight_scale=1.0)["a"].std() / 2


def test_eval_mode_uses_running_statistics_that_converge_with_steps():
    fresh = bnw.bn_histograms(weight_scale=10.0, mode="eval", steps=0)
    np.testing.assert_array_equal(fresh["mean_used"], 0.0)  # never updated: the initial 0 and 1
    np.testing.assert_array_equal(fresh["var_used"], 1.0)
    np.testing.assert_allclose(fresh["y"], fresh["a"] / np.sqrt(1 + 1e-5))
    trained = bnw.bn_histograms(weight_scale=10.0, mode="eval", steps=100)
    assert abs(trained["y_std"] - 1.0) < 0.3 < abs(fresh["y_std"] - 1.0)


def test_uses_the_students_function_for_every_step_and_says_when_it_differs():
    calls = []

    def mine(x, gamma, beta, running_mean, running_var, training, momentum=0.1, eps=1e-5):
        calls.append(training)
        return bnw.torch_batchnorm_forward(x, gamma, beta, running_mean, running_var, training, momentum, eps)

    r = bnw.bn_histograms(mode="eval", steps=3, bn_fn=mine)
    assert r["source"] == "your batchnorm_forward" and calls == [True, True, True, False]
    reference = bnw.bn_histograms(mode="eval", steps=3)
    np.testing.assert_array_equal(r["y"], reference["y"])

    def biased_running_var(x, gamma, beta, running_mean, running_var, training, momentum=0.1, eps=1e-5):
        out = bnw.torch_batchnorm_forward(x, gamma, beta, running_mean, running_var, training, momentum, eps)
        if training:
            running_var -= momentum * x.var(axis=0, ddof=1) / len(x)  # the unbiased variance's correction undone
        return out

    r = bnw.bn_histograms(mode="eval", steps=3, bn_fn=biased_running_var)
    assert r["source"] == "your batchnorm_forward (differs from torch F.batch_norm)"


def test_explorer_updates_when_controls_change():
    w = bnw.bn_histogram_explorer()
    assert isinstance(w, W.interactive)
    assert abs(w.result["y_mean"]) < 1e-9
    w.controls["beta"].value = 1.5
    assert abs(w.result["y_mean"] - 1.5) < 1e-9
    w.controls["mode"].value = "eval"
    w.controls["steps"].value = 0
    assert w.result["mode"] == "eval" and np.all(w.result["var_used"] == 1.0)
    assert isinstance(bnw.plot_bn_histograms(w.result), Figure)
