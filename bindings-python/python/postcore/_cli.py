"""The ``postcore`` console script: the command line of the Rust ``postcore-cli`` crate, built
into the extension (see ``postcore --help``)."""

from __future__ import annotations

import sys


def main(argv: list[str] | None = None) -> None:
    """Runs ``postcore`` with ``argv`` (default: this process's arguments; the first is the
    program's name) and exits with its status."""
    from ._postcore import cli_main

    try:
        status = cli_main(sys.argv if argv is None else argv)
    except KeyboardInterrupt:
        # The command handles Ctrl-C itself (saving what was done); Python's own handler may
        # still raise here once it returns.
        status = 130
    sys.exit(status)


if __name__ == "__main__":
    main()
