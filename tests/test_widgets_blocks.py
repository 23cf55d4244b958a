"""Lesson 07 widget (block cost calculator), driven without a browser: set a control's value, read .result.
(What every widget must do is tested once, in test_widgets_contract.py.)"""

import ipywidgets as W
import pytest
from matplotlib.figure import Figure

from source_helpers.widgets import blocks


def by_hand(block, C_in, C_out, K, H_out, W_out, groups=1):
    """The lecture's formulas, written out independently of the widget (biases included)."""
    HW = H_out * W_out
    return {
        "standard": (C_out * (C_in * K * K + 1), C_in * K * K * C_out * HW),
        "pointwise": (C_out * (C_in + 1), C_in * C_out * HW),
        "grouped": (C_out * (C_in // groups * K * K + 1), C_in // groups * K * K * C_out * HW),
        "depthwise": (C_out * (K * K + 1), K * K * C_out * HW),
        "separable": (C_in * (K * K + 1) + C_out * (C_in + 1), C_in * K * K * HW + C_in * C_out * HW),
    }[block]


@pytest.mark.parametrize(
    "C_in, C_out, K, groups, H, stride",
    [
        (64, 128, 3, 4, 56, 1),
        (32, 32, 5, 8, 15, 2),
        (12, 36, 7, 12, 9, 1),
        (256, 256, 3, 32, 14, 1),
    ],
)
def test_torch_costs_match_the_formulas(C_in, C_out, K, groups, H, stride):
    r = blocks.block_costs("grouped", C_in, C_out, K, groups, H=H, W=H, stride=stride)
    for name in blocks.BLOCKS:
        row = r["rows"][name]
        assert (row["params"], row["mult_adds"]) == by_hand(name, C_in, C_out, K, row["H_out"], row["W_out"], groups)
    assert r["ratios"]["separable"] == pytest.approx(1 / C_out + 1 / K**2)


def test_invalid_settings_are_flagged_not_raised():
    r = blocks.block_costs("grouped", C_in=6, C_out=9, K=3, groups=4)
    assert r["rows"]["grouped"]["params"] is None and "must divide" in r["rows"]["grouped"]["problem"]
    assert r["rows"]["depthwise"]["params"] is None and r["ratios"]["grouped"] is None
    assert r["rows"]["standard"]["params"] == 9 * (6 * 9 + 1)
    assert isinstance(blocks.plot_block_costs(r), Figure)


def test_uses_the_students_function_and_flags_differences():
    def correct(block, C_in, C_out, K, H_out, W_out, groups=1):
        return by_hand(block, C_in, C_out, K, H_out, W_out, groups)

    def no_bias_in_separable(block, *args, **kwargs):
        params, macs = correct(block, *args, **kwargs)
        return (params - args[0] if block == "separable" else params), macs

    r = blocks.block_costs("separable", 64, 128, 3, 4, cost_fn=correct)
    assert r["source"] == "your block_cost (agrees with torch)" and r["mismatch"] == []
    r = blocks.block_costs("separable", 64, 128, 3, 4, cost_fn=no_bias_in_separable)
    assert r["mismatch"] == ["separable"] and r["rows"]["separable"]["params"] == 64 * 10 + 128 * 65 - 64


def test_falls_back_to_torch_everywhere_when_the_students_function_fails_on_one_block():
    def fails_on_depthwise(block, *args, **kwargs):
        if block == "depthwise":
            raise KeyError("oops")
        return by_hand(block, *args, **kwargs)

    r = blocks.block_costs("standard", 8, 16, 3, 2, cost_fn=fails_on_depthwise)
    assert "raised KeyError" in r["source"] and r["mismatch"] == []
    assert r["rows"]["standard"]["params"] == 16 * (8 * 9 + 1) and "torch" not in r["rows"]["standard"]


def test_calculator_updates_when_a_control_moves():
    w = blocks.block_cost_calculator()
    assert isinstance(w, W.interactive)
    before = w.result["rows"]["grouped"]["params"]
    w.controls["groups"].value = 8
    assert w.result["rows"]["grouped"]["params"] < before
    w.controls["block"].value = "separable"
    assert w.result["block"] == "separable"
    w.controls["stride"].value = 2
    assert w.result["rows"]["standard"]["H_out"] == 28
