"""source_helpers.data: a real image that ships with matplotlib (no download)."""

import numpy as np

from source_helpers.data import sample_image


def test_gray_image_is_float64_in_unit_range_and_not_square():
    img = sample_image()
    assert img.dtype == np.float64 and img.ndim == 2 and img.shape[0] != img.shape[1]
    assert 0.0 <= img.min() < 0.1 and 0.9 < img.max() <= 1.0
    assert img.std() > 0.1  # a real photograph, not a constant


def test_rgb_image_is_channels_first():
    img = sample_image(size=(40, 30), gray=False)
    assert img.shape == (3, 40, 30) and img.flags.c_contiguous
