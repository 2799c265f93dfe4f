"""A named error reaches the CLI's reader in the command's language (``--lang``, else its default)."""

from __future__ import annotations

import pytest

from roimix import cli
from roimix.errors import ScenarioError
from roimix.messages import Message
from roimix.text import STRINGS, error_text


def test_keyed_error_is_worded_in_each_language():
    zh, en = STRINGS["group.paid"]
    err = ScenarioError(message=Message("group.paid", {}))
    assert (error_text(err, "zh"), error_text(err, "en")) == (zh, en) and zh != en


def test_unworded_error_keeps_its_own_text():
    assert error_text(ScenarioError("plain words"), "zh") == "plain words"
    assert str(ScenarioError(message=Message("some.key", {"n": 2}))) == "some.key(n=2)"


@pytest.mark.parametrize(("args", "lang"), [
    (["plan", "--lang", "en"], "en"), (["plan", "--lang=zh"], "zh"), (["--debug"], "zh"),
])
def test_lang_of_reads_the_option(args, lang):
    assert cli._lang_of(args) == lang


def test_cli_words_a_keyed_error_in_the_command_language(monkeypatch, capsys):
    key = "group.paid"
    def boom(*_a, **_k):
        raise ScenarioError(message=Message(key, {}))
    monkeypatch.setattr(cli.app, "main", boom)
    assert cli.main(["plan", "--lang", "en"]) == 2
    assert capsys.readouterr().err.strip() == f"error: {STRINGS[key][1]}"
    assert cli.main(["plan"]) == 2
    assert capsys.readouterr().err.strip() == f"error: {STRINGS[key][0]}"
