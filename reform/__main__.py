from reform.app import app

app()
