"""Lesson 09's torch side and training dashboard, driven without a browser: the torch copy of the network,
the stand-ins for missing layers, the training helper (the student's functions or torch), the widget.
(What every widget must do is tested once, in test_widgets_contract.py.)"""

import ipywidgets as W
import numpy as np
import pytest
import torch
import torch.nn.functional as F
from matplotlib.figure import Figure

from source_helpers import small_cnn, stand_ins
from source_helpers.data import digits
from source_helpers.widgets import core
from source_helpers.widgets import training as tw


@pytest.fixture(scope="module")
def data():
    d = digits(size=16)
    return dict(x_train=d["x_train"][:96], y_train=d["y_train"][:96], x_test=d["x_test"][:64], y_test=d["y_test"][:64])


def random_params(rng, **kw):
    return {
        k: rng.standard_normal(s) / np.sqrt(np.prod(s[1:])) if len(s) > 1 else 1 + 0.1 * rng.standard_normal(s)
        for k, s in small_cnn.param_shapes(**kw).items()
    }


# ----------------------------------------------------------------------------- the network's torch copy
def test_param_shapes_follow_the_lesson_table():
    shapes = small_cnn.param_shapes()
    assert shapes == {
        "conv1.weight": (8, 1, 3, 3),
        "bn1.weight": (8,),
        "bn1.bias": (8,),
        "conv2.weight": (16, 8, 3, 3),
        "bn2.weight": (16,),
        "bn2.bias": (16,),
        "fc1.weight": (32, 256),
        "fc1.bias": (32,),
        "fc2.weight": (10, 32),
        "fc2.bias": (10,),
    }
    assert sum(int(np.prod(s)) for s in shapes.values()) == 9_826
    plain = small_cnn.param_shapes(in_channels=3, size=(12, 8), width=4, hidden=6, classes=5, batch_norm=False)
    assert "bn1.weight" not in plain and plain["conv1.bias"] == (4,) and plain["fc1.weight"] == (6, 8 * 3 * 2)
    with pytest.raises(ValueError):
        small_cnn.param_shapes(size=(10, 16))


@pytest.mark.parametrize("batch_norm", [True, False])
def test_torch_copy_holds_the_weights_and_computes_the_lessons_network(batch_norm):
    rng = np.random.default_rng(0)
    params = random_params(rng, batch_norm=batch_norm)
    bn_state = small_cnn.new_bn_state(params)
    model = small_cnn.torch_cnn(params, bn_state, p_drop=0.5)
    state = model.state_dict()
    assert {k for k in state if not k.endswith("num_batches_tracked")} == set(params) | set(bn_state)
    for k, v in params.items():
        np.testing.assert_array_equal(state[k].numpy(), v)
    x = torch.from_numpy(rng.random((3, 1, 16, 16)))
    keep = torch.from_numpy((rng.random((3, 32)) > 0.5).astype(np.float64))
    t = {k: torch.from_numpy(v) for k, v in params.items()}
    h = x
    for i in (1, 2):
        h = F.conv2d(h, t[f"conv{i}.weight"], t.get(f"conv{i}.bias"), padding=1)
        if batch_norm:
            h = F.batch_norm(h, None, None, t[f"bn{i}.weight"], t[f"bn{i}.bias"], training=True)
        h = F.max_pool2d(F.relu(h), 2)
    h = F.relu(F.linear(torch.flatten(h, 1), t["fc1.weight"], t["fc1.bias"])) * keep / 0.5
    expected = F.linear(h, t["fc2.weight"], t["fc2.bias"])
    torch.testing.assert_close(model(x, keep=keep), expected, rtol=1e-12, atol=1e-12)
    model.eval()
    torch.testing.assert_close(model(x), model.fc2(model.hidden(x)))  # eval: no dropout
    acts = model.activations(x)
    assert list(acts) == ["conv1", "conv2", "fc1"] and acts["fc1"].shape == (3, 32)


