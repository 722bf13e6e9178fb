"""A launchd simulator for tests: a supervisor daemon (launchd-sim) and a
stand-in launchctl that talks to it over a Unix socket. See ../README.md."""
