"""Fuzz tests (issue 7): small in the default run, large under ``HYPOTHESIS_PROFILE=fuzz``."""