def test_init_params_uses_the_students_init_and_falls_back_to_torch():
    shapes = small_cnn.param_shapes()
    calls = []

    def mine(shape, rng):
        calls.append(shape)
        return np.full(shape, 0.5)

    params, source = small_cnn.init_params(shapes, init_fn=mine, init_scale=2.0, dtype=np.float32)
    assert source == "your kaiming_normal" and calls == [s for s in shapes.values() if len(s) > 1]
    assert params["conv1.weight"].dtype == np.float32 and np.all(params["conv1.weight"] == 1.0)
    assert np.all(params["bn1.weight"] == 1) and np.all(params["bn1.bias"] == 0) and np.all(params["fc2.bias"] == 0)

    def not_done(shape, rng):
        raise NotImplementedError

    params, source = small_cnn.init_params(shapes, seed=3, init_fn=not_done)
    assert "not implemented yet" in source
    w = params["fc1.weight"]
    assert abs(w.std() / np.sqrt(2 / 256) - 1) < 0.05  # torch's kaiming_normal_: He's std for fan-in 256
    again, _ = small_cnn.init_params(shapes, seed=3)
    np.testing.assert_array_equal(again["fc1.weight"], w)


# ----------------------------------------------------------------------------- stand-ins for missing layers
def test_stand_ins_match_torch_and_update_running_statistics_in_place():
    rng = np.random.default_rng(1)
    x, w, b = rng.standard_normal((2, 3, 6, 5)), rng.standard_normal((4, 3, 3, 3)), rng.standard_normal(4)
    out, cache = stand_ins.conv2d_forward(x, w, b, 2, 1)
    np.testing.assert_allclose(out, F.conv2d(*map(torch.from_numpy, (x, w, b)), stride=2, padding=1).numpy())
    dx, dw, db = stand_ins.conv2d_backward(np.ones_like(out), cache)
    np.testing.assert_allclose(db, np.full(4, out[0, 0].size * 2))
    assert dx.shape == x.shape and dw.shape == w.shape
    rm, rv = np.zeros(3), np.ones(3)
    stand_ins.spatial_batchnorm_forward(x, np.ones(3), np.zeros(3), rm, rv, True)
    np.testing.assert_allclose(rm, 0.1 * x.mean(axis=(0, 2, 3)))
    assert all(stand_ins.is_stand_in(fn) for fn in stand_ins.torch_layers().values())


def test_fill_in_keeps_working_layers_and_replaces_missing_or_wrong_ones(capsys):
    subs = stand_ins.torch_layers()
    namespace = {name: (lambda *a, fn=fn, **k: fn(*a, **k)) for name, fn in subs.items()}  # "yours", and right

    def not_done(*args, **kwargs):
        raise NotImplementedError

    def flipped(x, weight, bias, stride=1, padding=0):
        return subs["conv2d_forward"](x, weight[:, :, ::-1, ::-1].copy(), bias, stride, padding)

    namespace["relu_backward"] = not_done
    namespace["conv2d_forward"] = flipped
    del namespace["flatten_forward"]
    report = small_cnn.fill_in(namespace)
    assert report["affine"] == "yours" and report["spatial_batchnorm"] == "yours"
    assert "not written yet" in report["relu"] and "differs from torch" in report["conv2d"]
    assert "not defined" in report["flatten"]
    for name in ("relu_forward", "relu_backward", "conv2d_forward", "conv2d_backward", "flatten_forward"):
        assert stand_ins.is_stand_in(namespace[name]), name
    assert not stand_ins.is_stand_in(namespace["affine_forward"])
    assert "graded tests call your own code" in capsys.readouterr().out
    assert "still the stand-in" in small_cnn.fill_in(namespace, verbose=False)["relu"]


def test_require_own_layers_refuses_stand_ins():
    small_cnn.require_own_layers(relu_forward=lambda x: x)
    with pytest.raises(AssertionError, match="relu_forward: still the torch stand-in"):
        small_cnn.require_own_layers(relu_forward=stand_ins.relu_forward, affine_forward=lambda x: x)


def test_one_thread_restores_torch_threads():
    before = torch.get_num_threads()
    with small_cnn.one_thread():
        assert torch.get_num_threads() == 1
    assert torch.get_num_threads() == before


# ----------------------------------------------------------------------------- training: the student's or torch's
def torch_backed_step(calls):
    """A train_step with the lesson's signature (plain SGD, no state) that trains the torch copy in place."""

    def train_step(params, bn_state, opt_state, x, y, rng, config):
        calls.append(config["lr"])
        dtype = torch.float32 if params["fc1.weight"].dtype == np.float32 else torch.float64
        model = small_cnn.torch_cnn(params, bn_state, dtype=dtype)
        loss = F.cross_entropy(model(torch.from_numpy(x)), torch.from_numpy(y))
        loss.backward()
        state = model.state_dict()
        with torch.no_grad():
            for name, prm in model.named_parameters():
                params[name] -= config["lr"] * prm.grad.numpy()
        for k in bn_state:
            bn_state[k][...] = state[k].numpy()
        return loss.item()

    def cnn_forward(x, params, bn_state, training, p_drop=0.0, rng=None):
        model = small_cnn.torch_cnn(params, bn_state, dtype=torch.float32).train(training)
        with torch.no_grad():
            return model(torch.from_numpy(x)).numpy(), None

    return train_step, cnn_forward


