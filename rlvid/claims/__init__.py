"""The papers' claims: the spec of a claim (:mod:`.spec`), paired evidence (:mod:`.evidence`)
and the judge that reads the tables (:mod:`.judge`)."""
