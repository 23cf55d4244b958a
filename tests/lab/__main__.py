"""``python -m tests.lab --readme-screenshots DIR`` (make screenshots): the README's pictures, out of the
browser tests' screenshots in build/browser/."""

from __future__ import annotations

from pathlib import Path

from autograder.course import REPO

# The README's pictures: which browser-test screenshot each one is (lesson, index of its interactive widget).
README_SCREENSHOTS = {
    "conv-arithmetic.png": ("01_convolution", 0),
    "norm-cube.png": ("06_layer_instance_group_norm", 0),
}


def readme_screenshots(dest: Path, width: int = 720) -> None:
    """Copy the README's screenshots from build/browser/, scaled down to ``width`` pixels."""
    from PIL import Image

    dest.mkdir(parents=True, exist_ok=True)
    for name, (lesson, index) in README_SCREENSHOTS.items():
        shot = Image.open(REPO / "build" / "browser" / f"{lesson}-{index}.png").convert("RGB")
        if shot.width > width:
            shot = shot.resize((width, round(shot.height * width / shot.width)), Image.LANCZOS)
        shot.convert("P", palette=Image.ADAPTIVE, colors=128).save(dest / name, optimize=True)
        print(f"{dest / name}: {shot.width}x{shot.height}, {(dest / name).stat().st_size // 1024} KiB")


if __name__ == "__main__":
    import argparse

    parser = argparse.ArgumentParser(description="copy the README's screenshots out of build/browser/")
    parser.add_argument("--readme-screenshots", type=Path, required=True, metavar="DIR")
    readme_screenshots(parser.parse_args().readme_screenshots)
