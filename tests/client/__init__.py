"""Tests of the generated clients against a real HTTP server on loopback."""
