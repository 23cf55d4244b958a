"""Small real data that ships with installed packages: nothing is downloaded at run time."""

from __future__ import annotations

import numpy as np
from matplotlib import cbook
from PIL import Image

__all__ = ["sample_image", "digits"]


def sample_image(size: tuple[int, int] = (96, 80), gray: bool = True) -> np.ndarray:
    """Grace Hopper's portrait from matplotlib's sample data, as float64 in [0, 1].

    Returns shape ``(H, W)`` when ``gray`` else ``(3, H, W)`` (channels first, like the lessons).
    ``size`` is ``(H, W)``; the default is small and not square, so H/W mix-ups show.
    """
    with cbook.get_sample_data("grace_hopper.jpg") as fh:
        img = Image.open(fh)
        img = img.convert("L" if gray else "RGB").resize((size[1], size[0]), Image.Resampling.LANCZOS)
        arr = np.asarray(img, dtype=np.float64) / 255.0
    return arr if gray else np.ascontiguousarray(arr.transpose(2, 0, 1))


def digits(size: int = 28, test_fraction: float = 0.2, seed: int = 0) -> dict[str, np.ndarray]:
    """The handwritten digits bundled with scikit-learn (1,797 images, 8x8, UCI), resized to ``size``.

    Returns float32 images in [0, 1] shaped ``(N, 1, size, size)`` and int64 labels, split once into
    train and test with ``np.random.default_rng(seed)``: keys ``x_train, y_train, x_test, y_test``.
    The bilinear resize to 28x28 lets LeNet-5's layer table apply unchanged.
    """
    import torch
    import torch.nn.functional as F
    from sklearn.datasets import load_digits

    bunch = load_digits()
    images = torch.from_numpy(bunch.images.astype(np.float32) / 16.0)[:, None]
    if size != 8:
        images = F.interpolate(images, size=(size, size), mode="bilinear", align_corners=False).clamp_(0, 1)
    x, y = images.numpy(), bunch.target.astype(np.int64)
    order = np.random.default_rng(seed).permutation(len(y))
    n_test = int(round(test_fraction * len(y)))
    test, train = order[:n_test], order[n_test:]
    return dict(x_train=x[train], y_train=y[train], x_test=x[test], y_test=y[test])
