"""Answer banks for the fairness suite (``tests/test_fairness.py``), one module per assignment.

Each module names its ``ASSIGNMENT`` and holds two dicts keyed by answer cell (``ex01_answer``, ...):

- ``CORRECT``: correct answers in other styles than the reference (other functions, other names where the
  task allows, ``.item()`` vs tensors, ``no_grad`` vs ``inference_mode``, another valid architecture);
  each must earn the exercise's full points.
- ``WRONG``: gamed or classic wrong answers as ``(answer, text)``; each must earn none of the exercise's
  points, and its test must show ``text``.

An answer is a whole answer cell (a string), or ``(old, new)``: the reference answer with ``old`` replaced by
``new``. An answer may use the notebook's read-only cells, never another exercise's answer.
"""

from . import a00_fundamentals, a01_workflow, a02_classification, a03_computer_vision

BANKS = {bank.ASSIGNMENT: bank for bank in (a00_fundamentals, a01_workflow, a02_classification, a03_computer_vision)}
