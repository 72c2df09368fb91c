"""One import of ``manage.py bench ofsted_import_70k``, in a process of its own.

``python -m settings.bench_import FILE ANCHORS`` uploads, previews and applies FILE as
the ``import_ofsted`` command does, on the database ``DATABASE_URL`` names, and writes
its figures as one line of JSON. Run apart from the bench, its peak memory is the
import's own, not whatever the benchmarks before it left in the bench's process.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kqm.settings")
    import django

    django.setup()  # before anything that reads the models
    from settings.benchmarks import import_file

    figures = import_file(Path(sys.argv[1]), anchors=int(sys.argv[2]))
    sys.stdout.write(json.dumps(figures) + "\n")


if __name__ == "__main__":
    main()
