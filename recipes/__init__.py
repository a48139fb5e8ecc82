"""The recipes, declared: each recipe's stages, export subsets, gold kind and card text.

No Prefect here: flows/ runs what these modules declare (flows/executor.py).
"""
