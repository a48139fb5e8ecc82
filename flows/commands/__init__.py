"""The babelforge commands, one module per group of commands; flows/cli.py registers them."""
