pytest_plugins = ["novasaas.platform.testing.fixtures"]
