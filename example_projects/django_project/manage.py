#!/usr/bin/env python3
"""Django's command-line utility for the example project (runserver, check --deploy, ...)."""

from __future__ import annotations

import os
import sys
from pathlib import Path


def main() -> None:
    # The project is the package example_projects.django_project: put the repository on
    # sys.path so that this file runs from anywhere.
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "example_projects.django_project.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
