"""source_helpers.torch_ref: one device, chosen once; float64 references."""

import numpy as np
import torch
import torch.nn.functional as F

from source_helpers import torch_ref


def test_device_is_chosen_once_and_printed_once(capsys, monkeypatch):
    torch_ref.device.cache_clear()
    monkeypatch.delenv("WORKBOOK_DEVICE", raising=False)
    first = torch_ref.device()
    second = torch_ref.device()
    out = capsys.readouterr().out
    assert first is second
    assert out.count("torch device:") == 1
    assert first.type == ("cuda" if torch.cuda.is_available() else "cpu")
    torch_ref.device.cache_clear()


def test_device_can_be_forced(monkeypatch, capsys):
    torch_ref.device.cache_clear()
    monkeypatch.setenv("WORKBOOK_DEVICE", "cpu")
    assert torch_ref.device().type == "cpu"
    assert "torch device: cpu" in capsys.readouterr().out
    torch_ref.device.cache_clear()


def test_conv2d_reference_keeps_float64_and_matches_torch():
    rng = np.random.default_rng(0)
    x, w, b = rng.standard_normal((2, 3, 7, 5)), rng.standard_normal((4, 3, 3, 2)), rng.standard_normal(4)
    out = torch_ref.conv2d(x, w, b, stride=2, padding=1)
    assert out.dtype == np.float64 and type(out) is np.ndarray
    direct = F.conv2d(torch.from_numpy(x), torch.from_numpy(w), torch.from_numpy(b), stride=2, padding=1)
    np.testing.assert_allclose(out, direct.numpy(), rtol=1e-12)


def test_conv2d_grads_are_autograd_of_the_weighted_sum():
    rng = np.random.default_rng(1)
    x, w, b = rng.standard_normal((1, 2, 4, 4)), rng.standard_normal((3, 2, 2, 2)), rng.standard_normal(3)
    dout = rng.standard_normal((1, 3, 3, 3))
    dx, dw, db = torch_ref.conv2d_grads(x, w, b, dout)
    assert dx.shape == x.shape and dw.shape == w.shape and db.shape == b.shape
    np.testing.assert_allclose(db, dout.sum(axis=(0, 2, 3)))


def test_the_counting_references_give_the_lectures_numbers():
    # Written out by hand in lesson 04's table and lesson 07's cost table, not derived from torch.
    rows = torch_ref.lenet_rows((1, 28, 28))
    assert [r[2] for r in rows if r[2]] == [520, 25_050, 1_225_500, 5_010]
    assert rows[7] == ("flatten", (2450,), 0) and rows[-1] == ("fc2", (10,), 0 + 5_010)
    conv_params, fc_params, conv_macs, fc_macs = torch_ref.lenet_counts((1, 28, 28))
    assert (conv_params, fc_params) == (520 + 25_050, 1_225_500 + 5_010)
    assert conv_macs == 20 * 25 * 28 * 28 + 50 * 20 * 25 * 14 * 14 and fc_macs == 2450 * 500 + 500 * 10
    params, macs, size = torch_ref.block_counts("separable", 64, 128, 3, 56, 56)
    assert (params, macs, size) == (64 * 10 + 128 * 65, 64 * 9 * 56 * 56 + 64 * 128 * 56 * 56, (56, 56))
    assert torch_ref.param_count(torch.nn.Conv2d(3, 100, 5, device="meta")) == 7_600


def test_group_norm_and_batch_norm_references():
    x = np.random.default_rng(0).standard_normal((2, 4, 3, 3))
    by_hand = x.reshape(2, 2, -1)
    by_hand = (by_hand - by_hand.mean(-1, keepdims=True)) / np.sqrt(by_hand.var(-1, keepdims=True) + 1e-5)
    np.testing.assert_allclose(torch_ref.group_norm(x, 2), by_hand.reshape(x.shape), rtol=1e-6, atol=1e-9)
    rows = x.reshape(-1, 4)
    rm, rv = np.zeros(4), np.ones(4)
    out = torch_ref.batch_norm(rows, np.ones(4), np.zeros(4), rm, rv, True)
    np.testing.assert_allclose(out, (rows - rows.mean(0)) / np.sqrt(rows.var(0) + 1e-5), rtol=1e-6, atol=1e-9)
    np.testing.assert_allclose(rm, 0.1 * rows.mean(0))  # the running statistics were updated in place
