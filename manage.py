#!/usr/bin/env python3
from dateline.cli import main

if __name__ == "__main__":
    main()
