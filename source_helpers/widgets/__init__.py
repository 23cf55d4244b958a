"""Widgets: ``core`` holds the plumbing; each lesson has its own module (``conv`` for lesson 01).

Every widget is three small pieces: a pure *compute* function (testable on its own), a *plot*
function that returns a matplotlib Figure, and a thin *builder* that wires ipywidgets controls to
them with ``ipywidgets.interactive``; the builder's ``.result`` is the latest compute result. While
nbgrader executes a notebook (``NBGRADER_EXECUTION`` is set), builders return a placeholder instead.
"""
