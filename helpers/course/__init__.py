"""Instructor tools: release the exercises, execute notebooks, autograde.

Run ``python -m helpers.course --help``. These tools need the ``course`` extra
(nbgrader, papermill); the student-facing helpers do not.
"""
