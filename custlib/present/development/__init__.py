"""How the development report shows its results: tables (:mod:`.views`) and charts (:mod:`.charts`)."""
