"""The MITS/TaCo recipe: read instruction sets, translate them, build TaCo records."""
