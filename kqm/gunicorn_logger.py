"""gunicorn's access log without the secrets some links carry (see ``kqm.redaction``).

Used by the image's command: ``gunicorn --logger-class kqm.gunicorn_logger.GunicornLogger``.
"""

from __future__ import annotations

from typing import Any

from gunicorn.glogging import Logger

from kqm.redaction import redacted


class GunicornLogger(Logger):
    """Every part of an access log line redacted: request line, path, referrer, headers."""

    def atoms(self, resp: Any, req: Any, environ: Any, request_time: Any) -> dict[str, Any]:
        atoms: dict[str, Any] = super().atoms(resp, req, environ, request_time)
        return {key: redacted(value) for key, value in atoms.items()}
