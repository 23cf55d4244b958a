"""Scaffolding shared by every lesson of the CNN building-blocks workbook.

One module per concern; notebooks import what they need:

- ``checks``     assertions with useful failure messages (shape, dtype, max error, first differing index)
- ``gradcheck``  numerical gradients by centred differences, in float64
- ``torch_ref``  the torch device (chosen once) and float64 torch references (the oracle)
- ``data``       small real data that ships with installed packages (no downloads)
- ``timing``     medians of repeated timings
- ``widgets``    ipywidgets plumbing and one module of widgets per lesson

Nothing here implements a graded function: the reference solutions live only inside the
solution fences of ``solutions/``.
"""

__all__ = ["checks", "gradcheck", "torch_ref", "data", "timing", "widgets"]
