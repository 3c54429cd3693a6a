from mlmeta.cli import run

run()
