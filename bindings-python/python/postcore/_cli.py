"""The ``postcore`` console script: the command line of the Rust ``postcore-cli`` crate, built
into the extension (see ``postcore --help``)."""

from __future__ import annotations

import sys


def main() -> None:
    """Runs ``postcore`` with this process's arguments and exits with its status."""
    from ._postcore import cli_main

    try:
        status = cli_main(sys.argv)
    except KeyboardInterrupt:
        # The command handles Ctrl-C itself (saving what was done); Python's own handler may
        # still raise here once it returns.
        status = 130
    sys.exit(status)


if __name__ == "__main__":
    main()
