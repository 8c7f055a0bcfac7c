"""What the named-check tests share: the message of a check that fails, in the course's three parts."""

import re
from collections.abc import Callable

import pytest

from helpers.checks import CheckError


def message_of(call: Callable[[], object]) -> str:
    """The message of the ``CheckError`` that ``call()`` raises, after asserting it has the problem / expected / got shape."""
    with pytest.raises(CheckError) as info:
        call()
    message = str(info.value)
    assert re.search(r"^  expected: .+\n  got:      .+(\nHint: .+)?", message, re.M), f"not in the three parts:\n{message}"
    return message
