"""Widgets: ``core`` holds the plumbing; each lesson has its own module (``conv`` for lesson 01).

Every widget is three small pieces: a pure *compute* function (testable on its own), a *plot*
function that returns a matplotlib Figure, and a thin *builder* that wires ipywidgets controls to
them with ``ipywidgets.interactive``; the builder's ``.result`` is the latest compute result. While
nbgrader executes a notebook (``NBGRADER_EXECUTION`` is set), builders return a placeholder instead.

A widget that shows what a lesson function computes takes the student's function and decides whose
result to show by one rule, ``core.yours_or`` (torch's until the student's runs). ``registry`` lists
every builder; ``tests/test_widgets_contract.py`` holds each to the same contract.
"""
