"""A sentence for a person as data: a text key and its values (the ground floor: imports nothing of ours).

Libraries (``attribution``, ``response``, ``optimizer``) return :class:`Message` objects; the shell
words them in Chinese or English (``roimix.text``). Value names say how they print: ``*_cny`` as
money, ``*_share`` as a percentage, ``*_x`` as a multiple, ``*_roi`` as a ratio, ``*_days`` in days.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Message:
    """A text key (``roimix/text/<area>.py``) and the values its sentence is filled with."""

    key: str
    values: dict = field(default_factory=dict)
