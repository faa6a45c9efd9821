URL_ACCESS: list = []
