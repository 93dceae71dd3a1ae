"""Entry point of ``mantra-desktop`` and ``python -m mantra_desktop``.

A command (``import``, ``list``, ``install``…) runs without a window and
without loading Qt; otherwise the window opens.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence


def main(argv: Sequence[str] | None = None) -> int:
    from mantra_desktop.cli import build_parser, wants_command

    arguments = sys.argv[1:] if argv is None else list(argv)
    args = build_parser(with_commands=wants_command(arguments)).parse_args(arguments)
    if getattr(args, "run", None) is not None:
        return int(args.run(args))
    from mantra_desktop.app import run_window

    return run_window(args)


if __name__ == "__main__":
    sys.exit(main())
