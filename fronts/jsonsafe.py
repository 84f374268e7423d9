"""Values made safe for strict JSON, for the results files and the report's figure data."""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import numpy as np


def json_safe(value: Any) -> Any:
    """A copy that `json.dumps(..., allow_nan=False)` accepts: NaN and infinities become null,
    tuples become lists, numpy scalars plain numbers, mapping keys strings."""
    if isinstance(value, np.generic):
        return json_safe(value.item())
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, Mapping):
        return {str(k): json_safe(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [json_safe(v) for v in value]
    return value
