"""Regenerate the bundled sample: ``python data/generate.py`` (same as ``roimix generate --out data/sample``).

The generator itself lives in ``roimix/synthetic`` so tests and benchmarks can make markets of any size.
"""

import sys

from roimix.cli import main

if __name__ == "__main__":
    sys.exit(main(["generate", "--out", "data/sample", *sys.argv[1:]]))
