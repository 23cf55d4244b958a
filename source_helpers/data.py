"""Small real data that ships with installed packages: nothing is downloaded at run time."""

from __future__ import annotations

import numpy as np
from matplotlib import cbook
from PIL import Image

__all__ = ["sample_image"]


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