def test_train_uses_the_students_functions_and_torch_trains_the_same_network(data):
    calls = []
    step_fn, forward_fn = torch_backed_step(calls)
    config = dict(optimizer="sgd", lr=0.1)
    mine = tw.train(data, config, lrs=[0.1, 0.01], batch_size=32, step_fn=step_fn, forward_fn=forward_fn)
    theirs = tw.train(data, config, lrs=[0.1, 0.01], batch_size=32)
    assert mine["source"] == "your train_step" and theirs["source"].startswith("torch")
    assert calls == [0.1] + [0.1] * 3 + [0.01] * 3  # the trial step on copies, then the schedule: 3 steps an epoch
    assert len(mine["loss"]) == 6 and mine["acc_steps"] == [3, 6] and len(mine["test_acc"]) == 2
    np.testing.assert_allclose(mine["loss"], theirs["loss"], rtol=1e-4)
    for k in mine["params"]:
        np.testing.assert_allclose(mine["params"][k], theirs["params"][k], rtol=1e-3, atol=1e-5)
    assert not np.allclose(mine["params"]["fc2.weight"], mine["init_params"]["fc2.weight"])


def test_train_falls_back_to_torch_and_says_why(data):
    def not_done(*args, **kwargs):
        raise NotImplementedError

    def broken(*args, **kwargs):
        raise IndexError("oops")

    r = tw.train(data, dict(optimizer="adam", lr=1e-3, p_drop=0.5), steps=4, step_fn=not_done, forward_fn=not_done)
    assert r["source"] == "torch (your train_step is not implemented yet)" and len(r["loss"]) == 4
    assert np.isfinite(r["loss"]).all() and r["acc_steps"] == [3, 4]
    r = tw.train(data, dict(optimizer="sgd", lr=0.1, momentum=0.9), steps=2, step_fn=broken, forward_fn=broken)
    assert "raised IndexError: oops" in r["source"]


def test_overfitting_a_tiny_subset_drives_the_loss_down(data):
    r = tw.train(data, dict(optimizer="adam", lr=0.01), steps=60, batch_size=16, train_size=16, eval_every=60)
    assert r["loss"][-1] < 0.05 * r["loss"][0] and r["train_acc"][-1] == 1.0


# ----------------------------------------------------------------------------- the dashboard
def test_dashboard_reports_activations_and_their_scale(data):
    plain = tw.dashboard(init_scale=0.1, batch_norm=False, steps=4, data=data)
    stds = [plain["acts_init"][k].std() for k in ("conv1", "conv2", "fc1")]
    assert stds[0] > 5 * stds[1] > 25 * stds[2]  # vanishing: each layer multiplies the scale by about 0.1
    normed = tw.dashboard(init_scale=0.1, batch_norm=True, steps=4, data=data)
    assert abs(normed["acts_init"]["conv2"].std() - 1) < 0.05  # BN's output: unit variance whatever the weights
    assert plain["source"].startswith("torch") and plain["steps"] == 4


def test_dashboard_updates_when_controls_change(data):
    w = tw.training_dashboard(data)
    assert isinstance(w, W.interactive) and set(w.controls) == {"lr", "init_scale", "p_drop", "batch_norm", "optimizer"}
    assert w.result["config"]["lr"] == pytest.approx(0.05) and w.result["batch_norm"] is True
    w.controls["batch_norm"].value = False
    assert w.result["batch_norm"] is False and "bn1.weight" not in w.result["params"]
    w.controls["optimizer"].value = "adam"
    assert w.result["config"]["optimizer"] == "adam"
    assert isinstance(tw.plot_dashboard(w.result), Figure)


def test_the_lessons_other_figures_render_to_png(data):
    r = tw.train(data, dict(optimizer="sgd", lr=0.05), epochs=2, batch_size=32)
    for fig in (
        tw.plot_history(r),
        tw.plot_curves({"a": r["loss"]}, "loss", ylim=(0.1, 10)),
        tw.plot_depth_histograms({(False, 1.0): [np.abs(np.random.default_rng(0).standard_normal(50))] * 2}),
    ):
        assert isinstance(fig, Figure)
        assert core.figure_png(fig)[:8] == b"\x89PNG\r\n\x1a\n"
