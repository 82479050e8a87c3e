"""Help that reads cleanly in `celltrace --help` and `celltrace COMMAND --help`, with Rich
panels or without: a flag shows no type tag, an option taking a value shows its metavar
(CODE, FILE, N) and an argument shows only its name, as in the usage line.

Typer labels every parameter with its Python type (`<bool>` even on `--help`, `<str>` on
arguments); `CleanTyper` builds its groups and commands from the classes below instead.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any, TypeVar

import typer
from typer.core import TyperArgument, TyperCommand, TyperGroup, TyperOption

F = TypeVar("F", bound=Callable[..., Any])


class _Argument(TyperArgument):
    def display_type_rich(self, ctx: Any) -> str | None:
        return None  # the argument's name (its metavar) says what it is

    def _usage_display_name(self) -> str:
        name = self.display_name_raw + ("..." if self.nargs != 1 else "")
        return name if self.required else f"[{name}]"


class _Option(TyperOption):
    def display_type_rich(self, ctx: Any) -> str | None:
        if self.is_flag or self.count:
            return None  # a flag takes no value
        return super().display_type_rich(ctx)


def _clean(params: Iterable[object]) -> None:
    # Typer builds its own parameter objects; giving them these subclasses changes only how
    # they are shown (no state is added), never how a command line is parsed.
    for param in params:
        if type(param) is TyperArgument:
            param.__class__ = _Argument
        elif type(param) is TyperOption:
            param.__class__ = _Option


class CleanCommand(TyperCommand):
    def get_params(self, ctx: Any) -> list[Any]:
        params: list[Any] = super().get_params(ctx)
        _clean(params)  # here, since Typer adds --help and the completion options late
        return params


class CleanGroup(TyperGroup):
    def get_params(self, ctx: Any) -> list[Any]:
        params: list[Any] = super().get_params(ctx)
        _clean(params)
        return params


class CleanTyper(typer.Typer):
    """A `typer.Typer` whose groups and commands show clean help (see the module docstring)."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(cls=CleanGroup, **kwargs)

    def command(self, *args: Any, **kwargs: Any) -> Callable[[F], F]:
        kwargs.setdefault("cls", CleanCommand)
        return super().command(*args, **kwargs)
