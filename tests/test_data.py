"""source_helpers.data: a real image that ships with matplotlib (no download)."""

import numpy as np

from source_helpers.data import digits, sample_image


def test_gray_image_is_float64_in_unit_range_and_not_square():
    img = sample_image()
    assert img.dtype == np.float64 and img.ndim == 2 and img.shape[0] != img.shape[1]
    assert 0.0 <= img.min() < 0.1 and 0.9 < img.max() <= 1.0
    assert img.std() > 0.1  # a real photograph, not a constant


def test_rgb_image_is_channels_first():
    img = sample_image(size=(40, 30), gray=False)
    assert img.shape == (3, 40, 30) and img.flags.c_contiguous


def test_digits_are_a_fixed_split_of_real_28x28_images():
    d = digits()
    assert d["x_train"].shape[1:] == (1, 28, 28) and d["x_train"].dtype == np.float32
    assert len(d["x_train"]) + len(d["x_test"]) == 1797 and len(d["x_test"]) == 359
    assert set(np.unique(d["y_train"])) == set(range(10))
    assert 0.0 <= d["x_train"].min() and d["x_train"].max() <= 1.0
    np.testing.assert_array_equal(digits()["y_test"], d["y_test"])  # the same split every time
