"""``python -m preflight``: the same entry point as the console script."""

from preflight.cli import main

raise SystemExit(main())
