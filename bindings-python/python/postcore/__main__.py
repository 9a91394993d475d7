"""``python -m postcore``: the ``postcore`` command line, as the console script runs it (for
MCP client configurations and environments where the script is not on ``PATH``)."""

from __future__ import annotations

import sys

from ._cli import main

if __name__ == "__main__":
    main(["postcore", *sys.argv[1:]])
