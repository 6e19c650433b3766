"""`varproof verify --help`: every option says what it is and what its default is."""

import argparse

from varproof.verify.cli import build_parser


def _subparser(name: str) -> argparse.ArgumentParser:
    parser = build_parser()
    action = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    return action.choices[name]


def test_every_verify_option_has_help_with_its_default():
    missing = []
    for action in _subparser("verify")._actions:
        if not action.option_strings or isinstance(action, argparse._HelpAction):
            continue
        text = action.help or ""
        if not text or "default" not in text:
            missing.append("/".join(action.option_strings))
    assert not missing, missing


def test_help_states_the_defaults_of_alpha_samples_seed():
    from varproof.verify.registry import Params

    helps = {a.dest: a.help for a in _subparser("verify")._actions}
    assert f"(default {Params().alpha:g})" in helps["alpha"]
    assert f"(default {Params().samples})" in helps["samples"]
    assert f"(default {Params().seed})" in helps["seed"]


def test_verify_help_says_what_exit_status_1_means():
    text = _subparser("verify").format_help()
    assert "1 the paper has statements" in " ".join(text.split())
