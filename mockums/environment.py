"""Options from the environment: every option of a command is also a `MOCKUMS_…` variable.

The variables are derived from the argparse definitions themselves (`serve`'s are built from
mockums.settings_table), so an option added to `mockums serve` is readable from the environment, and
listed in the README, with no further work: `--skew-window` is `MOCKUMS_SKEW_WINDOW`, `--no-watch` is
`MOCKUMS_NO_WATCH`. A value given on the command line wins over the variable; the variable wins over
the config file, which wins over the defaults. Nothing here imports more than argparse, so
`mockums --version` stays fast.
"""

from __future__ import annotations

import argparse
import difflib
from collections.abc import Iterator, Mapping

from mockums.settings_table import PREFIX, variable_for

TRUE = ("1", "true", "yes", "on")
FALSE = ("", "0", "false", "no", "off")


class EnvironmentValueError(ValueError):
    """A `MOCKUMS_…` variable whose value the option does not accept; the message names both."""


def variable(action: argparse.Action) -> str:
    """The environment variable of an option: MOCKUMS_ and its long name, upper case, `-` as `_`."""
    return variable_for(action.option_strings)


def options(parser: argparse.ArgumentParser) -> Iterator[argparse.Action]:
    """The options of `parser` that a variable can set (not --help, --version or positionals)."""
    for action in parser._actions:  # argparse has no public accessor for a parser's actions
        if action.option_strings and not isinstance(action, (argparse._HelpAction, argparse._VersionAction)):
            yield action


def is_flag(action: argparse.Action) -> bool:
    """An option that takes no value (`--faithful`): its variable says true or false."""
    return action.nargs == 0


def is_list(action: argparse.Action) -> bool:
    """A repeatable option (`--scenarios A --scenarios B`): its variable holds a comma-separated list."""
    return isinstance(action, argparse._AppendAction)


def accepted_values(action: argparse.Action) -> str:
    """What the variable of `action` holds, in words, for the README's table."""
    if is_flag(action):
        return "1"  # or true, yes, on; 0, false, no, off or empty leave it off
    value = action.metavar or action.dest.upper()
    if is_list(action):
        return f"{value},…"
    if action.choices:
        return "/".join(str(choice) for choice in action.choices)
    return str(value)


def _convert(action: argparse.Action, name: str, text: str) -> object:
    try:
        value = action.type(text) if callable(action.type) else text
    except (TypeError, ValueError) as error:
        raise EnvironmentValueError(f"{name}={text!r}: not a valid value for {action.option_strings[-1]} "
                                    f"({error})") from None
    if action.choices is not None and value not in action.choices:
        allowed = ", ".join(map(str, action.choices))
        raise EnvironmentValueError(f"{name}={text!r}: {action.option_strings[-1]} must be one of {allowed}")
    return value


def _unset(action: argparse.Action, namespace: argparse.Namespace) -> bool:
    """Whether the command line left this option alone (its value is still the parser's default)."""
    value = getattr(namespace, action.dest, None)
    return value is None or value is False or value in ([], action.default)


def apply_environment(parser: argparse.ArgumentParser, namespace: argparse.Namespace,
                      environ: Mapping[str, str]) -> list[str]:
    """Fill every option the command line left unset from its variable, if set; the variables used.

    Flags take true/false words, repeatable options a comma-separated list, every other option the
    text it would take on the command line. EnvironmentValueError names a variable it cannot use.
    """
    used = []
    for action in options(parser):
        name = variable(action)
        text = environ.get(name)
        if text is None or not _unset(action, namespace):
            continue
        text = text.strip()
        if is_flag(action):
            if text.lower() not in TRUE + FALSE:
                raise EnvironmentValueError(f"{name}={text!r}: use one of {', '.join(TRUE)} or {', '.join(FALSE[1:])}")
            if text.lower() in TRUE:
                setattr(namespace, action.dest, action.const)
        elif is_list(action):
            items = [item.strip() for item in text.split(",") if item.strip()]
            setattr(namespace, action.dest, [_convert(action, name, item) for item in items])
        elif text or action.nargs == "?":
            setattr(namespace, action.dest, _convert(action, name, text) if text else action.const)
        else:
            continue
        used.append(name)
    return used


def misspelt_variables(parser: argparse.ArgumentParser, environ: Mapping[str, str]) -> list[tuple[str, str]]:
    """(variable, the option's variable it is close to) for each MOCKUMS_… variable that is no option:
    most likely a typo (`MOCKUMS_PROT`). Variables far from every option are someone else's, and left alone."""
    known = [variable(action).removeprefix(PREFIX) for action in options(parser)]
    found = []
    for name in sorted(environ):
        if name.startswith(PREFIX) and name.removeprefix(PREFIX) not in known:
            guess = difflib.get_close_matches(name.removeprefix(PREFIX), known, n=1, cutoff=0.7)
            if guess:
                found.append((name, PREFIX + guess[0]))
    return found
