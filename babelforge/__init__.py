"""babelforge: a factory for multilingual synthetic datasets.

The packages live in the repository's top-level folders (schemas/, validators/, generators/,
annotation/, flows/, and recipes/ once it exists); this folder links them under one import
name, so an installed babelforge adds only `babelforge` to the user's environment and
cannot collide with PyPI packages such as `validators`.
"""
