"""Scaffolding shared by every lesson of the CNN building-blocks workbook.

One module per concern; notebooks import what they need:

- ``checks``     assertions with useful failure messages (shape, dtype, max error, first differing index,
                 the pattern of a wrong answer); in a notebook a passing test cell says hidden tests still run
- ``diagnose``   the words for how a wrong array relates to the expected one, and for which case fails
- ``feedback``   the message after a passing test cell
- ``gradcheck``  numerical gradients by centred differences, in float64
- ``torch_ref``  the torch device (chosen once) and float64 torch references (the oracle)
- ``data``       small real data that ships with installed packages (no downloads)
- ``timing``     medians of repeated timings
- ``small_cnn``  lesson 09's network in torch (its shapes, its ``torch.nn`` copy) and torch-backed stand-ins
                 for the layers of lessons 01-05
- ``widgets``    ipywidgets plumbing and one module of widgets per lesson
- ``i18n``       the edition's language (Korean in ``*_ko`` assignments): ``tr`` for messages, the Hangul font

Nothing here implements a graded function: the reference solutions live only inside the
solution fences of ``solutions/``.
"""

__all__ = ["checks", "gradcheck", "torch_ref", "data", "timing", "small_cnn", "widgets", "i18n"]

from source_helpers import i18n as _i18n

if _i18n.is_korean():  # before any plot: Hangul in titles and labels, in widgets and in the lesson's own cells
    _i18n.use_korean_font()
