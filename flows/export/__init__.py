"""The Hugging Face export of a run: Hub-layout parquet, the dataset card, the push.

Plain functions over a run directory; flows/factory.py wraps them in Prefect tasks.
"""
