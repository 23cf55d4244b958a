"""Every widget builder of the workbook, listed once: which lesson shows it, which of the lesson's
functions it takes (the student's, else torch: ``core.yours_or``), and a control whose move must
change its picture.

Nothing in the lessons imports this module; the tests do. ``tests/test_widgets_contract.py`` holds
every builder here to one contract (inert while grading, a PNG picture, reacts to a control, uses the
student's function), and the browser test counts a notebook's widgets by these builders' names.
A new builder goes here, or that contract test fails.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from typing import Any, Callable, Mapping

import ipywidgets as W

from . import batch_norm, blocks, conv, lenet, norms, one_by_one, pooling, start_here, training

__all__ = ["Builder", "BUILDERS", "builder_names"]


@functools.cache
def _small_digits() -> dict:
    from ..data import digits

    d = digits(size=16)
    return dict(
        data=dict(
            x_train=d["x_train"][:96], y_train=d["y_train"][:96], x_test=d["x_test"][:64], y_test=d["y_test"][:64]
        )
    )


@dataclass(frozen=True)
class Builder:
    """One widget builder. ``yours`` maps the builder's keyword to the lesson function it takes;
    moving ``controls[control]`` to ``to`` must change the picture; ``needs()`` gives the other
    keywords a quick build needs (data)."""

    lesson: str
    build: Callable[..., W.Widget]
    yours: Mapping[str, str]
    control: str
    to: Any
    needs: Callable[[], dict] = field(default=dict)

    @property
    def name(self) -> str:
        return self.build.__name__


BUILDERS: tuple[Builder, ...] = (
    Builder("00_start_here", start_here.parameter_explorer, {"fc_count_fn": "fc_parameter_count"}, "K", 3),
    Builder("01_convolution", conv.conv_arithmetic_explorer, {"output_size_fn": "conv_output_size"}, "K", 5),
    Builder("01_convolution", conv.filter_playground, {"conv_fn": "conv2d_forward"}, "kernel_name", "Sobel x"),
    Builder("02_one_by_one_conv", one_by_one.pixel_inspector, {"forward_fn": "conv1x1_forward"}, "row", 5),
    Builder(
        "03_pooling",
        pooling.shift_explorer,
        {"max_pool_fn": "max_pool2d_forward", "avg_pool_fn": "avg_pool2d_forward"},
        "shift_x",
        0,
    ),
    Builder("04_lenet5", lenet.architecture_explorer, {"table_fn": "layer_table"}, "input_size", 32),
    Builder("05_batch_norm", batch_norm.bn_histogram_explorer, {"bn_fn": "batchnorm_forward"}, "gamma", 2.0),
    Builder("06_layer_instance_group_norm", norms.normalization_cube_explorer, {"gn_fn": "group_norm_forward"}, "N", 8),
    Builder("07_efficient_blocks", blocks.block_cost_calculator, {"cost_fn": "block_cost"}, "K", 5),
    Builder(
        "09_train_your_cnn",
        training.training_dashboard,
        {"step_fn": "train_step", "forward_fn": "cnn_forward", "init_fn": "kaiming_normal"},
        "batch_norm",
        False,
        needs=_small_digits,
    ),
)


def builder_names() -> set[str]:
    return {b.name for b in BUILDERS}
