"""Tests of the runtime every generated package carries: converter, validation, models."""
