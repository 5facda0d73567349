from govsite.cli import run

run()
