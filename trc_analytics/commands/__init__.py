"""One module per `trc` subcommand (see `trc_analytics.cli.COMMANDS`)."""
