"""The catalogue: goals, learning-practice variants, matching, regions."""

from catalogue import models as _models  # noqa: F401  (register the tables with the metadata)
from catalogue import module_models as _module_models  # noqa: F401
from catalogue import outcome_models as _outcome_models  # noqa: F401
