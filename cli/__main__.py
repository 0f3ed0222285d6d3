"""``python -m cli``: the treatysim command line."""

from cli import main

main()
