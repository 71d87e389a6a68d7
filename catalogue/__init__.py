"""The catalogue: its sub-domains, one package each.

- variants/: goals, learning-practice variants and their versions (the catalogue proper);
- matching/: "Welke werkvorm past?", the pure ranking with its reasons;
- evidence/: what the goal ratings of earlier sessions say about a variant;
- outcomes/: a session's outcome, its sharing gate, de-identification and sharing levels;
- library/: the searchable library of shared outcomes and who may read them;
- modules/: curriculum modules built from outcomes and variants, and their export;
- regions/: regions (Werkplaatsen) with their themes, national themes, the knowledge agenda.

schema.py validates content (shared by the packages), seed.py loads the content files in
catalogue/content/, vocabulary.py holds the shared words and openapi.py describes the JSON API.
"""

from catalogue.modules import models as _module_models  # noqa: F401  (register the tables)
from catalogue.outcomes import models as _outcome_models  # noqa: F401
from catalogue.regions import models as _region_models  # noqa: F401
from catalogue.variants import models as _variant_models  # noqa: F401
