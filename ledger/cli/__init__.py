"""The `celltrace` command. `main` holds the root command and init, serve, worker, demo,
generate, trace, label(s) and steps; `access`, `personal`, `transparency`, `users` and `verify`
each add their commands to it; `read_models` and `progress` print for verify and the worker,
and `help` makes the `--help` pages."""
