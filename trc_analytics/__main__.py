"""`python -m trc_analytics` runs the `trc` command."""

from trc_analytics.cli import main

main()
