"""``python -m hello_ferry``."""

from hello_ferry import main

main()
