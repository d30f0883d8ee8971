"""The transports: the command line now, the HTTP server later."""
