"""Tests of the maintainer commands: import, diff, change reports, vendoring."""
