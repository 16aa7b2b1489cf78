"""Exceptions raised by custlib.

One root, :class:`CustlibError`, and a few precise subclasses. The ones that
describe bad input also subclass :class:`ValueError`, so callers that only
know the standard library still catch them.
"""


class CustlibError(Exception):
    """Root of every error custlib raises on purpose."""


class DataError(CustlibError, ValueError):
    """An input table is missing, malformed or breaks the data contract.

    The message names the file (or table), the column and the first
    offending rows.
    """


class ParamsError(CustlibError, ValueError):
    """A parameter is unknown or has a bad value; the message names the key and file."""


class InsufficientDataError(CustlibError, ValueError):
    """The data is valid but too thin for an analysis (e.g. one customer, no orders).

    ``code`` names the reason and ``fields`` hold its numbers, so that a report
    can say it in its own language (the message stays English, for logs):
    ``InsufficientDataError("needs 2 customers, found 1", code="too_few_customers", found=1, needed=2)``.
    """

    def __init__(self, message: str = "", *, code: str | None = None, **fields) -> None:
        super().__init__(message)
        self.code = code
        self.fields = fields


class RenderError(CustlibError):
    """A report run could not be carried out (lock held, notebook missing, ...)."""


class Stopped(SystemExit):
    """The process was asked to stop by a signal (SIGTERM) while it worked.

    A :class:`SystemExit` whose ``code`` is 128 plus the signal's number (143 for
    SIGTERM), the status a shell gives a process the signal ended: raised where
    the work was waiting, so that it unwinds (workers killed, temporaries removed)
    and, left uncaught, ends the process with that status. Ctrl-C (SIGINT) stays
    :class:`KeyboardInterrupt`.
    """

    def __init__(self, signum: int) -> None:
        super().__init__(128 + int(signum))
        self.signum = int(signum)


class NotFittedError(CustlibError, AttributeError):
    """A model was used before ``fit`` was called."""
