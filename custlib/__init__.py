"""custlib: the helper library behind the customer development workbook.

This module only re-exports; importing it changes no global state.
"""

from custlib.exceptions import CustlibError, DataError, InsufficientDataError, NotFittedError, ParamsError, RenderError
from custlib.io.periods import Quarter

__version__ = "0.1.0"

__all__ = [
    "CustlibError",
    "DataError",
    "InsufficientDataError",
    "NotFittedError",
    "ParamsError",
    "Quarter",
    "RenderError",
    "__version__",
]
