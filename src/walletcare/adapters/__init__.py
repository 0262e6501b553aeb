"""Built-in plugins: storages registered exactly like third-party ones."""
