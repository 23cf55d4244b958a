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
