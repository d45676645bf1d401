"""Tests of codegen/: schema checks, generation and the check of generated/."""
