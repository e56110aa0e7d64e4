"""ML generators (copy, visuals, variants, scoring). Qt-free; heavy libraries load lazily."""
