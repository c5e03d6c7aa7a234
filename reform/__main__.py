from reform.cli import app

app()
